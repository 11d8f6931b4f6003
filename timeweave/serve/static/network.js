/* /network: actors and the events they share, drawn as SVG with a small force layout (no library).
   Data from /network.json with the page's filters; a click on a line (or a row of the table) asks
   /network.json?a=ID&b=ID for the shared events and their quotes. Text goes in through textContent. */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var root = document.getElementById("network");
  if (!root) return;
  var detail = document.getElementById("net-detail");
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
  function svg(name, attrs, parent) {
    var n = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(n);
    return n;
  }
  function getJSON(url) {
    return fetch(url, {headers: {Accept: "application/json"}}).then(function (r) {
      return r.json().then(function (body) { if (!r.ok) throw new Error(body.error || r.statusText); return body; });
    });
  }

  function layout(nodes, edges, width, height) {
    /* Fruchterman-Reingold from a circle: deterministic, so the same data draws the same picture. */
    var n = nodes.length, k = Math.sqrt(width * height / Math.max(n, 1)) * 0.75, index = {};
    nodes.forEach(function (d, i) {
      index[d.id] = d;
      var angle = 2 * Math.PI * i / Math.max(n, 1);
      d.x = width / 2 + Math.cos(angle) * width * 0.35; d.y = height / 2 + Math.sin(angle) * height * 0.35;
    });
    var temp = width / 8;
    for (var it = 0; it < 250; it++) {
      nodes.forEach(function (d) { d.dx = 0; d.dy = 0; });
      for (var i = 0; i < n; i++) for (var j = i + 1; j < n; j++) {
        var a = nodes[i], b = nodes[j], x = a.x - b.x, y = a.y - b.y, dist = Math.sqrt(x * x + y * y) || 0.01;
        var force = k * k / dist;
        a.dx += x / dist * force; a.dy += y / dist * force; b.dx -= x / dist * force; b.dy -= y / dist * force;
      }
      edges.forEach(function (e) {
        var a = index[e.a], b = index[e.b], x = a.x - b.x, y = a.y - b.y, dist = Math.sqrt(x * x + y * y) || 0.01;
        var force = dist * dist / k * Math.min(3, 1 + Math.log(e.weight));
        a.dx -= x / dist * force; a.dy -= y / dist * force; b.dx += x / dist * force; b.dy += y / dist * force;
      });
      nodes.forEach(function (d) {
        d.dx += (width / 2 - d.x) * 0.6; d.dy += (height / 2 - d.y) * 0.6;  /* gravity: parts stay in view */
        var len = Math.sqrt(d.dx * d.dx + d.dy * d.dy) || 1;
        d.x += d.dx / len * Math.min(len, temp); d.y += d.dy / len * Math.min(len, temp);
        d.x = Math.max(20, Math.min(width - 140, d.x)); d.y = Math.max(20, Math.min(height - 20, d.y));
      });
      temp *= 0.985;
    }
    return index;
  }

  function showLink(a, b, line) {
    Array.prototype.forEach.call(root.querySelectorAll(".net-edge.sel"), function (l) { l.classList.remove("sel"); });
    if (line) line.classList.add("sel");
    detail.textContent = "";
    node("p", "Loading…", "muted", detail);
    getJSON("/network.json" + query({a: a, b: b})).then(function (data) {
      detail.textContent = "";
      var h = node("h3", null, null, detail);
      var first = node("a", data.link.a.name, null, h); first.href = "/entities/" + data.link.a.id;
      node("span", " and ", null, h);
      var second = node("a", data.link.b.name, null, h); second.href = "/entities/" + data.link.b.id;
      var list = node("ol", null, "link-events", detail);
      data.events.forEach(function (ev) {
        var li = node("li", null, null, list);
        var link = node("a", ev.label, null, li); link.href = "/events/" + ev.id;
        node("span", " " + (ev.edtf || "undated") + " · " + (ev.status || "").replace("_", " "), "muted", li);
        ev.quotes.forEach(function (q) {
          node("blockquote", q.quote, null, li);
          var cite = node("a", q.source, "src", li);
          cite.href = "/sources/" + encodeURIComponent(q.source) + "#c-" + q.start + "-" + q.end;
        });
      });
      if (!data.events.length) node("p", "No shared events match the filters.", "muted", detail);
    }).catch(function (err) { detail.textContent = ""; node("p", "Could not load the link: " + err.message, "error", detail); });
  }

  getJSON(root.getAttribute("data-source") + query()).then(function (data) {
    var width = root.clientWidth || 900, height = root.clientHeight || 560;
    var drawing = svg("svg", {width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img"}, root);
    if (!data.nodes.length) { node("p", "No two actors share an event here.", "muted", root); }
    var index = layout(data.nodes, data.edges, width, height);
    var maxWeight = Math.max.apply(null, data.edges.map(function (e) { return e.weight; }).concat([1]));
    data.edges.forEach(function (e) {
      var a = index[e.a], b = index[e.b];
      var group = svg("g", {"class": "net-link", "data-a": e.a, "data-b": e.b}, drawing);
      var hit = svg("line", {"class": "net-hit", x1: a.x, y1: a.y, x2: b.x, y2: b.y}, group);
      var line = svg("line", {"class": "net-edge", x1: a.x, y1: a.y, x2: b.x, y2: b.y,
                              "stroke-width": 1 + 5 * e.weight / maxWeight}, group);
      var title = svg("title", {}, hit);
      title.textContent = a.name + " — " + b.name + ": " + e.weight + " shared event" + (e.weight === 1 ? "" : "s");
      hit.addEventListener("click", function () { showLink(e.a, e.b, line); });
    });
    data.nodes.forEach(function (d) {
      var g = svg("g", {"class": "net-node t-" + d.type, "data-id": d.id}, drawing);
      svg("circle", {cx: d.x, cy: d.y, r: 4 + Math.min(12, Math.sqrt(d.weight) * 1.5)}, g);
      var label = svg("text", {x: d.x + 8, y: d.y + 4}, g);
      label.textContent = d.name;
    });
    Array.prototype.forEach.call(document.querySelectorAll("a.link-row"), function (row) {
      row.addEventListener("click", function (ev) {
        ev.preventDefault();
        var line = root.querySelector(".net-link[data-a='" + row.getAttribute("data-a") + "'][data-b='" + row.getAttribute("data-b") + "'] .net-edge");
        showLink(row.getAttribute("data-a"), row.getAttribute("data-b"), line);
      });
    });
    root.setAttribute("data-ready", "1");
  }).catch(function (err) { root.setAttribute("data-ready", "error"); node("p", "Could not draw the network: " + err.message, "error", detail); });
})();
