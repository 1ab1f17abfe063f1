/* Charts of the dashboards, drawn from the same JSON API the pages offer (/api/v1/insights/...).
   Small hand-written SVG: columns for a series (with the running total as a line), ranked horizontal bars.
   Each chart box has data-chart (kind) and data-src (API address); once drawn, data-rendered = marks drawn. */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  // Numbers as the page writes them: the UI language in the deployment's country (the script's data-locale,
  // e.g. "gu-IN"), else the page's language.
  var script = document.currentScript;
  var locale = [(script && script.dataset.locale) || document.documentElement.lang || "en",
                document.documentElement.lang || "en"];

  function el(tag, attrs, parent, text) {
    var n = document.createElementNS(NS, tag);
    for (var k in attrs) { n.setAttribute(k, attrs[k]); }
    if (text !== undefined) { n.textContent = text; }
    if (parent) { parent.appendChild(n); }
    return n;
  }
  function fmt(v) { return Number(v).toLocaleString(locale); }
  function svg(box, w, h) {
    box.textContent = "";
    return el("svg", {viewBox: "0 0 " + w + " " + h, preserveAspectRatio: "xMidYMid meet", "aria-hidden": "true"}, box);
  }

  function series(box, data) {
    var pts = data.points || [];
    var W = 640, H = 220, L = 48, B = 24, T = 8;
    var s = svg(box, W, H);
    if (!pts.length) { el("text", {x: L, y: H / 2}, s, box.dataset.empty || "—"); box.dataset.rendered = "0"; return; }
    var max = Math.max.apply(null, pts.map(function (p) { return p.value; })) || 1;
    var cum = pts[0].cumulative !== undefined;
    var maxc = cum ? pts[pts.length - 1].cumulative || 1 : 1;
    var bw = (W - L - 8) / pts.length;
    pts.forEach(function (p, i) {
      var h = (H - B - T) * p.value / max;
      var r = el("rect", {"class": "bar", x: L + i * bw + bw * 0.1, y: H - B - h, width: Math.max(bw * 0.8, 1), height: h}, s);
      el("title", {}, r, p.day + ": " + fmt(p.value) + (cum ? " (" + fmt(p.cumulative) + ")" : ""));
    });
    if (cum) {
      var d = pts.map(function (p, i) {
        return (i ? "L" : "M") + (L + i * bw + bw / 2).toFixed(1) + " " + (H - B - (H - B - T) * p.cumulative / maxc).toFixed(1);
      }).join(" ");
      el("path", {"class": "line", d: d}, s);
      el("text", {x: W - 4, y: T + 10, "text-anchor": "end"}, s, fmt(maxc));
    }
    el("text", {x: L - 4, y: T + 10, "text-anchor": "end"}, s, fmt(max));
    el("text", {x: L - 4, y: H - B, "text-anchor": "end"}, s, "0");
    el("text", {x: L, y: H - 6}, s, pts[0].day);
    el("text", {x: W - 4, y: H - 6, "text-anchor": "end"}, s, pts[pts.length - 1].day);
    box.dataset.rendered = String(pts.length);
  }

  function bars(box, data) {
    var rows = (data.rows || data.modules || []).slice(0, Number(box.dataset.limit || 40));
    var key = box.dataset.value || "value";
    var W = 640, row = 22, LBL = 200;
    var s = svg(box, W, Math.max(row * rows.length + 4, 30));
    if (!rows.length) { el("text", {x: 4, y: 18}, s, box.dataset.empty || "—"); box.dataset.rendered = "0"; return; }
    var max = Math.max.apply(null, rows.map(function (r) { return r[key]; })) || 1;
    var href = box.dataset.href || "";
    rows.forEach(function (r, i) {
      var y = i * row + 2;
      var parent = s;
      if (href && r.id) { parent = el("a", {href: href.replace("ORG", r.id)}, s); }
      var name = r.name || r.title || "";
      el("text", {x: LBL - 6, y: y + 15, "text-anchor": "end"}, parent, name.length > 30 ? name.slice(0, 29) + "…" : name);
      var w = (W - LBL - 70) * r[key] / max;
      var rect = el("rect", {"class": "bar", x: LBL, y: y + 3, width: Math.max(w, 1), height: row - 6}, parent);
      el("title", {}, rect, name + ": " + fmt(r[key]));
      el("text", {x: LBL + w + 4, y: y + 15}, parent, fmt(r[key]) + (r.share !== undefined ? " (" + r.share + "%)" : ""));
    });
    box.dataset.rendered = String(rows.length);
  }

  var draw = {series: series, bars: bars};

  function load(box) {
    fetch(box.dataset.src, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (d) { draw[box.dataset.chart](box, d); })
      .catch(function () { box.textContent = box.dataset.error || "Chart unavailable"; box.dataset.rendered = "error"; });
  }
  window.sakshamCharts = {load: load};
  document.querySelectorAll("[data-chart]").forEach(load);
})();
