// The account page: the reveal (a reason, then the debtor in full from the audited API) and the
// recording players, which mark themselves once their audio can play (data-ready).
"use strict";
(function () {
  document.querySelectorAll("audio.recording").forEach(function (audio) {
    audio.addEventListener("loadeddata", function () { audio.dataset.ready = "yes"; });
    audio.addEventListener("error", function () { audio.dataset.ready = "error"; });
  });
  const form = document.getElementById("reveal-form");
  if (!form) return;
  const message = document.getElementById("reveal-message");
  function text(key) {
    const node = document.getElementById("reveal-texts").content.querySelector('[data-key="' + key + '"]');
    return node ? node.textContent : key;
  }
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const reason = document.getElementById("reveal-reason").value.trim();
    if (reason.length < 5) { window.huikuan.notice(message, text("short"), "error"); return; }
    try {
      const card = await window.huikuan.api("/api/debtors/" + form.dataset.debtor + "/reveal", { method: "POST", json: { reason: reason } });
      document.getElementById("debtor-name").textContent = card.name;
      document.getElementById("debtor-national-id").textContent = card.national_id || "—";
      card.contacts.forEach(function (c) {
        const number = document.querySelector('[data-contact="' + c.id + '"][data-field="number"]');
        const name = document.querySelector('[data-contact="' + c.id + '"][data-field="name"]');
        if (number) number.textContent = c.number;
        if (name) name.textContent = c.name || "—";
      });
      document.getElementById("masked-note").hidden = true;
      window.huikuan.notice(message, text("revealed"), "ok");
    } catch (error) {
      window.huikuan.notice(message, error.message, "error");
    }
  });
})();
