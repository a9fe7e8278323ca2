// The dashboard: draw the hourly chart and keep every figure live from /api/dashboard/stream,
// in place, without reloading the page.
"use strict";
(function () {
  const lang = document.documentElement.lang || "zh-CN";
  const formats = {
    number: new Intl.NumberFormat(lang),
    percent: new Intl.NumberFormat(lang, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 }),
    money: new Intl.NumberFormat(lang, { style: "currency", currency: "CNY" }),
  };
  function show(element, value) {
    const format = element.dataset.format || "number";
    const text = formats[format].format(format === "money" ? value / 100 : value);
    if (element.textContent !== text) element.textContent = text;
  }
  function setHidden(element, hidden) { if (element) element.hidden = hidden; }

  let chart = null;
  function drawChart(hours) {
    const canvas = document.getElementById("hourly-chart");
    if (!canvas || !window.Chart) return;
    if (chart) {
      chart.data.datasets[0].data = hours;
      chart.update();
      return;
    }
    const labels = hours.map(function (_, hour) { return String(hour).padStart(2, "0") + ":00"; });
    chart = new window.Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: [{ label: canvas.dataset.label, data: hours, backgroundColor: "#17324d" }] },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { display: false } },
      },
    });
  }

  function title(row) { return lang === "zh-CN" ? row.title_zh : row.title_en; }
  function denialRows(denials) {
    const body = document.querySelector("#denials tbody");
    body.replaceChildren.apply(body, denials.map(function (row) {
      const tr = document.createElement("tr");
      tr.dataset.rule = row.rule;
      const name = document.createElement("td");
      const strong = document.createElement("span");
      strong.className = "rule-title";
      strong.textContent = title(row);
      const id = document.createElement("span");
      id.className = "muted";
      id.setAttribute("translate", "no");
      id.textContent = " " + row.rule;
      name.append(strong, id);
      const count = document.createElement("td");
      count.className = "num";
      count.dataset.field = "count";
      count.dataset.format = "number";
      show(count, row.count);
      tr.append(name, count);
      return tr;
    }));
    setHidden(document.getElementById("no-denials"), denials.length > 0);
  }

  function update(data) {
    document.querySelectorAll("[data-figure]").forEach(function (element) {
      const value = data[element.dataset.figure];
      if (typeof value === "number") show(element, value);
    });
    const paid = data.payments > 0;
    const card = document.getElementById("collected-card");
    card.dataset.payments = String(data.payments);
    setHidden(card.querySelector('[data-figure="amount_collected"]'), !paid);
    setHidden(card.querySelector('[data-when="payments"]'), !paid);
    setHidden(card.querySelector('[data-figure="amount_kept"]'), paid);
    setHidden(card.querySelector('[data-when="no-payments"]'), paid);
    data.recovery_by_bucket.forEach(function (bucket) {
      const row = document.querySelector('#buckets tr[data-bucket="' + bucket.bucket + '"]');
      if (!row) return;
      row.querySelectorAll("[data-field]").forEach(function (cell) { show(cell, bucket[cell.dataset.field]); });
    });
    denialRows(data.denials);
    drawChart(data.attempts_by_hour);
  }

  function liveState(state) {
    const badge = document.getElementById("live-state");
    badge.dataset.state = state;
    badge.querySelectorAll("[data-when]").forEach(function (span) { span.hidden = span.dataset.when !== state; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const data = JSON.parse(document.getElementById("dashboard-data").textContent);
    drawChart(data.attempts_by_hour);
    const query = new URLSearchParams();
    if (data.campaign_id) query.set("campaign_id", data.campaign_id);
    const day = document.getElementById("day-filter").value;
    if (day) query.set("day", day);
    // Choosing a campaign shows it at once; the day waits for the button (typing a date passes
    // through invalid values).
    document.getElementById("campaign-filter").addEventListener("change", function (event) {
      event.target.form.requestSubmit();
    });
    const source = window.huikuan.live("/api/dashboard/stream?" + query.toString(), function (_name, figures) {
      update(figures);
      liveState("live");
    }, ["dashboard"]);
    source.addEventListener("open", function () { liveState("live"); });
    source.addEventListener("error", function () { liveState("offline"); });
  });
})();
