/* The progress page's charts, drawn as SVG from the numbers in #chart-data (made by
   psoas.services.charts: the same numbers as the tables under each chart). Redrawn to the width
   of the page, so a chart never scrolls sideways on a phone. No library, nothing downloaded. */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var DAY = 864e5;
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var PERIOD = { day: 1, week: 7, month: 30.44 };
  var source = document.getElementById("chart-data");
  if (!source) return;
  var charts = JSON.parse(source.textContent);

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }

  function dayNumber(iso) {
    var p = iso.split("-");
    return Date.UTC(+p[0], +p[1] - 1, +p[2]) / DAY;
  }

  function xTicks(x0, x1, most) {
    // [day number, label] at the starts of years, of every k-th month, or of every k-th day.
    var span = x1 - x0, out = [], k, d;
    var start = new Date(x0 * DAY);
    if (span > 730) {
      k = Math.max(1, Math.ceil(span / 365.25 / most));
      for (var y = start.getUTCFullYear() + 1; ; y += k) {
        d = Date.UTC(y, 0, 1) / DAY;
        if (d > x1) break;
        out.push([d, String(y)]);
      }
    } else if (span > 100) {
      k = [1, 2, 3, 6].filter(function (n) { return span / 30.44 / n <= most; })[0] || 12;
      for (var mo = start.getUTCMonth() + 1, yr = start.getUTCFullYear(); ; mo += k) {
        d = Date.UTC(yr, mo, 1) / DAY;
        if (d > x1) break;
        var at = new Date(d * DAY);
        out.push([d, MONTHS[at.getUTCMonth()] + (at.getUTCMonth() < k ? " " + at.getUTCFullYear() : "")]);
      }
    } else {
      k = [1, 2, 7, 14, 28].filter(function (n) { return span / n <= most; })[0] || 56;
      for (d = Math.ceil(x0); d <= x1; d += k) {
        var day = new Date(d * DAY);
        out.push([d, day.getUTCDate() + " " + MONTHS[day.getUTCMonth()]]);
      }
    }
    return out;
  }

  function niceTicks(lo, hi, most) {
    var raw = (hi - lo) / most;
    var mag = Math.pow(10, Math.floor(Math.log(raw) / Math.LN10));
    var step = mag;
    [1, 2, 5, 10].some(function (s) { step = s * mag; return step >= raw; });
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(+v.toFixed(6));
    return out;
  }

  function number(v) {
    return (Math.round(v * 10) / 10).toString();
  }

  function draw(box, c) {
    var width = Math.max(240, Math.floor(box.clientWidth));
    var height = Math.round(Math.min(260, Math.max(180, width * 0.5)));
    var m = { l: 30, r: 14, t: 16, b: 26 };
    var svg = el("svg", {
      viewBox: "0 0 " + width + " " + height, width: width, height: height,
      "class": "plot-svg", "aria-hidden": "true", focusable: "false"
    });
    var series = c.series.map(function (s) {
      return s.points.map(function (p) { return [dayNumber(p[0]), p[1]]; });
    });
    var all = [].concat.apply([], series);
    var period = PERIOD[c.step];
    var x0 = Math.min.apply(null, all.map(function (p) { return p[0]; }));
    var x1 = Math.max.apply(null, all.map(function (p) { return p[0]; }));
    if (c.kind === "bars") {
      x1 += period;
    } else if (x1 - x0 < 7) {
      var mid = (x0 + x1) / 2;
      x0 = mid - 3.5; x1 = mid + 3.5;
    }
    var y0 = c.y[0], y1 = c.y[1];
    var pw = width - m.l - m.r, ph = height - m.t - m.b;
    function sx(d) { return m.l + (d - x0) / (x1 - x0) * pw; }
    function sy(v) { return m.t + (1 - (v - y0) / (y1 - y0)) * ph; }

    if (c.band) {
      el("rect", { "class": "c-band", x: m.l, width: pw, y: sy(c.band[1]), height: sy(c.band[0]) - sy(c.band[1]) }, svg);
    }
    niceTicks(y0, y1, height < 200 ? 3 : 4).forEach(function (v) {
      el("line", { "class": "c-grid", x1: m.l, x2: width - m.r, y1: sy(v), y2: sy(v) }, svg);
      el("text", { "class": "c-tick", x: m.l - 6, y: sy(v) + 4, "text-anchor": "end" }, svg).textContent = number(v);
    });
    if (c.rule !== null && c.rule !== undefined) {
      el("line", { "class": "c-rule", x1: m.l, x2: width - m.r, y1: sy(c.rule), y2: sy(c.rule) }, svg);
    }

    // Dates along the bottom, on calendar boundaries (years, months or days), as many as fit.
    xTicks(x0, x1, Math.max(2, Math.floor(pw / 72))).forEach(function (t) {
      var x = sx(t[0]);
      if (x < m.l - 1 || x > width - m.r + 1) return;
      var anchor = x < m.l + 22 ? "start" : x > width - m.r - 22 ? "end" : "middle";
      el("line", { "class": "c-grid", x1: x, x2: x, y1: sy(y0), y2: sy(y0) + 4 }, svg);
      el("text", { "class": "c-tick", x: x, y: height - 7, "text-anchor": anchor }, svg).textContent = t[1];
    });

    if (c.kind === "bars") {
      var slot = pw * period / (x1 - x0);
      var bw = Math.max(1, slot * (slot > 8 ? 0.72 : 0.9));
      series[0].forEach(function (p, n) {
        var left = sx(p[0]) + (slot - bw) / 2;
        if (p[1] > 0) {
          el("rect", { "class": "c-col", x: left, width: bw, y: sy(p[1]), height: sy(0) - sy(p[1]), rx: Math.min(3, bw / 3) }, svg);
        }
        var asked = series[1][n];
        if (asked && asked[1] > 0) {
          el("line", { "class": "c-mark", x1: left - 1, x2: left + bw + 1, y1: sy(asked[1]), y2: sy(asked[1]) }, svg);
        }
      });
    } else {
      series.forEach(function (points, s) {
        if (!points.length) return;
        var d = points.map(function (p, n) { return (n ? "L" : "M") + sx(p[0]).toFixed(1) + " " + sy(p[1]).toFixed(1); });
        el("path", { "class": "c-line s" + s, d: d.join("") }, svg);
        var dots = points.length <= Math.max(12, pw / 10);
        points.forEach(function (p, n) {
          var last = n === points.length - 1;
          if (dots || last) {
            el("circle", { "class": "c-dot s" + s + (last ? " last" : ""), cx: sx(p[0]), cy: sy(p[1]), r: last ? 4.5 : 3 }, svg);
          }
        });
        var lastPoint = points[points.length - 1];
        var lx = sx(lastPoint[0]);
        var ly = sy(lastPoint[1]) - 9;
        if (ly < m.t) ly = sy(lastPoint[1]) + 18;
        el("text", {
          "class": "c-value s" + s, x: lx, y: ly,
          "text-anchor": lx > width - m.r - 20 ? "end" : "middle"
        }, svg).textContent = number(lastPoint[1]);
      });
    }
    el("line", { "class": "c-axis", x1: m.l, x2: width - m.r, y1: sy(y0), y2: sy(y0) }, svg);
    box.replaceChildren(svg);
  }

  var drawnWidth = -1;
  function drawAll() {
    var first = document.querySelector(".plot[data-chart]");
    if (first && first.clientWidth === drawnWidth) return;
    drawnWidth = first ? first.clientWidth : -1;
    charts.forEach(function (c) {
      var box = document.querySelector('.plot[data-chart="' + c.id + '"]');
      if (box && c.series.length && c.series[0].points.length) draw(box, c);
    });
  }
  drawAll();
  var timer = 0;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(drawAll, 120);
  });
})();
