/* Atlas pages: Vega-Lite charts (vega-embed, SVG) and Leaflet choropleths, no external assets. */
(function () {
  "use strict";

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function renderCharts(root) {
    var nodes = (root || document).querySelectorAll("[data-vega-spec]");
    var jobs = [];
    nodes.forEach(function (el) {
      if (el.dataset.rendered) { return; }
      var spec = readJSON(el.dataset.vegaSpec);
      if (!spec || !window.vegaEmbed) { return; }
      el.dataset.rendered = "1";
      jobs.push(window.vegaEmbed(el, spec, { actions: false, renderer: "svg", tooltip: { theme: "light" } })
        .then(function (result) {
          var svg = el.querySelector("svg");
          if (svg) {
            svg.setAttribute("role", "img");
            svg.setAttribute("aria-label", spec.description || "");
          }
          el.setAttribute("data-ready", "1");
          return result;
        })
        .catch(function () {
          el.textContent = el.dataset.errorText || "Grafico non disponibile: i dati sono nella tabella.";
        }));
    });
    return Promise.all(jobs);
  }

  function legendHTML(cls, missingLabel) {
    var items = cls.classes.map(function (c) {
      return '<li><span class="atlas-swatch" style="background:' + c.colour + '" aria-hidden="true"></span>' +
        c.label + ' <span class="text-muted">(' + c.count + ')</span></li>';
    });
    items.push('<li><span class="atlas-swatch atlas-swatch-missing" style="background:' + cls.missing_colour +
      '" aria-hidden="true"></span>' + missingLabel + '</li>');
    return items.join("");
  }

  function renderMap(el) {
    if (!el || !window.L) { return Promise.resolve(); }
    var values = readJSON(el.dataset.values) || {};
    var classifications = readJSON(el.dataset.classes) || {};
    var legend = document.getElementById(el.dataset.legend);
    var missingLabel = el.dataset.missingLabel || "Non disponibile";
    var method = el.dataset.method || "quantili";
    var map = L.map(el, { zoomSnap: 0.25, attributionControl: true, zoomControl: true, keyboard: true });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Confini: ISTAT, openpolis (CC BY 4.0)");
    var layer = null;

    function styleFor(feature) {
      var cls = classifications[method];
      var idx = cls ? cls.assignment[feature.properties.code] : null;
      var fill = (idx === null || idx === undefined) ? cls.missing_colour : cls.classes[idx].colour;
      var highlight = feature.properties.code === el.dataset.highlight;
      return { color: highlight ? "#000" : "#5d7083", weight: highlight ? 3 : 0.6, fillColor: fill, fillOpacity: 0.85 };
    }
    function apply(newMethod) {
      method = newMethod;
      if (layer) { layer.setStyle(styleFor); }
      if (legend && classifications[method]) { legend.innerHTML = legendHTML(classifications[method], missingLabel); }
      el.dataset.method = method;
    }
    document.querySelectorAll("input[name=classi][data-map='" + el.id + "']").forEach(function (input) {
      input.addEventListener("change", function () { if (input.checked) { apply(input.value); } });
    });
    return fetch(el.dataset.geometry, { headers: { Accept: "application/geo+json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (geo) {
        // Many areas (all the comuni of a region): one canvas instead of thousands of SVG paths.
        var many = geo.features.length > 300;
        layer = L.geoJSON(geo, {
          renderer: many ? L.canvas({ padding: 0.2 }) : undefined,
          style: styleFor,
          onEachFeature: function (f, l) {
            var v = values[f.properties.code];
            var t = f.properties.name + ": " + (v ? v.t : missingLabel) + (v && v.c ? " (" + v.c + ")" : "");
            l.bindTooltip(t, { sticky: true });
          }
        }).addTo(map);
        map.fitBounds(layer.getBounds(), { padding: [8, 8] });
        apply(method);
        el.setAttribute("data-features", String(geo.features.length));
        el.setAttribute("data-ready", "1");
      })
      .catch(function () { el.textContent = el.dataset.errorText || "Mappa non disponibile: i valori sono nella tabella."; });
  }

  function init(root) {
    var charts = renderCharts(root);
    var maps = Array.prototype.map.call((root || document).querySelectorAll(".atlas-map[data-geometry]"), renderMap);
    Promise.all([charts].concat(maps)).then(function () { document.body.setAttribute("data-atlas-ready", "1"); });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (e) { renderCharts(e.target); });
})();
