// Shows likelihood × impact and its level next to each question while the agency answers.
(function () {
  "use strict";
  function level(score) {
    if (score >= 17) return "extreme";
    if (score >= 10) return "high";
    if (score >= 5) return "medium";
    return "low";
  }
  function update(row) {
    var selects = row.querySelectorAll("select");
    var cell = row.querySelector("[data-score]");
    if (!cell || selects.length < 2) return;
    var l = parseInt(selects[0].value, 10), i = parseInt(selects[1].value, 10);
    cell.className = "score";
    if (l && i) {
      cell.textContent = String(l * i);
      cell.classList.add("level-" + level(l * i));
    } else {
      cell.textContent = "";
    }
  }
  document.querySelectorAll("tr[data-question]").forEach(function (row) {
    update(row);
    row.addEventListener("change", function () { update(row); });
  });
})();
