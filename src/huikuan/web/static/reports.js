// The report's charts, drawn with Chart.js from the figures the page carries (labels already in
// the visitor's language); the canvases are marked once drawn so tests can wait on them.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  const source = document.getElementById("report-data");
  if (!source || !window.Chart) return;
  const data = JSON.parse(source.textContent);
  const text = data.text;
  const palette = ["#17324d", "#2e7d32", "#c77700", "#6a1b9a", "#b3261e", "#00838f", "#5d4037", "#546e7a"];
  const base = { responsive: true, maintainAspectRatio: false, animation: false };

  function draw(id, config) {
    const canvas = document.getElementById(id);
    if (!canvas) return;
    // A fresh options object per chart: Chart.js fills in the scales of the object it is given.
    new Chart(canvas, Object.assign({ options: Object.assign({}, base) }, config));
    canvas.dataset.drawn = "1";
  }

  const rateSets = Object.keys(data.rates).map(function (name, i) {
    return { type: "line", label: name, data: data.rates[name], yAxisID: "rate", borderColor: palette[i + 1], backgroundColor: palette[i + 1] };
  });
  draw("chart-days", {
    data: {
      labels: data.days,
      datasets: [{ type: "bar", label: text.attempts, data: data.attempts, yAxisID: "count", backgroundColor: "#9fb3c8" }].concat(rateSets),
    },
    options: Object.assign({}, base, {
      scales: {
        count: { type: "linear", position: "left", beginAtZero: true, title: { display: true, text: text.attempts } },
        rate: { type: "linear", position: "right", beginAtZero: true, max: 100, grid: { drawOnChartArea: false }, title: { display: true, text: text.percent } },
      },
    }),
  });
  draw("chart-promises", {
    type: "bar",
    data: {
      labels: data.days,
      datasets: [
        { label: text.promised, data: data.promised, backgroundColor: palette[2] },
        { label: text.kept, data: data.kept, backgroundColor: palette[1] },
      ],
    },
  });
  draw("chart-campaigns", {
    type: "bar",
    data: {
      labels: data.campaigns,
      datasets: [
        { label: text.attempts, data: data.campaign_attempts, backgroundColor: palette[0] },
        { label: text.promises, data: data.campaign_promises, backgroundColor: palette[1] },
      ],
    },
  });
  const robot = Object.keys(data.robot), human = Object.keys(data.human);
  draw("chart-handlers", {
    type: "doughnut",
    data: {
      labels: robot.concat(human),
      datasets: [{
        data: robot.map(function (k) { return data.robot[k]; }).concat(human.map(function (k) { return data.human[k]; })),
        backgroundColor: robot.map(function (_k, i) { return palette[i % 4]; }).concat(human.map(function (_k, i) { return palette[4 + (i % 4)]; })),
      }],
    },
  });
});
