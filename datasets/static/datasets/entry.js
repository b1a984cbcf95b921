// Entry grid: a cell marked "not available" needs no value; a value that cannot be right is flagged as you type
// (never before: an untouched required cell is not an error yet); only the cells you changed are posted.
(function () {
  function state(cell) {
    var input = cell.querySelector(".ds-value");
    var reason = cell.querySelector(".ds-na");
    if (reason && reason.value !== "") return "n/a:" + reason.value;
    return input ? input.value.trim() : "";
  }
  document.querySelectorAll(".ds-cell").forEach(function (cell) {
    var input = cell.querySelector(".ds-value");
    var reason = cell.querySelector(".ds-na");
    if (!input || !reason) return;
    var needed = input.hasAttribute("required") || input.dataset.required === "1" || reason.value !== "";
    function flag() {
      var wrong = !input.disabled && input.validity && !input.validity.valid && !input.validity.valueMissing;
      input.classList.toggle("invalid", wrong);
    }
    function sync() {
      input.disabled = reason.value !== "";
      if (reason.value !== "") input.removeAttribute("required");
      else if (needed) input.setAttribute("required", "");
      flag();
    }
    reason.addEventListener("change", sync);
    input.addEventListener("input", flag);
    input.disabled = reason.value !== "";
  });
  var form = document.querySelector(".ds-grid-form");
  if (!form) return;
  form.addEventListener("submit", function () {
    form.querySelectorAll(".ds-cell[data-original]").forEach(function (cell) {
      if (cell.classList.contains("has-conflict") || state(cell) !== cell.dataset.original) return;
      cell.querySelectorAll("input, select").forEach(function (field) { field.disabled = true; });
    });
  });
})();
