// Draws the usage chart from the figure the server built with plotly (passed via json_script).
(function () {
  "use strict";
  var data = document.getElementById("usage-figure");
  var target = document.getElementById("usage-chart");
  if (!data || !target || !window.Plotly) return;
  var figure = JSON.parse(data.textContent);
  window.Plotly.newPlot(target, figure.data, figure.layout, { displayModeBar: false, responsive: true });
})();
