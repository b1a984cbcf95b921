// Entry grid: a cell marked "not available" needs no value; invalid inputs are flagged as you type.
(function () {
  document.querySelectorAll(".ds-cell").forEach(function (cell) {
    var input = cell.querySelector(".ds-value");
    var reason = cell.querySelector(".ds-na");
    if (!input || !reason) return;
    var needed = input.hasAttribute("required") || input.dataset.required === "1" || reason.value !== "";
    function sync() {
      input.disabled = reason.value !== "";
      if (reason.value !== "") input.removeAttribute("required");
      else if (needed) input.setAttribute("required", "");
      input.classList.toggle("invalid", !input.disabled && input.checkValidity && !input.checkValidity());
    }
    reason.addEventListener("change", sync);
    input.addEventListener("input", function () { input.classList.toggle("invalid", !input.checkValidity()); });
    sync();
  });
})();
