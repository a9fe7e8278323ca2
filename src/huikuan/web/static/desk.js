// The agent desk: state, queue, screen pop, accept, end, wrap-up. Everything shown comes from
// /api/desk/current, so a reloaded or reconnected page restores whatever the agent was doing.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const root = $("desk");
  if (!root) return;
  const W = JSON.parse($("desk-words").textContent);
  const zone = root.dataset.timezone;
  const locale = root.dataset.lang;
  const zh = locale.indexOf("zh") === 0;
  const api = window.huikuan.api;
  const times = new Intl.DateTimeFormat(locale, { timeZone: zone, dateStyle: "medium", timeStyle: "short" });
  const money = new Intl.NumberFormat(locale, { style: "currency", currency: "CNY" });
  const yuan = (fen) => money.format(fen / 100);
  const when = (iso) => times.format(new Date(iso));
  let now = null; // the last answer of /api/desk/current
  let polling = false;

  // Domain errors come as "中文 / English": show the visitor's half.
  function pick(message) {
    const i = message.indexOf(" / ");
    if (i < 0) return message;
    return zh ? message.slice(0, i).trim() : message.slice(i + 3).trim();
  }
  function say(text, kind) { window.huikuan.notice($("message"), text, kind); }
  function fail(err) {
    if (err.status === 409 && now && now.transfer) say(W.finish_first, "error");
    else if (err.status === 422 && err.message.charAt(0) === "[") say(W.check_fields, "error");
    else say(pick(err.message), "error");
  }
  function cell(text, translate, span) {
    const td = document.createElement("td");
    td.textContent = text;
    if (translate === false) td.setAttribute("translate", "no");
    if (span) td.colSpan = span;
    return td;
  }
  function row(cells) {
    const tr = document.createElement("tr");
    tr.append(...cells);
    return tr;
  }

  function fillPop(pop, window_) {
    $("pop-reason").textContent = W.reason[pop.reason] || pop.reason;
    $("pop-debtor").textContent = pop.debtor.name + " (#" + pop.debtor.debtor_id + ")";
    $("pop-phones").textContent = pop.debtor.phones.join(", ");
    $("pop-bucket").textContent = pop.account.bucket;
    $("pop-overdue").textContent = yuan(pop.account.overdue);
    $("pop-outstanding").textContent = yuan(pop.account.outstanding);
    $("pop-dpd").textContent = pop.account.days_past_due;
    $("pop-segment").textContent = zh ? pop.segment.explanation_zh : pop.segment.explanation_en;
    $("pop-promises").textContent = pop.promises.map(
      (p) => yuan(p.amount) + " · " + p.due_date + " · " + (W.promise_status[p.status] || p.status)
    ).join("; ") || W.none;
    $("bound-terms").textContent = pop.plan_bounds.max_terms;
    $("bound-first").textContent = yuan(pop.plan_bounds.min_first_payment);
    $("bound-waiver").textContent = pop.plan_bounds.max_waiver_pct;
    $("plan-terms").max = pop.plan_bounds.max_terms;
    $("plan-waiver").max = pop.plan_bounds.max_waiver_pct;
    $("pop-transcript").replaceChildren(...pop.transcript.map((t) => {
      const li = document.createElement("li");
      li.className = "turn-" + t.speaker;
      li.textContent = (W.speaker[t.speaker] || t.speaker) + ": " + t.text;
      return li;
    }));
    if (window_) {
      $("window-start").textContent = window_.start;
      $("window-end").textContent = window_.end;
      $("window-zones").textContent = window_.zones.join(", ");
    }
  }

  function show(n) {
    now = n;
    $("state").textContent = W.phase[n.phase] || n.phase;
    $("state").dataset.state = n.phase;
    if (!n.pop) { $("pop-panel").hidden = true; return; }
    fillPop(n.pop, n.callback_window);
    $("pop-panel").hidden = false;
    $("accept-button").hidden = n.phase !== "ringing";
    $("end-button").hidden = n.phase !== "on_call";
    $("wrap-form").hidden = ["on_call", "wrap_up", "call_ended"].indexOf(n.phase) < 0;
    $("call-ended").hidden = n.phase !== "call_ended";
    $("call-ended").textContent = n.phase === "call_ended" ? W.ended_before : "";
    showFields();
  }

  function showFields() {
    const code = $("wrap-code").value;
    $("promise-fields").hidden = code !== "promise_to_pay";
    $("plan-fields").hidden = code !== "hardship_plan";
    $("callback-fields").hidden = code !== "callback";
  }

  async function loadQueue() {
    const q = await api("/api/desk/queue");
    const transfers = q.transfers.map((t) => row([
      cell("#" + t.transfer_id, false), cell(W.reason[t.reason] || t.reason), cell(when(t.requested_at)),
    ]));
    const callbacks = q.callbacks.map((c) => row([
      cell("#" + c.attempt_id, false), cell("#" + c.account_id, false), cell(when(c.callback_at)),
      cell(c.mine ? W.mine : W.floor),
    ]));
    $("queue-transfers").replaceChildren(...(transfers.length ? transfers : [row([cell(W.no_transfers, true, 3)])]));
    $("queue-callbacks").replaceChildren(...(callbacks.length ? callbacks : [row([cell(W.no_callbacks, true, 4)])]));
  }

  async function refresh() {
    show(await api("/api/desk/current"));
    loadQueue().catch(() => {});
    if (now.phase === "available" && !now.transfer) poll();
  }

  // Long poll for the next pop while available; on a lost connection, try again shortly.
  async function poll() {
    if (polling) return;
    polling = true;
    try {
      while (now && now.phase === "available" && !now.transfer) {
        const pop = await api("/api/desk/pop?wait=25");
        if (pop) show(await api("/api/desk/current"));
      }
      polling = false;
    } catch (err) {
      polling = false;
      say(W.lost, "error");
      setTimeout(() => refresh().then(() => say("", "ok")).catch(() => {}), 3000);
    }
  }

  document.querySelectorAll("#state-panel button").forEach((b) => b.addEventListener("click", async () => {
    try {
      if (b.dataset.state === "offline") await api("/api/desk/logout", { method: "POST" });
      else await api("/api/desk/state", { method: "POST", json: { state: b.dataset.state } });
      say("", "ok");
    } catch (err) { fail(err); }
    await refresh().catch(fail);
  }));

  $("accept-button").addEventListener("click", async () => {
    try {
      await api("/api/desk/transfers/" + now.transfer.transfer_id + "/accept", { method: "POST" });
      say(W.accepted, "ok");
    } catch (err) { fail(err); }
    await refresh().catch(fail);
  });

  $("end-button").addEventListener("click", async () => {
    try {
      await api("/api/desk/transfers/" + now.transfer.transfer_id + "/end", { method: "POST" });
      say(W.ended, "ok");
    } catch (err) { fail(err); }
    await refresh().catch(fail);
  });

  $("wrap-code").addEventListener("change", showFields);

  $("wrap-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const code = $("wrap-code").value;
    const body = { code: code, note: $("wrap-note").value || null };
    if (code === "promise_to_pay") {
      body.promise = { amount: Math.round(parseFloat($("promise-amount").value) * 100), due_date: $("promise-date").value };
    }
    if (code === "hardship_plan") {
      body.plan = {
        terms: parseInt($("plan-terms").value, 10),
        waiver_pct: parseInt($("plan-waiver").value || "0", 10),
        first_due: $("plan-first-due").value,
      };
    }
    if (code === "callback" && $("callback-at").value) body.callback_local = $("callback-at").value;
    try {
      await api("/api/desk/transfers/" + now.transfer.transfer_id + "/wrap-up", { method: "POST", json: body });
      $("wrap-form").reset();
      say(W.saved, "ok");
    } catch (err) { fail(err); return; }
    await refresh().catch(fail);
  });

  window.addEventListener("online", () => refresh().catch(fail));
  setInterval(() => loadQueue().catch(() => {}), 30000);
  // While a pop rings, look again now and then: the robot or the debtor may end the call.
  setInterval(() => {
    if (now && now.phase === "ringing") api("/api/desk/current").then(show).catch(() => {});
  }, 5000);
  refresh().catch(fail);
})();
