// Draws the figure built in Python (datasets.views._chart) with the offline plotly bundle.
(function () {
  var holder = document.getElementById("ds-chart");
  var source = document.getElementById("ds-chart-data");
  if (!holder || !source || !window.Plotly) return;
  var figure = JSON.parse(source.textContent);
  window.Plotly.newPlot(holder, figure.data, figure.layout, { responsive: true, displaylogo: false });
})();
