/* The zoomable timeline. Asks /timeline.json for the visible window as the user zooms and pans:
   individual events when few, per-bin counts by status when many (those beginning in a bin, and
   below them those whose span covers it). Dates are intervals; an
   uncertain end fades out and is hatched, so no vague date is drawn as a false point. All data
   reaches the page through textContent and attributes, never innerHTML. */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var DAY = 86400000;
  var ROW = 30, LANE = 15, TOP = 40;
  var STATUSES = ["corroborated", "single_source", "contested"];
  var FILTERS = ["entity", "source", "kind", "type", "status", "from", "to"];
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var root = document.getElementById("timeline");
  if (!root) return;
  var note = document.getElementById("tl-status");
  var params = new URLSearchParams(window.location.search);
  var state = {start: null, end: null, data: null, ctrl: null, timer: null, fitted: false};
  var measure = document.createElement("canvas").getContext("2d");
  measure.font = "12px system-ui, -apple-system, 'Segoe UI', sans-serif";

  function pad(n, w) { var s = String(Math.abs(n)); while (s.length < w) s = "0" + s; return (n < 0 ? "-" : "") + s; }
  function utc(y, m, d) { var t = new Date(0); t.setUTCFullYear(y, m, d); t.setUTCHours(0, 0, 0, 0); return t.getTime(); }
  function day(s, end) {
    var m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(s || "");
    if (!m) return null;
    var y = +m[1];
    if (m[3]) return utc(y, +m[2] - 1, +m[3]);
    if (m[2]) return end ? utc(y, +m[2], 0) : utc(y, +m[2] - 1, 1);
    return end ? utc(y, 11, 31) : utc(y, 0, 1);
  }
  function iso(ms) { var d = new Date(ms); return pad(d.getUTCFullYear(), 4) + "-" + pad(d.getUTCMonth() + 1, 2) + "-" + pad(d.getUTCDate(), 2); }
  function human(s) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || "");
    return m ? (+m[3]) + " " + MONTHS[+m[2] - 1] + " " + m[1] : (s || "");
  }
  function el(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    for (var k in attrs) if (attrs[k] !== null && attrs[k] !== undefined) node.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(node);
    return node;
  }
  function text(parent, x, y, value, cls, anchor) {
    var t = el("text", {x: x, y: y, "class": cls, "text-anchor": anchor || null}, parent);
    t.textContent = value;
    return t;
  }
  function width() { return Math.max(320, root.clientWidth); }
  function X(ms) { return (ms - state.start) / (state.end - state.start) * width(); }
  function T(x) { return state.start + x / width() * (state.end - state.start); }

  /* Ticks: the finest calendar unit whose labels do not collide. */
  function ticks() {
    var span = state.end - state.start, px = width() / span;
    var steps = [[1, "d", 95], [7, "d", 95], [1, "m", 70], [3, "m", 70], [6, "m", 70],
      [1, "y", 48], [2, "y", 48], [5, "y", 48], [10, "y", 48], [20, "y", 48], [50, "y", 48], [100, "y", 48], [500, "y", 48]];
    var approx = {d: DAY, m: 30.44 * DAY, y: 365.25 * DAY};
    var step = steps[steps.length - 1];
    for (var i = 0; i < steps.length; i++) if (steps[i][0] * approx[steps[i][1]] * px >= steps[i][2]) { step = steps[i]; break; }
    var out = [], d = new Date(state.start), n = step[0], guard = 0;
    var y = d.getUTCFullYear(), mo = d.getUTCMonth(), t;
    if (step[1] === "y") { y = Math.floor(y / n) * n; t = utc(y, 0, 1); }
    else if (step[1] === "m") { mo = Math.floor(mo / n) * n; t = utc(y, mo, 1); }
    else t = utc(y, mo, d.getUTCDate());
    while (t <= state.end && guard++ < 400) {
      var dt = new Date(t), label;
      if (step[1] === "y") label = String(dt.getUTCFullYear());
      else if (step[1] === "m") label = MONTHS[dt.getUTCMonth()] + " " + dt.getUTCFullYear();
      else label = dt.getUTCDate() + " " + MONTHS[dt.getUTCMonth()] + " " + dt.getUTCFullYear();
      if (t >= state.start) out.push({t: t, label: label});
      if (step[1] === "y") { y += n; t = utc(y, 0, 1); }
      else if (step[1] === "m") { mo += n; t = utc(y, mo, 1); }
      else t += n * DAY;
    }
    return out;
  }

  function defs(svg) {
    var d = el("defs", {}, svg);
    STATUSES.concat(["lane"]).forEach(function (s) {
      [["l", [[0, 0], [0.45, 1]]], ["r", [[0.55, 1], [1, 0]]], ["b", [[0, 0.05], [0.35, 0.85], [0.65, 0.85], [1, 0.05]]]].forEach(function (g) {
        var lg = el("linearGradient", {id: "g-" + s + "-" + g[0]}, d);
        g[1].forEach(function (stop) { el("stop", {offset: stop[0], "class": "stop-" + s, "stop-opacity": stop[1]}, lg); });
      });
      var p = el("pattern", {id: "h-" + s, width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)"}, d);
      el("line", {x1: 0, y1: 0, x2: 0, y2: 6, "class": "hatch st-" + s}, p);
    });
  }

  /* One interval: solid when both ends are exact days, faded and hatched at each uncertain end. */
  function bar(parent, x0, x1, y, h, status, fuzzy) {
    var kind = fuzzy[0] && fuzzy[1] ? "b" : fuzzy[0] ? "l" : fuzzy[1] ? "r" : "";
    el("rect", {x: x0, y: y, width: Math.max(x1 - x0, 1), height: h, rx: 2, "class": "bar st-" + status + (kind ? " fuzzy" : ""),
      fill: kind ? "url(#g-" + status + "-" + kind + ")" : null}, parent);
    if (kind) el("rect", {x: x0, y: y, width: Math.max(x1 - x0, 1), height: h, "class": "hatched", fill: "url(#h-" + status + ")"}, parent);
  }

  function span(earliest, latest) {
    var a = X(day(earliest)), b = X(day(latest) + DAY);
    if (b - a < 6) { var c = (a + b) / 2; a = c - 3; b = c + 3; }
    return [a, b];
  }

  function drawEvents(svg, events) {
    var rows = [], W = width(), bottom = TOP;
    events.forEach(function (ev) {
      var ab = span(ev.earliest, ev.latest), lanes = ev.status === "contested" ? (ev.lanes || []) : [];
      var label = ev.label, lw = measure.measureText(label).width + 8, lx = Math.min(Math.max(ab[0], 2), Math.max(2, W - lw));
      var right = Math.max(ab[1], lx + lw);
      var laneGeo = lanes.map(function (l) {
        var g = span(l.earliest, l.latest), caption = l.source + ": " + (l.when_text || human(l.earliest));
        right = Math.max(right, g[1] + 6 + measure.measureText(caption).width * 0.9);
        return {g: g, caption: caption, lane: l};
      });
      var need = 1 + Math.ceil(lanes.length * LANE / ROW), r = 0;
      for (;; r++) {
        var free = true;
        for (var k = r; k < r + need; k++) if (rows[k] !== undefined && rows[k] > lx - 10) { free = false; break; }
        if (free) break;
      }
      for (k = r; k < r + need; k++) rows[k] = right;
      var y = TOP + r * ROW;
      var a = el("a", {href: "/events/" + ev.id, "class": "ev st-" + ev.status, "data-id": ev.id}, svg);
      var tip = el("title", {}, a);
      tip.textContent = ev.label + "\n" + (ev.edtf || "") + " (" + human(ev.earliest) + " – " + human(ev.latest) + ")\n" + (ev.when_reason || "") + "\n" + ev.status.replace("_", " ");
      text(a, lx, y + 11, label, "ev-label");
      bar(a, ab[0], ab[1], y + 15, 10, ev.status, ev.fuzzy || [true, true]);
      laneGeo.forEach(function (lg, i) {
        var ly = y + ROW + i * LANE - 2;
        bar(a, lg.g[0], lg.g[1], ly, 6, "lane", lg.lane.fuzzy || [true, true]);
        text(a, lg.g[1] + 5, ly + 7, lg.caption, "lane-label");
      });
      bottom = Math.max(bottom, y + need * ROW);
    });
    return bottom;
  }

  /* Many events: per bar, the events that begin in it, stacked by status above the baseline; below it,
     lighter and on a scale of its own, the events whose dated span covers the bar (`spread`), so a
     month-long or vague date shows over every bar it covers instead of only where it begins. */
  function drawBins(svg, bins) {
    var H = 240, S = 70, GAP = 6, max = 1, most = 1, spread = {};
    bins.forEach(function (b) { max = Math.max(max, b.total); most = Math.max(most, b.spread ? b.spread.total : 0); });
    STATUSES.forEach(function (s) { spread[s] = []; });
    var base = TOP + H, band = base + GAP;
    bins.forEach(function (b) {
      var x0 = X(day(b.start)), x1 = X(day(b.end) + DAY), y = base, w = Math.max(x1 - x0 - 1, 1), sp = b.spread || {total: 0};
      var g = el("g", {"class": "bin", "data-start": b.start, "data-end": b.end}, svg);
      var tip = el("title", {}, g);
      tip.textContent = human(b.start) + " – " + human(b.end) + ": " + b.total + " events begin (" +
        STATUSES.map(function (s) { return b[s] + " " + s.replace("_", " "); }).join(", ") + "); " +
        sp.total + " events span this period (" +
        STATUSES.map(function (s) { return (sp[s] || 0) + " " + s.replace("_", " "); }).join(", ") + "). Click to zoom in.";
      STATUSES.forEach(function (s) {
        var h = b[s] / max * H;
        if (h > 0) { y -= h; el("rect", {x: x0 + 0.5, y: y, width: w, height: h, "class": "bar st-" + s}, g); }
      });
      /* The band is one path per status for all bins (a few elements, not three per bin: the page
         redraws on every zoom step); each bin keeps a transparent target over its part for its tooltip. */
      var down = band;
      STATUSES.forEach(function (s) {
        var h = (sp[s] || 0) / most * S;
        if (h > 0) {
          spread[s].push("M" + (x0 + 0.5).toFixed(2) + " " + down.toFixed(2) + "h" + w.toFixed(2) + "v" + h.toFixed(2) +
            "h" + (-w).toFixed(2) + "z");
          down += h;
        }
      });
      if (sp.total) el("rect", {x: x0 + 0.5, y: band, width: w, height: S, fill: "transparent", "class": "bin-target"}, g);
      g.addEventListener("click", function () { zoomTo(day(b.start), day(b.end) + DAY); });
    });
    var layer = el("g", {"class": "spread-band", "pointer-events": "none"}, svg);
    STATUSES.forEach(function (s) {
      if (spread[s].length) el("path", {d: spread[s].join(""), "class": "bar spread st-" + s}, layer);
    });
    text(svg, 4, TOP + 12, max + " events begin in a bar at most", "axis-note");
    el("line", {x1: 0, x2: width(), y1: base, y2: base, "class": "baseline"}, svg);
    text(svg, 4, band + S + 14, "Lighter, below: events whose dates span each bar, " + most + " at most", "axis-note spread-note");
    return band + S + 20;
  }

  function render() {
    var svg = root.querySelector("svg");
    if (svg) svg.remove();
    if (state.start === null) return;
    var W = width();
    svg = el("svg", {width: W, height: 200, "class": "tl-svg", role: "img"});
    root.appendChild(svg);
    defs(svg);
    var grid = el("g", {"class": "axis"}, svg);
    var bottom = TOP + 40, data = state.data;
    if (data && data.mode === "bins") bottom = drawBins(svg, data.bins);
    else if (data) bottom = drawEvents(svg, data.events);
    var height = Math.max(bottom + 20, 260);
    svg.setAttribute("height", height);
    ticks().forEach(function (tk) {
      var x = X(tk.t);
      el("line", {x1: x, x2: x, y1: 22, y2: height, "class": "tick"}, grid);
      text(grid, x + 4, 16, tk.label, "tick-label");
    });
    el("line", {x1: 0, x2: W, y1: 24, y2: 24, "class": "axis-line"}, grid);
  }

  function describe() {
    var d = state.data;
    if (!d) return;
    var msg;
    if (d.start === null) msg = "No dated events match these filters.";
    else if (d.mode === "bins") msg = d.total + " events between " + human(iso(state.start)) + " and " + human(iso(state.end)) +
      ", counted per bar by status (above: those beginning there; lighter, below: those whose dates span it). Zoom in (or click a bar) to see individual events.";
    else msg = d.total + " event" + (d.total === 1 ? "" : "s") + " between " + human(iso(state.start)) + " and " + human(iso(state.end)) + ".";
    if (d.undated) msg += " " + d.undated + " undated (listed below).";
    note.textContent = msg;
  }

  function query() {
    var q = new URLSearchParams();
    FILTERS.forEach(function (f) { if (params.get(f)) q.set(f, params.get(f)); });
    return q;
  }

  function load(fit) {
    if (state.ctrl) state.ctrl.abort();
    state.ctrl = new AbortController();
    var q = query();
    if (!fit && state.start !== null) { q.set("start", iso(state.start)); q.set("end", iso(state.end)); }
    q.set("bins", String(Math.max(20, Math.floor(width() / 9))));
    q.set("max", "120");  /* more than this stacks too tall to read: show counts and let the user zoom */
    note.textContent = "Loading…";
    fetch(root.dataset.source + "?" + q.toString(), {signal: state.ctrl.signal, headers: {Accept: "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (d) {
        if (!d.ok) { note.textContent = d.error; return; }
        state.data = d;
        if ((fit || state.start === null) && d.start) {
          var a = day(d.start), b = day(d.end) + DAY, m = Math.max((b - a) * 0.05, 15 * DAY);
          state.start = a - m; state.end = b + m;
        }
        render(); describe(); remember();
        root.dataset.ready = "1";
      })
      .catch(function (e) { if (e.name !== "AbortError") note.textContent = "Could not load the timeline: " + e; });
  }

  function remember() {
    if (state.start === null) return;
    var q = new URLSearchParams(window.location.search);
    q.set("start", iso(state.start)); q.set("end", iso(state.end));
    window.history.replaceState(null, "", window.location.pathname + "?" + q.toString());
  }

  function zoomTo(a, b) {
    var min = 5 * DAY, max = 3000 * 365.25 * DAY;
    if (b - a < min) { var c = (a + b) / 2; a = c - min / 2; b = c + min / 2; }
    if (b - a > max) { c = (a + b) / 2; a = c - max / 2; b = c + max / 2; }
    state.start = a; state.end = b;
    render();
    clearTimeout(state.timer);
    state.timer = setTimeout(function () { load(false); }, 160);
  }
  function zoom(factor, at) {
    var t = at === undefined ? (state.start + state.end) / 2 : at;
    zoomTo(t - (t - state.start) * factor, t + (state.end - t) * factor);
  }

  root.addEventListener("wheel", function (e) {
    if (state.start === null) return;
    e.preventDefault();
    var rect = root.getBoundingClientRect();
    zoom(e.deltaY > 0 ? 1.3 : 1 / 1.3, T(e.clientX - rect.left));
  }, {passive: false});
  var drag = null;
  root.addEventListener("pointerdown", function (e) {
    if (state.start === null || e.button !== 0) return;
    drag = {x: e.clientX, start: state.start, end: state.end, moved: false};
  });
  window.addEventListener("pointermove", function (e) {
    if (!drag) return;
    var dx = e.clientX - drag.x;
    if (Math.abs(dx) > 3) drag.moved = true;
    if (!drag.moved) return;
    var shift = -dx / width() * (drag.end - drag.start);
    state.start = drag.start + shift; state.end = drag.end + shift;
    render();
  });
  window.addEventListener("pointerup", function () {
    if (drag && drag.moved) { zoomTo(state.start, state.end); root.dataset.dragged = "1"; }
    drag = null;
  });
  root.addEventListener("click", function (e) {
    if (root.dataset.dragged) { e.preventDefault(); e.stopPropagation(); delete root.dataset.dragged; }
  }, true);
  root.addEventListener("keydown", function (e) {
    var s = (state.end - state.start) * 0.2;
    if (e.key === "ArrowLeft") zoomTo(state.start - s, state.end - s);
    else if (e.key === "ArrowRight") zoomTo(state.start + s, state.end + s);
    else if (e.key === "+" || e.key === "=") zoom(1 / 1.5);
    else if (e.key === "-") zoom(1.5);
  });
  document.querySelectorAll("[data-zoom]").forEach(function (b) {
    b.addEventListener("click", function () {
      var how = b.dataset.zoom;
      if (state.start === null) return;
      if (how === "fit") load(true); else zoom(how === "in" ? 1 / 1.5 : 1.5);
    });
  });
  var resized = null;
  window.addEventListener("resize", function () { clearTimeout(resized); resized = setTimeout(render, 100); });

  var s0 = params.get("start") || params.get("from"), e0 = params.get("end") || params.get("to");
  if (s0 && e0 && day(s0) !== null && day(e0, true) !== null) { state.start = day(s0); state.end = day(e0, true) + DAY; }
  load(false);
})();
