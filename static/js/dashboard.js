/*
 * The dashboard's charts: reads the figures from the #dashboard-data JSON element (written by the page) and draws
 * each one with Chart.js on the canvas #chart-<id>. The same figures are in the table under each chart.
 * Charts fill their box and follow its width, so they stack on a phone. No inline script or style on the page.
 */
(function () {
  "use strict";

  var CHART_HEIGHT = "16rem"; // the chart fills its box: the box's height, its width follows the page
  var COLOURS = ["#0d6efd", "#20c997", "#fd7e14", "#6f42c1", "#dc3545", "#6c757d"];

  function datasets(figure) {
    return figure.datasets.map(function (set, i) {
      var colour = COLOURS[i % COLOURS.length];
      return {
        label: set.label,
        data: set.data.map(Number),
        backgroundColor: colour,
        borderColor: colour,
        fill: false,
        tension: 0 // straight segments: a smoothed curve would draw values that are not there
      };
    });
  }

  // long category names (rejection reasons) are cut on the chart; the table under it has them in full
  function shortLabel(value) {
    var label = String(this.getLabelForValue(value));
    return label.length > 28 ? label.slice(0, 27) + "\u2026" : label;
  }

  function options(figure) {
    var horizontal = figure.kind === "bar-horizontal";
    var stacked = Boolean(figure.stacked);
    var values = { beginAtZero: true, stacked: stacked, ticks: figure.money ? {} : { precision: 0 } };
    var categories = { stacked: stacked, ticks: horizontal ? { callback: shortLabel } : { autoSkip: true, maxRotation: 0 } };
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      indexAxis: horizontal ? "y" : "x",
      plugins: { legend: { display: figure.datasets.length > 1, position: "bottom" } },
      scales: horizontal ? { x: values, y: categories } : { x: categories, y: values }
    };
  }

  function draw(figure) {
    var canvas = document.getElementById("chart-" + figure.id);
    if (!canvas) {
      return;
    }
    var line = figure.kind === "line";
    canvas.parentNode.style.height = CHART_HEIGHT;
    new window.Chart(canvas, {
      type: line ? "line" : "bar",
      data: { labels: figure.labels, datasets: datasets(figure) },
      options: options(figure)
    });
  }

  function init() {
    var source = document.getElementById("dashboard-data");
    if (!source || !window.Chart) {
      return;
    }
    JSON.parse(source.textContent).forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
