/* Choropleth map with drill-down, legend, thematic layers and a chart of the selected unit.
   Data comes from the page's json_script config and the gis JSON endpoints; no external tiles. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var labels = config.labels;
  var lang = document.documentElement.lang || "th";
  var PALETTE = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];
  var NO_DATA = "url(#map-hatch)";
  var numberFormat = new Intl.NumberFormat(lang === "th" ? "th-TH" : "en-GB", { maximumFractionDigits: 2 });

  var map = L.map("map", { zoomSnap: 0.25, attributionControl: false }).setView([13.0, 101.0], 6);
  var renderer = L.svg({ padding: 0.5 }).addTo(map);
  addHatchPattern(renderer);
  map.createPane("thematic").style.zIndex = 450;
  var unitsLayer = null;
  var thematic = {};

  function addHatchPattern(svgRenderer) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = svgRenderer._container;
    var defs = document.createElementNS(ns, "defs");
    var pattern = document.createElementNS(ns, "pattern");
    pattern.setAttribute("id", "map-hatch");
    pattern.setAttribute("patternUnits", "userSpaceOnUse");
    pattern.setAttribute("width", "8");
    pattern.setAttribute("height", "8");
    pattern.setAttribute("patternTransform", "rotate(45)");
    var background = document.createElementNS(ns, "rect");
    background.setAttribute("width", "8");
    background.setAttribute("height", "8");
    background.setAttribute("fill", "#e5e5e5");
    var line = document.createElementNS(ns, "line");
    line.setAttribute("x1", "0");
    line.setAttribute("y1", "0");
    line.setAttribute("x2", "0");
    line.setAttribute("y2", "8");
    line.setAttribute("stroke", "#9e9e9e");
    line.setAttribute("stroke-width", "3");
    pattern.appendChild(background);
    pattern.appendChild(line);
    defs.appendChild(pattern);
    svg.insertBefore(defs, svg.firstChild);
  }

  function escapeHtml(text) {
    return String(text === null || text === undefined ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function unitName(props) {
    return lang !== "th" && props.name_en ? props.name_en : props.name_th;
  }

  function formatValue(value) {
    return value === null || value === undefined ? labels.noData : numberFormat.format(value);
  }

  /* Class breaks (ascending, first = min, last = max): quantiles of the values or equal intervals. */
  function breaks(values, method, count) {
    var sorted = values.slice().sort(function (a, b) { return a - b; });
    if (!sorted.length) return [];
    var min = sorted[0], max = sorted[sorted.length - 1];
    var lower = [];
    for (var i = 0; i < count; i++) {
      var cut = method === "equal" ? min + ((max - min) * i) / count : sorted[Math.floor((sorted.length * i) / count)];
      // A cut at the maximum would make a class "max – max": the last class already ends there.
      if (!lower.length || (cut > lower[lower.length - 1] && cut < max)) lower.push(cut);
    }
    return lower.concat([max]);
  }

  function classOf(value, cuts) {
    for (var i = 1; i < cuts.length - 1; i++) if (value < cuts[i]) return i - 1;
    return Math.max(0, cuts.length - 2);
  }

  function colourFor(value, cuts) {
    if (value === null || value === undefined) return NO_DATA;
    if (cuts.length < 2) return PALETTE[PALETTE.length - 1];
    var classes = cuts.length - 1;
    var index = classOf(value, cuts);
    var offset = PALETTE.length - classes;
    return PALETTE[Math.max(0, offset + index)];
  }

  function renderLegend(cuts, hasElement) {
    var legend = document.getElementById("map-legend");
    var rows = [];
    if (hasElement && cuts.length >= 2) {
      for (var i = 0; i < cuts.length - 1; i++) {
        var colour = colourFor(cuts[i], cuts);
        // Every unit has the same value: one class showing that value, not "292,206 – 292,206".
        var range = cuts[i] === cuts[i + 1] ? formatValue(cuts[i]) : formatValue(cuts[i]) + " – " + formatValue(cuts[i + 1]);
        rows.push('<div class="legend-row"><span class="swatch" style="background:' + colour + '"></span>' + escapeHtml(range) + "</div>");
      }
    }
    rows.push('<div class="legend-row"><span class="swatch swatch-nodata"></span>' + escapeHtml(labels.noData) + "</div>");
    legend.innerHTML = rows.join("");
  }

  function renderBreadcrumb(meta) {
    var nav = document.getElementById("map-breadcrumb");
    var parts = ['<a href="#" data-code="">' + escapeHtml(labels.top) + "</a>"];
    meta.breadcrumb.forEach(function (unit) {
      parts.push('<a href="#" data-code="' + escapeHtml(unit.code) + '">' + escapeHtml(unitName(unit)) + "</a>");
    });
    if (meta.group) {  // the group's own value: sum for counts, mean otherwise (README, Foundation)
      parts[0] = '<span class="map-group">' + escapeHtml(unitName(meta.group)) + (meta.group.value === null ? "" :
        " — " + escapeHtml(labels[meta.group.how] || meta.group.how) + " " + escapeHtml(formatValue(meta.group.value))) + "</span>";
    }
    nav.innerHTML = parts.join(" › ");
    nav.querySelectorAll("a").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        load(link.dataset.code);
      });
    });
  }

  function renderTable(features) {
    var body = document.querySelector("#map-table tbody");
    body.innerHTML = features.map(function (f) {
      var p = f.properties;
      return '<tr data-code="' + escapeHtml(p.code) + '"><td>' + escapeHtml(p.code) + "</td><td>" + escapeHtml(unitName(p)) +
        '</td><td class="num' + (p.value === null ? " nodata" : "") + '">' + escapeHtml(formatValue(p.value)) + "</td></tr>";
    }).join("");
  }

  function query(params) {
    var search = new URLSearchParams();
    Object.keys(params).forEach(function (key) { if (params[key]) search.set(key, params[key]); });
    return search.toString();
  }

  function rememberUnit(code) {
    var url = new URL(window.location.href);
    if (code) url.searchParams.set("orgunit", code); else url.searchParams.delete("orgunit");
    window.history.replaceState(null, "", url);
    var hidden = document.getElementById("id_orgunit");
    if (hidden) hidden.value = code;
  }

  function load(parentCode) {
    var status = document.getElementById("map");
    status.setAttribute("aria-busy", "true");
    fetch(config.choroplethUrl + "?" + query({ element: config.element, indicator: config.indicator, period: config.period, parent: parentCode,
                                               option: config.option, ratio: config.ratio,
                                               group: parentCode ? "" : config.group }), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (collection) { draw(collection, parentCode); })
      .catch(function () { document.getElementById("map-legend").textContent = labels.error; })
      .finally(function () { status.removeAttribute("aria-busy"); });
  }

  function draw(collection, parentCode) {
    var values = collection.features.map(function (f) { return f.properties.value; }).filter(function (v) { return v !== null; });
    var cuts = breaks(values, config.classification, PALETTE.length);
    if (unitsLayer) map.removeLayer(unitsLayer);
    unitsLayer = L.geoJSON(collection, {
      renderer: renderer,
      style: function (feature) {
        return {
          fillColor: colourFor(feature.properties.value, cuts), fillOpacity: 0.85, color: "#4a4a4a", weight: 1,
          className: "unit unit-" + feature.properties.code + (feature.properties.value === null ? " unit-nodata" : ""),
        };
      },
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, { radius: 7, renderer: renderer });
      },
      onEachFeature: function (feature, layer) {
        var p = feature.properties;
        layer.bindTooltip("<strong>" + escapeHtml(unitName(p)) + "</strong><br>" + escapeHtml(formatValue(p.value)) +
          (p.has_children ? '<br><small>' + escapeHtml(labels.drill) + "</small>" : ""), { sticky: true });
        layer.on("click", function () {
          selectUnit(p);
          if (p.has_children) load(p.code);
        });
      },
    }).addTo(map);
    var bounds = unitsLayer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10], animate: false });
    renderLegend(cuts, Boolean(config.element || config.indicator));
    renderBreadcrumb(collection.meta);
    renderTable(collection.features);
    rememberUnit(parentCode);
    if (collection.meta.parent) selectUnit(collection.meta.parent);
  }

  function selectUnit(unit) {
    document.getElementById("map-selected-title").textContent = unitName(unit);
    if (!(config.element || config.indicator) || !config.period) return;
    fetch(config.seriesUrl + "?" + query({ element: config.element, indicator: config.indicator, period: config.period, parent: unit.code,
                                          option: config.option, ratio: config.ratio }), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        withPlotly(function () {
          var chart = document.getElementById("map-chart");
          chart.innerHTML = "";
          Plotly.newPlot(chart, data.figure.data, data.figure.layout, { displayModeBar: false, responsive: true });
        });
      });
  }

  // plotly (386 KB gzipped) is fetched only when a chart is drawn: the map itself comes first on slow links.
  var plotlyReady = null;
  function withPlotly(draw) {
    if (window.Plotly) return draw();
    if (!plotlyReady) {
      plotlyReady = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = config.plotlyUrl;
        script.onload = resolve;
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    plotlyReady.then(draw, function () { plotlyReady = null; });
  }

  function popupHtml(properties) {
    var rows = Object.keys(properties).map(function (key) {
      return "<tr><th>" + escapeHtml(key) + "</th><td>" + escapeHtml(properties[key]) + "</td></tr>";
    });
    return '<table class="popup-table">' + rows.join("") + "</table>";
  }

  function toggleLayer(layer, on) {
    if (!on) {
      if (thematic[layer.id]) map.removeLayer(thematic[layer.id]);
      return;
    }
    if (thematic[layer.id]) { thematic[layer.id].addTo(map); return; }
    fetch(layer.url, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (collection) {
        thematic[layer.id] = L.geoJSON(collection, {
          pane: "thematic",
          style: function () { return { color: layer.colour, weight: 2, fillOpacity: 0.25 }; },
          pointToLayer: function (feature, latlng) {
            return L.circleMarker(latlng, { pane: "thematic", radius: 5, color: "#222", weight: 1, fillColor: layer.colour, fillOpacity: 0.9 });
          },
          onEachFeature: function (feature, item) { item.bindPopup(popupHtml(feature.properties)); },
        }).addTo(map);
      });
  }

  function loadLayers() {
    fetch(config.layersUrl, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (!data.layers.length) return;
        var box = document.getElementById("map-layers");
        box.innerHTML = data.layers.map(function (layer) {
          return '<label class="layer-toggle"><input type="checkbox" value="' + layer.id + '"> <span class="swatch" style="background:' +
            escapeHtml(layer.colour) + '"></span> ' + escapeHtml(layer.name) + "</label>";
        }).join("");
        box.querySelectorAll("input").forEach(function (input, index) {
          input.addEventListener("change", function () { toggleLayer(data.layers[index], input.checked); });
        });
      });
  }

  /* One measure at a time: choosing an indicator clears the element and vice versa (and the period). */
  /* A part or a ratio belongs to the element: a new measure clears both, and one clears the other. */
  var other = { id_element: "id_indicator", id_indicator: "id_element", id_option: "id_ratio", id_ratio: "id_option" };
  ["id_indicator", "id_element", "id_period", "id_classes", "id_option", "id_ratio"].forEach(function (id) {
    var select = document.getElementById(id);
    if (select) select.addEventListener("change", function () {
      if (other[id]) document.getElementById(other[id]).value = "";
      if (id === "id_element" || id === "id_indicator") {
        document.getElementById("id_period").value = "";
        ["id_option", "id_ratio"].forEach(function (part) { var field = document.getElementById(part); if (field) field.value = ""; });
      }
      document.getElementById("map-filters").submit();
    });
  });

  loadLayers();
  load(config.start);
})();
