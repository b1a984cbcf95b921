// Menu groups behave as drop-downs on wide screens: opening one closes the others, a click elsewhere closes them.
(function () {
  var menu = document.getElementById("navmenu");
  var wide = window.matchMedia("(min-width: 821px)");
  // The whole menu folds into one button on phones; on wide screens it is always open (CSS shows it even before this).
  if (menu && wide.matches) menu.open = true;
  var groups = Array.prototype.slice.call(document.querySelectorAll(".navgroup"));
  groups.forEach(function (group) {
    group.addEventListener("toggle", function () {
      if (!group.open || !wide.matches) return;
      groups.forEach(function (other) { if (other !== group) other.open = false; });
    });
  });
  document.addEventListener("click", function (event) {
    if (!wide.matches) return;
    groups.forEach(function (group) { if (!group.contains(event.target)) group.open = false; });
  });
})();
