// Cockpit pages: auto-submitting selectors and plotly figures passed with json_script.
// plotly (~390 KB gzipped) is not part of the page: the script tag names it (data-plotly) and it is fetched once,
// from the cached static file, when the first chart comes near the screen.
(function () {
  "use strict";
  var plotlyUrl = document.currentScript && document.currentScript.dataset.plotly;
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  var plotlyReady = null;
  function withPlotly(draw) {
    if (window.Plotly) { return draw(); }
    if (!plotlyUrl) { return; }
    if (!plotlyReady) {
      plotlyReady = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = plotlyUrl;
        script.onload = resolve;
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    plotlyReady.then(draw, function () { plotlyReady = null; });
  }

  function drawFigure(el) {
    var source = document.getElementById(el.dataset.figure);
    if (!source || el.dataset.drawn) { return; }
    el.dataset.drawn = "1";
    var fig = JSON.parse(source.textContent);
    withPlotly(function () {
      window.Plotly.newPlot(el, fig.data, fig.layout, { displaylogo: false, responsive: true });
    });
  }

  var plots = Array.prototype.slice.call(document.querySelectorAll("[data-figure]"));
  if (!plots.length) { return; }
  if (!("IntersectionObserver" in window)) { plots.forEach(drawFigure); return; }
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) { observer.unobserve(entry.target); drawFigure(entry.target); }
    });
  }, { rootMargin: "200px" });
  plots.forEach(function (el) { observer.observe(el); });
})();
