// War-room wall screen: rotate through the perspective pages and reload for fresh values.
(function () {
  "use strict";
  var root = document.querySelector(".warroom-pages");
  if (!root) { return; }
  var pages = root.querySelectorAll(".warroom-page");
  var rotate = parseInt(root.dataset.rotateSeconds || "20", 10) * 1000;
  var refresh = parseInt(root.dataset.refreshSeconds || "300", 10) * 1000;
  var current = 0;
  if (pages.length > 1) {
    window.setInterval(function () {
      pages[current].classList.remove("active");
      current = (current + 1) % pages.length;
      pages[current].classList.add("active");
    }, rotate);
  }
  window.setTimeout(function () { window.location.reload(); }, refresh);
  document.addEventListener("keydown", function (event) {
    if (event.key === "f" && document.documentElement.requestFullscreen) { document.documentElement.requestFullscreen(); }
  });
})();
