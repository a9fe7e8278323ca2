// Scripts (话术): the editor checks the YAML with the guard as you type (debounced), lists the
// findings and the sample-debtor preview, saves drafts and submits; the review page approves
// or rejects with a reason. Texts come from data-* attributes rendered in the visitor's language.
"use strict";
(function () {
  const DEBOUNCE_MS = 500;

  function show(element, text, kind) {
    window.huikuan.notice(element, text, kind);
  }
  // Domain errors arrive as "中文 / English": show the visitor's half.
  function half(message) {
    const parts = String(message).split(" / ");
    if (parts.length < 2) return message;
    return document.documentElement.lang === "en" ? parts.slice(1).join(" / ") : parts[0];
  }

  function editor() {
    const text = document.getElementById("script-text");
    if (!text) return;
    const msgs = document.getElementById("script-messages").dataset;
    const status = document.getElementById("lint-status");
    const list = document.getElementById("findings");
    const preview = document.querySelector("#preview tbody");
    const previewLang = document.getElementById("preview-lang");
    const message = document.getElementById("message");
    let timer = null;
    function lineText(number) { return msgs.line.replace("#", String(number)); }
    let sequence = 0;

    const submitButton = document.getElementById("submit-button");
    // Only a script the guard passes goes to an officer: a flagged one could not be approved.
    function submittable(yes) { submitButton.disabled = !yes; }

    function renderFindings(result) {
      list.replaceChildren();
      submittable(result.clean);
      if (result.error) {
        status.dataset.state = "error";
        const where = result.error.line ? " (" + lineText(result.error.line) + ")" : "";
        show(status, msgs.unreadable + " " + result.error.message + where, "error");
      } else if (result.findings.length === 0) {
        status.dataset.state = "clean";
        show(status, msgs.clean, "ok");
      } else {
        status.dataset.state = "flagged";
        show(status, msgs.found + " " + result.findings.length, "error");
      }
      result.findings.forEach(function (f) {
        const item = document.createElement("li");
        item.className = "finding";
        item.dataset.rule = f.rule;
        const where = document.createElement("code");
        where.textContent = (f.node + " " + f.part).trim() + " [" + f.rule + "]";
        item.append(where);
        if (f.line) item.append(" · " + lineText(f.line));
        item.append(" — " + f.message);
        f.category_labels.forEach(function (c) {
          const badge = document.createElement("span");
          badge.className = "badge";
          badge.textContent = c;
          item.append(" ", badge);
        });
        list.append(item);
      });
      preview.replaceChildren();
      previewLang.textContent = result.lang || "";
      result.preview.forEach(function (p) {
        const row = document.createElement("tr");
        if (p.broken) row.className = "broken";
        const node = document.createElement("td");
        const code = document.createElement("code");
        code.textContent = (p.node + " " + p.part).trim();
        node.append(code);
        const sentence = document.createElement("td");
        sentence.textContent = p.text;
        row.append(node, sentence);
        preview.append(row);
      });
    }

    async function check() {
      const mine = ++sequence;
      submittable(false);
      if (!text.value.trim()) {
        list.replaceChildren();
        status.dataset.state = "empty";
        show(status, msgs.empty, "warn");
        return;
      }
      status.dataset.state = "checking";
      try {
        const result = await window.huikuan.api("/api/scripts/lint", { method: "POST", json: { content: text.value } });
        if (mine === sequence) renderFindings(result);  // an older answer never overwrites a newer one
      } catch (error) {
        if (mine === sequence) { status.dataset.state = "error"; show(status, half(error.message), "error"); }
      }
    }

    text.addEventListener("input", function () {
      submittable(false);  // until the guard has seen this text
      clearTimeout(timer);
      timer = setTimeout(check, DEBOUNCE_MS);
    });

    async function save(andSubmit) {
      if (!text.value.trim()) { show(message, msgs.empty, "error"); return; }
      try {
        const draft = await window.huikuan.api("/api/scripts", { method: "POST", json: { content: text.value } });
        if (andSubmit) await window.huikuan.api("/api/scripts/" + draft.id + "/submit", { method: "POST" });
        show(message, andSubmit ? msgs.submitted : msgs.saved, "ok");
        window.location.assign("/scripts/" + draft.id);
      } catch (error) {
        show(message, half(error.message), "error");  // the text stays in the editor
      }
    }
    document.getElementById("save-button").addEventListener("click", function () { save(false); });
    document.getElementById("submit-button").addEventListener("click", function () { save(true); });
    if (text.value.trim()) check();
  }

  function decision() {
    const form = document.getElementById("decision-form");
    if (!form) return;
    const msgs = document.getElementById("decision-messages").dataset;
    const reason = document.getElementById("decision-reason");
    const message = document.getElementById("message");
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      const verb = event.submitter ? event.submitter.dataset.decision : "approve";
      if (reason.value.trim().length < 5) { show(message, msgs.short, "error"); return; }
      try {
        await window.huikuan.api("/api/scripts/" + form.dataset.version + "/" + verb, {
          method: "POST", json: { reason: reason.value.trim() },
        });
        show(message, verb === "approve" ? msgs.approve : msgs.reject, "ok");
        window.location.reload();
      } catch (error) {
        show(message, half(error.message), "error");  // the reason stays typed
      }
    });
  }

  function submitter() {
    const button = document.getElementById("submit-version");
    if (!button) return;
    const message = document.getElementById("message");
    button.addEventListener("click", async function () {
      try {
        await window.huikuan.api("/api/scripts/" + button.dataset.version + "/submit", { method: "POST" });
        show(message, document.getElementById("submit-messages").dataset.submitted, "ok");
        window.location.reload();
      } catch (error) {
        show(message, half(error.message), "error");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { editor(); decision(); submitter(); });
})();
