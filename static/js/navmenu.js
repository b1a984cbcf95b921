// Menu groups behave as drop-downs on wide screens: opening one closes the others, a click elsewhere closes them.
(function () {
  var groups = Array.prototype.slice.call(document.querySelectorAll(".navgroup"));
  var wide = window.matchMedia("(min-width: 821px)");
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
