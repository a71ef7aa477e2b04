/* Boundary map of an area: Leaflet on a plain background (no tile server is needed or contacted). */
(function () {
  "use strict";
  var el = document.getElementById("territory-map");
  if (!el || !window.L) { return; }
  var map = L.map(el, { zoomSnap: 0.25, attributionControl: true, zoomControl: false });
  L.control.zoom({ zoomInTitle: el.dataset.zoomIn, zoomOutTitle: el.dataset.zoomOut }).addTo(map);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Confini: ISTAT, openpolis (CC BY 4.0)");

  function load(url) {
    return fetch(url, { headers: { Accept: "application/geo+json" } }).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.json();
    });
  }
  function label(feature, layer) {
    if (feature.properties && feature.properties.name) {
      layer.bindTooltip(feature.properties.name, { sticky: true });
    }
  }
  var context = el.dataset.context ? load(el.dataset.context).catch(function () { return null; }) : Promise.resolve(null);
  Promise.all([load(el.dataset.geojson), context]).then(function (results) {
    var main = results[0], around = results[1];
    if (around) {
      L.geoJSON(around, {
        style: { color: "#8a8d90", weight: 1, fillColor: "#d9dadb", fillOpacity: 0.5 },
        onEachFeature: label, interactive: true
      }).addTo(map);
    }
    var layer = L.geoJSON(main, {
      style: { color: "#0066cc", weight: 3, fillColor: "#0066cc", fillOpacity: 0.18 },
      onEachFeature: label
    }).addTo(map);
    map.fitBounds(layer.getBounds(), { padding: [12, 12] });
    el.setAttribute("data-ready", "1");
  }).catch(function () {
    el.textContent = "La mappa non è disponibile in questo momento.";
  });
})();
