/* The dashboards' charts. Their data come with the page (json_script "insights-charts", shaped by
   insights/charts.py); columns and bars are drawn with Chart.js (vendored), the map of regions as SVG from the
   deployment's map file. Numbers and dates follow the page's language (Intl). Every box carries data-chart (kind)
   and data-chart-id (its key in the data); once drawn, data-rendered = how many marks it drew. */
(function () {
  "use strict";
  var source = document.getElementById("insights-charts");
  var data = source ? JSON.parse(source.textContent) : {};
  var lang = data.locale || document.documentElement.lang || "en";
  var nf = new Intl.NumberFormat(lang, {maximumFractionDigits: 1});
  var dayFmt = new Intl.DateTimeFormat(lang, {day: "numeric", month: "short", timeZone: "UTC"});
  var monthFmt = new Intl.DateTimeFormat(lang, {month: "short", year: "numeric", timeZone: "UTC"});
  var css = getComputedStyle(document.documentElement);
  var PRIMARY = (css.getPropertyValue("--primary") || "").trim() || "#0b5394";
  var LINE = "#9a4a00";                       /* 5.9:1 on white */
  var INK = "#333333", GRID = "#d9dde3";
  /* Sequential blues (ColorBrewer "Blues"), lightest for the least. */
  var SCALE = ["#deebf7", "#9ecae1", "#4292c6", "#2171b5", "#08306b"];
  var NONE = "#eef0f3", OTHER = "#e3e6ea", HIGHLIGHT = PRIMARY;

  function fmt(v) { return nf.format(v); }
  function dayLabel(iso, grain) {
    var d = new Date(iso + "T00:00:00Z");
    return (grain === "m" ? monthFmt : dayFmt).format(d);
  }
  function chartDefaults() {
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.color = INK;
    Chart.defaults.locale = lang;
    Chart.defaults.animation = false;
    Chart.defaults.maintainAspectRatio = false;
  }

  function series(box, c) {
    var canvas = box.querySelector("canvas");
    var labels = c.days.map(function (d) { return dayLabel(d, c.grain); });
    var sets = [{type: "bar", label: box.dataset.barLabel, data: c.values, backgroundColor: PRIMARY,
                 maxBarThickness: 48, yAxisID: "y", order: 2}];
    var scales = {x: {grid: {display: false}, ticks: {maxRotation: 0, autoSkipPadding: 12}},
                  y: {beginAtZero: true, grid: {color: GRID}, ticks: {callback: fmt, precision: c.metric === "sec" ? 1 : 0}}};
    if (c.cumulative && box.dataset.lineLabel) {
      sets.push({type: "line", label: box.dataset.lineLabel, data: c.cumulative, borderColor: LINE,
                 backgroundColor: LINE, borderWidth: 2, pointRadius: c.values.length > 40 ? 0 : 2, yAxisID: "y1",
                 order: 1});
      scales.y1 = {position: "right", beginAtZero: true, grid: {display: false}, ticks: {callback: fmt, precision: 0}};
    }
    box.classList.add("chart-series");
    new Chart(canvas, {type: "bar", data: {labels: labels, datasets: sets}, options: {
      locale: lang, interaction: {mode: "index", intersect: false}, scales: scales,
      plugins: {legend: {display: sets.length > 1, position: "bottom",
                         labels: {sort: function (a, b) { return a.datasetIndex - b.datasetIndex; }}},
                tooltip: {callbacks: {label: function (ctx) { return ctx.dataset.label + ": " + fmt(ctx.parsed.y); }}}}}});
    return c.values.length;
  }

  function bars(box, c) {
    var canvas = box.querySelector("canvas");
    box.style.height = Math.max(c.values.length * 26 + 40, 80) + "px";
    var most = box.clientWidth < 500 ? 18 : 30;
    var short = c.labels.map(function (l) { return l.length > most ? l.slice(0, most - 1) + "…" : l; });
    var links = c.links || [];
    new Chart(canvas, {type: "bar", data: {labels: short, datasets: [{label: box.dataset.barLabel, data: c.values,
      backgroundColor: PRIMARY, maxBarThickness: 20}]}, options: {
      locale: lang, indexAxis: "y", interaction: {mode: "nearest", axis: "y", intersect: false},
      scales: {x: {beginAtZero: true, grid: {color: GRID}, ticks: {callback: fmt, precision: 0}},
               y: {grid: {display: false}, ticks: {autoSkip: false}}},
      plugins: {legend: {display: false},
                tooltip: {callbacks: {title: function (items) { return c.labels[items[0].dataIndex]; },
                                      label: function (ctx) { return ctx.dataset.label + ": " + fmt(ctx.parsed.x); }}}},
      onHover: function (e, els) { canvas.style.cursor = els.length && links.length ? "pointer" : "default"; },
      onClick: function (e, els) { if (els.length && links[els[0].index]) { location.href = links[els[0].index]; } }}});
    return c.values.length;
  }

  /* --- the map of regions ------------------------------------------------------------------------------ */

  function bins(max) {
    /* Five classes: none, then four equal steps up to the largest value (rounded to a round number). */
    if (max <= 0) { return []; }
    var step = Math.pow(10, Math.floor(Math.log10(max / 4 || 1)));
    var quarter = Math.max(Math.ceil(max / 4 / step) * step, max < 4 ? 1 : 0);
    return [quarter, quarter * 2, quarter * 3, quarter * 4];
  }
  function classOf(v, edges) {
    if (!v) { return 0; }
    for (var i = 0; i < edges.length; i++) { if (v <= edges[i]) { return i + 1; } }
    return edges.length;
  }

  function map(box, c, shapes) {
    var NS = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", shapes.viewBox);
    svg.setAttribute("role", "group");
    svg.setAttribute("aria-label", box.dataset.label + ". " + box.dataset.keys);
    var byCode = {};
    c.rows.forEach(function (r) { byCode[r.code] = r; });
    var section = box.closest(".region-map");
    var legend = section.querySelector(".map-legend");
    var summary = section.querySelector("[data-summary]");
    var select = section.querySelector("[data-map-metric]");
    var tip = box.querySelector(".map-tip");
    var names = {};
    c.metrics.forEach(function (m) { names[m.key] = m.name; });
    var paths = [];
    shapes.regions.forEach(function (s) {
      var p = document.createElementNS(NS, "path");
      p.setAttribute("d", s.d);
      p.dataset.region = s.code;
      p.setAttribute("tabindex", "-1");
      p.setAttribute("role", "img");
      svg.appendChild(p);
      if (byCode[s.code] || !c.highlight) { paths.push(p); }
    });
    /* Keyboard: one tab stop; the arrow keys go from region to region in the table's order. */
    var order = c.rows.map(function (r) { return r.code; });
    paths.sort(function (a, b) { return order.indexOf(a.dataset.region) - order.indexOf(b.dataset.region); });
    paths = paths.filter(function (p) { return byCode[p.dataset.region]; });
    if (paths.length) { paths[0].setAttribute("tabindex", "0"); }
    box.insertBefore(svg, tip);

    function text(code, metric) {
      var r = byCode[code];
      return r ? r.name + ": " + names[metric] + " " + r.texts[metric] : "";
    }
    function paint(metric) {
      var edges = bins(Math.max.apply(null, c.rows.map(function (r) { return r.values[metric]; }).concat([0])));
      svg.querySelectorAll("path").forEach(function (p) {
        var r = byCode[p.dataset.region];
        var fill;
        if (c.highlight) { fill = r ? HIGHLIGHT : OTHER; } else { fill = r ? SCALE[classOf(r.values[metric], edges)] : NONE; }
        p.setAttribute("fill", fill);
        p.classList.toggle("on", Boolean(r));
        if (r) { p.setAttribute("aria-label", text(r.code, metric)); } else {
          p.removeAttribute("aria-label");
          p.removeAttribute("role");
          p.setAttribute("aria-hidden", "true");
        }
      });
      legend.textContent = "";
      var items = c.highlight ? [[HIGHLIGHT, c.rows[0] ? c.rows[0].name : ""]] :
        [[SCALE[0], "0"]].concat(edges.map(function (e, i) {
          var low = (i ? edges[i - 1] : 0) + (metric === "sec" ? 0.1 : 1);
          return [SCALE[i + 1], low >= e ? fmt(e) : fmt(low) + "–" + fmt(e)];
        }));
      items.forEach(function (it) {
        var li = document.createElement("li");
        var sw = document.createElement("span");
        sw.className = "swatch";
        sw.style.background = it[0];
        li.appendChild(sw);
        li.appendChild(document.createTextNode(it[1]));
        legend.appendChild(li);
      });
      if (summary && c.summaries && !c.highlight) { summary.textContent = c.summaries[metric]; }
    }
    function show(p, evt) {
      var r = byCode[p.dataset.region];
      if (!r) { tip.hidden = true; return; }
      tip.textContent = text(r.code, c.metric);
      tip.hidden = false;
      var boxRect = box.getBoundingClientRect();
      var x, y;
      if (evt && evt.clientX !== undefined) { x = evt.clientX - boxRect.left; y = evt.clientY - boxRect.top; } else {
        var pr = p.getBoundingClientRect();
        x = pr.left + pr.width / 2 - boxRect.left; y = pr.top + pr.height / 2 - boxRect.top;
      }
      var left = Math.min(Math.max(x + 12, 0), boxRect.width - tip.offsetWidth - 4);
      tip.style.left = Math.max(left, 0) + "px";
      tip.style.top = Math.max(y - tip.offsetHeight - 10, 0) + "px";
    }
    svg.addEventListener("mousemove", function (e) { if (e.target.dataset && e.target.dataset.region) { show(e.target, e); } });
    svg.addEventListener("mouseleave", function () { if (!svg.contains(document.activeElement)) { tip.hidden = true; } });
    svg.addEventListener("focusin", function (e) { show(e.target); });
    svg.addEventListener("focusout", function () { tip.hidden = true; });
    svg.addEventListener("keydown", function (e) {
      var at = paths.indexOf(e.target);
      if (at < 0) { return; }
      var next = {ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0,
                  End: paths.length - 1}[e.key];
      if (next === undefined) { return; }
      e.preventDefault();
      next = (next + paths.length) % paths.length;
      e.target.setAttribute("tabindex", "-1");
      paths[next].setAttribute("tabindex", "0");
      paths[next].focus();
    });
    if (select) {
      select.addEventListener("change", function () { c.metric = select.value; paint(c.metric); });
    }
    paint(c.metric);
    return svg.querySelectorAll("path.on").length;
  }

  /* --- drawing ----------------------------------------------------------------------------------------- */

  function done(box, n) { box.dataset.rendered = String(n); }
  function fail(box) {
    var note = document.createElement("p");
    note.className = "helptext";
    note.textContent = box.dataset.error || "—";
    box.appendChild(note);
    box.dataset.rendered = "error";
  }

  function fromApi(box) {
    /* A chart opened on demand (a course's drop-off by module): its data come from the JSON API. */
    return fetch(box.dataset.src, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (d) {
        var rows = d.rows || d.modules || [];
        var key = box.dataset.value || "value", name = box.dataset.name || "name";
        var c = {labels: rows.map(function (r) { return r[name] || ""; }),
                 values: rows.map(function (r) { return r[key]; }), links: []};
        var table = document.createElement("table");
        table.className = "data";
        var head = table.createTHead().insertRow();
        [box.dataset.nameLabel, box.dataset.barLabel].forEach(function (t, i) {
          var th = document.createElement("th");
          th.scope = "col";
          th.textContent = t || "";
          if (i) { th.className = "num"; }
          head.appendChild(th);
        });
        var body = table.createTBody();
        c.labels.forEach(function (l, i) {
          var tr = body.insertRow();
          var th = document.createElement("th");
          th.scope = "row";
          th.textContent = l;
          tr.appendChild(th);
          var td = tr.insertCell();
          td.className = "num";
          td.textContent = fmt(c.values[i]);
        });
        box.after(table);
        return bars(box, c);
      });
  }

  var shapesOnce = null;
  function shapes(url) {
    if (!shapesOnce) {
      shapesOnce = fetch(url, {headers: {Accept: "application/json"}})
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
    }
    return shapesOnce;
  }

  function load(box) {
    var kind = box.dataset.chart;
    var c = data[box.dataset.chartId];
    try {
      if (kind === "map") {
        shapes(box.dataset.src).then(function (s) { done(box, map(box, c, s)); }).catch(function () { fail(box); });
        return;
      }
      if (typeof Chart === "undefined") { fail(box); return; }
      chartDefaults();
      if (box.dataset.lazy) { fromApi(box).then(function (n) { done(box, n); }).catch(function () { fail(box); }); return; }
      if (!c) { fail(box); return; }
      if (!c.values.length) { box.classList.add("chart-empty"); done(box, 0); return; }
      done(box, kind === "series" ? series(box, c) : bars(box, c));
    } catch (e) {
      fail(box);
    }
  }

  window.sakshamCharts = {load: load};
  document.querySelectorAll("[data-chart]:not([data-lazy])").forEach(load);
  // A lazy chart inside a <details> (a course's drop-off by module) is drawn when it is first opened.
  document.querySelectorAll("details").forEach(function (d) {
    d.addEventListener("toggle", function () {
      var box = d.querySelector("[data-lazy]");
      if (d.open && box && !box.dataset.rendered) { load(box); }
    });
  });
})();
