(() => {
  let token = null, transfer = null, polling = false;
  const $ = (id) => document.getElementById(id);
  const say = (text) => { $("message").textContent = text || ""; };
  const yuan = (fen) => "¥" + (fen / 100).toLocaleString("zh-CN", {minimumFractionDigits: 2});

  async function api(method, path, body) {
    const headers = {"Content-Type": "application/json"};
    if (token) headers["Authorization"] = "Bearer " + token;
    const res = await fetch(path, {method, headers, body: body ? JSON.stringify(body) : undefined});
    if (res.status === 204) return null;
    const data = await res.json();
    if (!res.ok) throw new Error(data.error || JSON.stringify(data.detail) || res.statusText);
    return data;
  }

  function showAgent(agent) {
    $("state").textContent = agent.state_label;
    $("state").dataset.state = agent.state;
  }

  function showPop(pop) {
    transfer = pop.transfer_id;
    $("pop-panel").hidden = false;
    $("pop-reason").textContent = pop.reason_label;
    $("pop-debtor").textContent = pop.debtor.name + " (#" + pop.debtor.debtor_id + ")";
    $("pop-phones").textContent = pop.debtor.phones.join(", ");
    $("pop-bucket").textContent = pop.account.bucket;
    $("pop-overdue").textContent = yuan(pop.account.overdue);
    $("pop-dpd").textContent = pop.account.days_past_due;
    $("pop-segment").textContent = pop.segment.explanation_zh + " " + pop.segment.explanation_en;
    $("pop-promises").textContent = pop.promises.map(p => yuan(p.amount) + " @ " + p.due_date).join("; ") || "—";
    $("pop-bounds").textContent = "≤ " + pop.plan_bounds.max_terms + " 期 / terms, 首付 ≥ / first ≥ " + yuan(pop.plan_bounds.min_first_payment);
    const list = $("pop-transcript");
    list.replaceChildren(...pop.transcript.map(t => {
      const li = document.createElement("li");
      li.className = "turn-" + t.speaker;
      li.textContent = t.speaker + ": " + t.text;
      return li;
    }));
    $("accept-button").hidden = false; $("end-button").hidden = true; $("wrap-form").hidden = true;
  }

  async function poll() {
    if (polling) return;
    polling = true;
    try {
      while (token && !transfer) {
        const pop = await api("GET", "/api/desk/pop?wait=25");
        if (pop) { showPop(pop); showAgent(await api("GET", "/api/desk/me")); }
      }
    } catch (err) { say(err.message); } finally { polling = false; }
  }

  $("login-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      const out = await api("POST", "/api/desk/login", {username: $("username").value, password: $("password").value});
      token = out.token; say("");
      $("login-panel").hidden = true; $("state-panel").hidden = false;
      showAgent(out.agent); poll();
    } catch (err) { say(err.message); }
  });

  document.querySelectorAll("#state-panel button").forEach(b => b.addEventListener("click", async () => {
    try {
      if (b.dataset.state === "offline") {
        await api("POST", "/api/desk/logout"); token = null;
        $("state-panel").hidden = true; $("login-panel").hidden = false; return;
      }
      showAgent(await api("POST", "/api/desk/state", {state: b.dataset.state})); say(""); poll();
    } catch (err) { say(err.message); }
  }));

  $("accept-button").addEventListener("click", async () => {
    try {
      await api("POST", "/api/desk/transfers/" + transfer + "/accept");
      showAgent(await api("GET", "/api/desk/me"));
      $("accept-button").hidden = true; $("end-button").hidden = false; $("wrap-form").hidden = false;
    } catch (err) { say(err.message); }
  });

  $("end-button").addEventListener("click", async () => {
    try { showAgent(await api("POST", "/api/desk/transfers/" + transfer + "/end")); $("end-button").hidden = true; }
    catch (err) { say(err.message); }
  });

  $("wrap-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const local = $("callback-at").value;
    const body = {code: $("wrap-code").value, note: $("wrap-note").value || null,
                  callback_at: local ? new Date(local).toISOString() : null};
    try {
      await api("POST", "/api/desk/transfers/" + transfer + "/wrap-up", body);
      transfer = null; $("pop-panel").hidden = true; say("已提交 / Wrap-up saved");
      showAgent(await api("GET", "/api/desk/me")); poll();
    } catch (err) { say(err.message); }
  });
})();
