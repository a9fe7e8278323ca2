// The import form: sends the file with the session's CSRF token (multipart, by fetch), then
// opens the batch's result page; on a refusal it says why in the page's language and keeps
// everything typed.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  const form = document.getElementById("import-form");
  if (!form) return;
  const notice = document.getElementById("import-notice");
  const detail = document.getElementById("import-detail");
  const button = document.getElementById("import-button");
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const data = new FormData(form);
    button.disabled = true;
    huikuan.notice(notice, form.dataset.busy, "warn");
    detail.hidden = true;
    try {
      const result = await huikuan.api("/api/imports", { method: "POST", body: data });
      window.location.assign("/imports/" + result.batch_id + (result.already_imported ? "?again=1" : ""));
    } catch (error) {
      // data-error-413 and the like: a dash before a digit stays in the dataset key.
      huikuan.notice(notice, form.dataset["error-" + error.status] || form.dataset.errorOther, "error");
      if (error.status === 422 && error.message) {
        detail.textContent = error.message;
        detail.hidden = false;
      }
      button.disabled = false;
    }
  });
});
