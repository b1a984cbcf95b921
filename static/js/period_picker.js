// A period picker beside a dataset choice offers that dataset's kind of periods (monthly, quarterly, ...).
(function () {
  document.querySelectorAll("input[data-type-source]").forEach(function (input) {
    var source = document.getElementById(input.dataset.typeSource);
    if (!source) return;
    function sync() {
      var option = source.options[source.selectedIndex];
      var kind = option && option.dataset.periodType;
      if (kind && document.getElementById(input.id + "-" + kind)) input.setAttribute("list", input.id + "-" + kind);
    }
    source.addEventListener("change", sync);
    sync();
  });
})();
