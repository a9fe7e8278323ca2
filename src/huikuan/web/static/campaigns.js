// The campaign page: fresh figures from GET /api/campaigns/{id} every few seconds, no reload.
"use strict";
(function () {
  const root = document.getElementById("campaign");
  if (!root) return;
  const id = root.dataset.campaign;
  const every = Number(root.dataset.poll || 3) * 1000;
  const lang = root.dataset.lang || "zh-CN";
  const labels = JSON.parse(document.getElementById("campaign-labels").textContent);
  const number = new Intl.NumberFormat(lang);
  const percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 1 });

  function show(c) {
    root.querySelectorAll("[data-figure]").forEach(function (el) {
      el.textContent = number.format(c[el.dataset.figure]);
    });
    if (c.pacing) {
      root.querySelectorAll("[data-pacing]").forEach(function (el) {
        el.textContent = number.format(c.pacing[el.dataset.pacing]);
      });
      root.querySelectorAll("[data-pacing-percent]").forEach(function (el) {
        el.textContent = percent.format(c.pacing[el.dataset.pacingPercent]);
      });
    }
    const status = document.getElementById("status");
    if (status.dataset.status !== c.status) {
      status.dataset.status = c.status;
      status.className = "badge status-" + c.status;
      status.textContent = labels.status[c.status] || c.status;
      ["start", "pause", "resume", "stop"].forEach(function (action) {
        const button = document.getElementById(action + "-button");
        if (button) button.disabled = c.actions.indexOf(action) < 0;
      });
    }
    const codes = Object.keys(c.dispositions).sort();
    if (codes.length) {
      const body = document.querySelector("#dispositions tbody");
      body.replaceChildren.apply(body, codes.map(function (code) {
        const row = document.createElement("tr");
        const name = document.createElement("td");
        name.textContent = labels.disposition[code] || code;
        const count = document.createElement("td");
        count.className = "num";
        count.textContent = number.format(c.dispositions[code]);
        row.append(name, count);
        return row;
      }));
    }
  }

  async function poll() {
    try {
      show(await window.huikuan.api("/api/campaigns/" + id));
    } catch (error) {
      // A missed poll is shown by figures that stop moving; the next one tries again.
    }
    window.setTimeout(poll, every);
  }
  window.setTimeout(poll, every);
})();
