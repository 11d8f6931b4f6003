/* /map: an offline Leaflet map. The basemap is the vendored Natural Earth 1:110m countries (TopoJSON),
   the places come from /map.json with the page's filters, and a click on a place asks
   /map.json?place=ID for its events and quotes. Text reaches the page only through textContent. */
(function () {
  "use strict";
  var root = document.getElementById("map");
  if (!root || !window.L || !window.topojson) return;
  var detail = document.getElementById("map-detail");
  var FILTERS = ["entity", "source", "kind", "type", "status", "from", "to"];
  var params = new URLSearchParams(window.location.search);

  function query(extra) {
    var q = new URLSearchParams();
    FILTERS.forEach(function (f) { if (params.get(f)) q.set(f, params.get(f)); });
    Object.keys(extra || {}).forEach(function (k) { q.set(k, extra[k]); });
    var s = q.toString();
    return s ? "?" + s : "";
  }
  function node(tag, text, cls, parent) {
    var n = document.createElement(tag);
    if (text !== null && text !== undefined) n.textContent = text;
    if (cls) n.className = cls;
    if (parent) parent.appendChild(n);
    return n;
  }
  function getJSON(url) {
    return fetch(url, {headers: {Accept: "application/json"}}).then(function (r) {
      return r.json().then(function (body) { if (!r.ok) throw new Error(body.error || r.statusText); return body; });
    });
  }

  var map = L.map(root, {worldCopyJump: true, minZoom: 1, maxZoom: 10, zoomSnap: 0.5}).setView([25, 20], 2);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Countries: Natural Earth 1:110m (public domain) · Leaflet");

  function showPlace(place) {
    detail.textContent = "";
    node("h3", place.name, null, detail);
    node("p", "Loading…", "muted", detail);
    getJSON("/map.json" + query({place: place.id})).then(function (data) {
      detail.textContent = "";
      var h = node("h3", null, null, detail);
      var a = node("a", data.place.name, null, h);
      a.href = "/entities/" + data.place.entity;
      node("p", data.place.how, "src", detail);
      if (!data.events.length) { node("p", "No events located here match the filters.", "muted", detail); return; }
      var list = node("ol", null, "place-events", detail);
      data.events.forEach(function (ev) {
        var li = node("li", null, null, list);
        var link = node("a", ev.label, null, li);
        link.href = "/events/" + ev.id;
        node("span", " " + (ev.edtf || "undated") + " · " + (ev.status || "").replace("_", " "), "muted", li);
        ev.quotes.forEach(function (q) {
          var bq = node("blockquote", q.quote, null, li);
          var cite = node("a", q.source, "src", li);
          cite.href = "/sources/" + encodeURIComponent(q.source) + "#c-" + q.start + "-" + q.end;
          bq.setAttribute("data-source", q.source);
        });
      });
    }).catch(function (err) { detail.textContent = ""; node("p", "Could not load the place: " + err.message, "error", detail); });
  }

  var basemap = getJSON(root.getAttribute("data-basemap")).then(function (topo) {
    var countries = topojson.feature(topo, topo.objects.countries);
    L.geoJSON(countries, {style: function () { return {className: "country", color: "#b9b4a8", weight: 0.6, fillColor: "#f4f1ea", fillOpacity: 1}; },
                          interactive: false}).addTo(map);
  });
  var places = getJSON(root.getAttribute("data-source") + query()).then(function (data) {
    var bounds = [];
    data.places.forEach(function (p) {
      var marker = L.circleMarker([p.lat, p.lon], {
        radius: p.events ? 5 + 3 * Math.sqrt(p.events) : 3.5, className: "place-dot", color: p.events ? "#7a1f1f" : "#777", weight: 1,
        fillColor: p.events ? "#c0392b" : "#999", fillOpacity: 0.75});
      var label = document.createElement("span");
      label.textContent = p.name + " (" + p.events + " event" + (p.events === 1 ? "" : "s") + ")";
      marker.bindTooltip(label);
      marker.on("click", function () { showPlace(p); });
      marker.addTo(map);
      marker.getElement().setAttribute("data-place", p.id);
      bounds.push([p.lat, p.lon]);
    });
    if (bounds.length) map.fitBounds(bounds, {padding: [40, 40], maxZoom: 5});
    root.setAttribute("data-places", String(bounds.length));
  });
  Promise.all([basemap, places]).then(function () { root.setAttribute("data-ready", "1"); })
    .catch(function (err) { root.setAttribute("data-ready", "error"); node("p", "Could not draw the map: " + err.message, "error", detail); });
})();
