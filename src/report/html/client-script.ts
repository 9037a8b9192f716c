// The page's own script: draws each chart spec (chart-data.ts) with uPlot into its <figure>, marks the
// warmup and the stages on time axes, and labels the distribution's log axis in percentiles. It lists
// what it drew in `window.loadhttpCharts` (id, points, series labels and data) for tests and the curious.
// Plain ES2017 in a string (the page runs it as is); it must not contain a closing script tag.
export const CLIENT_SCRIPT = String.raw`(function () {
  'use strict';
  var spec = JSON.parse(document.getElementById('loadhttp-data').textContent);
  var palette = ['#1f6fb4', '#d1422f', '#2b9a4a', '#e08a12', '#7d4fb0', '#8c564b', '#d0509a', '#179aa8'];
  var drawn = (window.loadhttpCharts = []);
  var ratio = window.devicePixelRatio || 1;

  // x = 1/(1-p) -> "99.9%"
  function percentileLabel(x) {
    var p = (1 - 1 / x) * 100;
    if (p <= 0) return '0%';
    var decimals = Math.max(0, Math.ceil(Math.log10(x) - 1e-9) - 1);
    return parseFloat(p.toFixed(decimals)) + '%';
  }
  function powersOfTen(u, axis, min, max) {
    var out = [];
    for (var v = 1; v <= max * 1.0001; v *= 10) if (v >= min / 1.0001) out.push(v);
    return out;
  }
  function decorate(u, chart) {
    var ctx = u.ctx, top = u.bbox.top, height = u.bbox.height;
    ctx.save();
    ctx.font = 11 * ratio + 'px sans-serif';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'alphabetic';
    chart.bands.forEach(function (band) {
      var left = u.valToPos(band.from, 'x', true), right = u.valToPos(band.to, 'x', true);
      ctx.fillStyle = 'rgba(120, 120, 120, 0.15)';
      ctx.fillRect(left, top, right - left, height);
      ctx.fillStyle = '#555';
      ctx.fillText(band.label, left + 4 * ratio, top + 12 * ratio);
    });
    chart.marks.forEach(function (mark, i) {
      var x = u.valToPos(mark.x, 'x', true);
      ctx.strokeStyle = '#999';
      ctx.setLineDash([4 * ratio, 4 * ratio]);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      ctx.fillStyle = '#555';
      // A label that would pass the plot's right edge goes left of its line.
      var width = ctx.measureText(mark.label).width;
      var at = x + 4 * ratio + width > u.bbox.left + u.bbox.width ? x - 4 * ratio - width : x + 4 * ratio;
      ctx.fillText(mark.label, at, top + (24 + 12 * (i % 3)) * ratio);
    });
    ctx.restore();
  }
  function draw(chart) {
    var box = document.getElementById(chart.id);
    var distribution = chart.kind === 'distribution';
    var right = chart.series.some(function (s) { return s.axis === 1; });
    var series = [{ label: distribution ? 'percentile' : 'second', value: function (u, v) {
      return v == null ? '-' : distribution ? percentileLabel(v) : 't=' + v + ' s';
    } }];
    chart.series.forEach(function (s, i) {
      series.push({
        label: s.label,
        stroke: palette[i % palette.length],
        width: 1.5,
        dash: s.dash ? [6, 4] : undefined,
        scale: s.axis === 1 ? 'y2' : 'y',
        spanGaps: false,
        value: function (u, v) { return v == null ? '-' : v + ' ' + chart.axes[s.axis]; },
      });
    });
    var axes = [
      distribution
        ? { label: 'percentile (log scale of 1/(1-p))', splits: powersOfTen, values: function (u, splits) { return splits.map(percentileLabel); } }
        : { label: 'seconds of the measured window' },
      { scale: 'y', label: chart.axes[0] },
    ];
    if (right) axes.push({ scale: 'y2', side: 1, label: chart.axes[1], grid: { show: false } });
    var scales = { x: distribution ? { time: false, distr: 3, log: 10 } : { time: false, range: chart.xRange }, y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.05 : 1]; } } };
    if (right) scales.y2 = { range: function (u, min, max) { return [0, max > 0 ? max * 1.05 : 1]; } };
    var options = {
      width: Math.max(320, box.clientWidth - 8),
      height: 280,
      series: series,
      axes: axes,
      scales: scales,
      legend: { live: true },
      hooks: { draw: [function (u) { decorate(u, chart); }] },
    };
    var plot = new uPlot(options, [chart.x].concat(chart.series.map(function (s) { return s.values; })), box);
    var labels = plot.series.slice(1).map(function (s) { return s.label; });
    drawn.push({ id: chart.id, kind: chart.kind, points: plot.data[0].length, series: labels.length, labels: labels, data: plot.data });
    return plot;
  }
  var plots = spec.charts.map(draw);
  window.addEventListener('resize', function () {
    plots.forEach(function (plot) {
      plot.setSize({ width: Math.max(320, plot.root.parentNode.clientWidth - 8), height: 280 });
    });
  });
})();
`;
