/* Verification pages: plotly figures from json_script blocks and the violations hotspot map. */
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  document.querySelectorAll(".plotly-figure[data-figure]").forEach(function (target) {
    var figure = readJson(target.dataset.figure);
    if (figure && window.Plotly) {
      window.Plotly.newPlot(target, figure.data, figure.layout, { responsive: true, displaylogo: false });
    }
  });

  var mapNode = document.getElementById("hotspot-map");
  var counts = readJson("hotspot-data");
  if (!mapNode || !counts || !window.L) {
    return;
  }
  var map = window.L.map(mapNode, { attributionControl: false });
  var codes = Object.keys(counts);
  var max = Math.max.apply(null, codes.map(function (c) { return counts[c]; }).concat([1]));
  if (!codes.length) {
    map.setView([12.7, 101.3], 8);
    return;
  }
  function colour(n) {
    var share = n / max;
    return share > 0.66 ? "#b71c1c" : share > 0.33 ? "#e53935" : share > 0.1 ? "#ef9a9a" : "#ffcdd2";
  }
  fetch(mapNode.dataset.shapesUrl + "?codes=" + encodeURIComponent(codes.join(",")), { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (geojson) {
      var layer = window.L.geoJSON(geojson, {
        style: function (feature) {
          return { color: "#12284b", weight: 1, fillOpacity: 0.75, fillColor: colour(counts[feature.properties.code] || 0) };
        },
        onEachFeature: function (feature, item) {
          item.bindTooltip(feature.properties.code + " " + feature.properties.name + ": " + (counts[feature.properties.code] || 0));
        }
      }).addTo(map);
      if (layer.getLayers().length) {
        map.fitBounds(layer.getBounds());
      } else {
        map.setView([12.7, 101.3], 8);
      }
    });
})();
