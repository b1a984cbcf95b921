// Entry grid: a cell marked "not available" needs no value; a value that cannot be right is flagged as you type
// (never before: an untouched required cell is not an error yet); only the cells you changed are posted.
// A broken-down element's total and each column's total at the bottom are added up as you type: shown, never posted.
(function () {
  function state(cell) {
    var input = cell.querySelector(".ds-value");
    var reason = cell.querySelector(".ds-na");
    if (reason && reason.value !== "") return "n/a:" + reason.value;
    return input ? input.value.trim() : "";
  }
  var THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙";
  // A figure as the server reads it ("1,210", Thai digits, a trailing %); null when empty or not a number.
  function figure(text) {
    var cleaned = String(text).replace(/[๐-๙]/g, function (d) { return String(THAI_DIGITS.indexOf(d)); })
      .replace(/[,\s]/g, "").replace(/%$/, "");
    if (cleaned === "") return null;
    var number = Number(cleaned);
    return isFinite(number) ? number : null;
  }
  function show(number) {
    return number === null ? "" : number.toLocaleString("en-US", { maximumFractionDigits: 2 });
  }
  // What a cell adds to a total: its figure, nothing when it is marked not available.
  function amount(cell) {
    var reason = cell.querySelector(".ds-na");
    if (reason && reason.value !== "") return null;
    var input = cell.querySelector(".ds-value");
    return input ? figure(input.value) : null;
  }
  function add(numbers) {
    var sum = null;
    numbers.forEach(function (n) { if (n !== null) sum = (sum || 0) + n; });
    return sum;
  }
  var form = document.querySelector(".ds-grid-form");
  function refreshTotal(name) {
    var total = form.querySelector('.ds-total[data-total="' + name + '"]');
    if (!total) return;
    var parts = form.querySelectorAll('.ds-cell[data-part-of="' + name + '"]');
    var sum = add(Array.prototype.map.call(parts, amount));
    total.dataset.sum = sum === null ? "" : String(sum);
    total.querySelector(".ds-sum").textContent = show(sum);
    refreshColumn(total.dataset.col);
  }
  function refreshColumn(key) {
    var foot = form.querySelector('[data-col-total="' + key + '"]');
    if (!foot) return;
    var cells = form.querySelectorAll('tbody [data-col="' + key + '"]');
    foot.textContent = show(add(Array.prototype.map.call(cells, function (cell) {
      return cell.classList.contains("ds-total") ? figure(cell.dataset.sum || "") : amount(cell);
    })));
  }
  function refresh(cell) {
    if (!cell) return;
    if (cell.dataset.col) refreshColumn(cell.dataset.col);
    if (cell.dataset.partOf) refreshTotal(cell.dataset.partOf);
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
      refresh(cell);
    }
    reason.addEventListener("change", sync);
    input.addEventListener("input", function () { flag(); refresh(cell); });
    input.disabled = reason.value !== "";
  });
  if (!form) return;
  // From the figures in the boxes (the browser may have kept typed values across a reload).
  form.querySelectorAll(".ds-total[data-total]").forEach(function (total) { refreshTotal(total.dataset.total); });
  form.querySelectorAll("[data-col-total]").forEach(function (foot) { refreshColumn(foot.dataset.colTotal); });
  form.addEventListener("submit", function () {
    form.querySelectorAll(".ds-cell[data-original]").forEach(function (cell) {
      if (cell.classList.contains("has-conflict") || state(cell) !== cell.dataset.original) return;
      cell.querySelectorAll("input, select").forEach(function (field) { field.disabled = true; });
    });
  });
})();
