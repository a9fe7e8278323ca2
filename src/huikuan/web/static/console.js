// What every console page may use: JSON calls that carry the session's CSRF token, and
// live updates by server-sent events that reconnect by themselves.
"use strict";
window.huikuan = (function () {
  function csrf() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }
  async function api(path, options) {
    const opts = Object.assign({ method: "GET", headers: {} }, options || {});
    opts.headers = Object.assign({ Accept: "application/json" }, opts.headers);
    if (opts.method !== "GET" && opts.method !== "HEAD") opts.headers["X-CSRF-Token"] = csrf();
    if (opts.json !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(opts.json);
    }
    const response = await fetch(path, opts);
    const text = await response.text();
    const body = text ? JSON.parse(text) : null;
    if (!response.ok) {
      const reason = body && (body.error || body.detail) ? (body.error || JSON.stringify(body.detail)) : response.statusText;
      const error = new Error(reason);
      error.status = response.status;
      throw error;
    }
    return body;
  }
  // Call `onEvent(name, data)` for each event of the stream at `path`; EventSource reconnects.
  function live(path, onEvent, names) {
    const source = new EventSource(path);
    (names || ["message"]).forEach(function (name) {
      source.addEventListener(name, function (event) { onEvent(name, JSON.parse(event.data)); });
    });
    return source;
  }
  function notice(element, text, kind) {
    element.textContent = text;
    element.className = "notice " + (kind || "ok");
    element.hidden = !text;
  }
  return { api: api, live: live, notice: notice, csrf: csrf };
})();
