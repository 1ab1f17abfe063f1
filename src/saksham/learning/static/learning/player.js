/* The course player: progress heartbeats and quizzes through the same JSON API as the mobile app.
   Events are queued in localStorage first, so a closed tab or a dropped mobile connection loses nothing: the
   queue is sent every 15 s, when the page is hidden or closed (fetch keepalive), and on the next visit. The
   server merges them idempotently (client event ids), monotonically and in client-time order. */
(function () {
  "use strict";
  const root = document.getElementById("player");
  if (!root || !root.dataset.item) return;
  const API = root.dataset.api, ENROLMENT = root.dataset.enrolment, ITEM = root.dataset.item;
  const KIND = root.dataset.kind, CSRF = root.dataset.csrf, T = root.dataset;
  const QKEY = "saksham.progress.queue";
  const HEARTBEAT_MS = 15000;
  let queue = [];
  try { queue = JSON.parse(localStorage.getItem(QKEY) || "[]"); } catch (e) { queue = []; }
  let activeSince = null, banked = 0, percent = Number(root.dataset.percent) || 0, position = Number(root.dataset.position) || 0;
  let sending = false;

  const uid = () => (crypto.randomUUID ? crypto.randomUUID() : Date.now().toString(36) + Math.random().toString(36).slice(2));
  const store = () => { try { localStorage.setItem(QKEY, JSON.stringify(queue.slice(-1000))); } catch (e) { /* full */ } };
  const headers = { "Content-Type": "application/json", "X-CSRFToken": CSRF };

  function spent() {
    const now = Date.now();
    let s = banked + (activeSince ? (now - activeSince) / 1000 : 0);
    banked = 0;
    if (activeSince) activeSince = now;
    return Math.max(0, Math.round(s));
  }
  function record(pos, pct) {
    if (pos !== undefined && pos !== null) position = pos;
    if (pct !== undefined && pct !== null) percent = Math.max(percent, Math.min(100, pct));
    queue.push({ enrolment: ENROLMENT, item: ITEM, event_id: uid(), at: new Date().toISOString(),
                 position: Math.max(0, position), percent: Math.round(percent * 100) / 100, seconds: spent() });
    store();
  }
  async function flush(keepalive) {
    if (sending || !queue.length) return;
    sending = true;
    const batch = queue.slice(0, 200);
    try {
      const r = await fetch(API + "/progress", { method: "POST", credentials: "same-origin", keepalive: !!keepalive,
                                                 headers, body: JSON.stringify({ events: batch }) });
      let drop = batch.map((e) => e.event_id);
      if (r.status === 422) {             // drop the refused events only; keep the rest for the next send
        const body = await r.json().catch(() => ({}));
        if (Array.isArray(body.details) && body.details.every((d) => Number.isInteger(d.index))) {
          drop = body.details.map((d) => batch[d.index].event_id);
        }
      }
      if (r.ok || (r.status >= 400 && r.status < 500 && r.status !== 401 && r.status !== 408 && r.status !== 429)) {
        const gone = new Set(drop);
        queue = queue.filter((e) => !gone.has(e.event_id));
        store();
      }
      if (r.ok) {
        const body = await r.json();
        (body.enrolments || []).forEach((e) => { if (e.id === ENROLMENT) showProgress(e); });
        if (body.completed && body.completed.includes(ENROLMENT)) showCompleted();
      }
    } catch (e) { /* offline: the queue waits */ }
    sending = false;
  }
  // The outline follows what the server recorded: the course's share done and a tick on every item done.
  function showProgress(e) {
    const bar = document.getElementById("course-progress"), pct = document.getElementById("course-percent");
    if (bar && e.percent >= Number(bar.value)) bar.value = e.percent;
    if (pct && e.percent >= Number(pct.textContent)) pct.textContent = e.percent;
    (e.done || []).forEach(markOutline);
    if (e.completed) showCompleted();
  }
  async function showCompleted() {
    const b = document.getElementById("completed-banner");
    if (!b || !b.hidden) return;
    b.hidden = false;
    try {
      const r = await fetch(b.dataset.url, { credentials: "same-origin", headers: { "HX-Request": "true" } });
      if (r.ok) { b.innerHTML = await r.text(); if (window.htmx) window.htmx.process(b); }
    } catch (e) { /* offline: the page shows it on the next visit */ }
  }
  function markOutline(key) {
    const a = document.querySelector('.outline a[data-item="' + (key || ITEM) + '"]');
    if (!a || a.parentElement.classList.contains("done")) return;
    a.parentElement.classList.add("done");
    a.textContent = "✓ " + a.textContent;
    const partial = a.parentElement.querySelector("small");
    if (partial) partial.remove();
  }

  setInterval(() => { if (activeSince) record(); flush(false); }, HEARTBEAT_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") { if (activeSince) record(); activeSince = null; flush(true); }
    else if (KIND !== "video") activeSince = Date.now();
  });
  window.addEventListener("pagehide", () => { record(); flush(true); });
  window.addEventListener("online", () => flush(false));
  flush(false);   // whatever a closed tab or a lost connection left behind

  const done = document.getElementById("mark-done");
  if (done) done.addEventListener("click", async () => { record(null, 100); await flush(false); markOutline(); });

  // Media: a loading line while the file comes, and when it cannot come, a message with a retry and a link
  // to open or download it, never an endless spinner.
  const loading = document.getElementById("media-loading"), failed = document.getElementById("media-error");
  const mediaLoaded = () => { if (loading) loading.hidden = true; if (failed) failed.hidden = true; };
  const mediaFailed = () => { if (loading) loading.hidden = true; if (failed) failed.hidden = false; };
  const STALL_MS = 30000;

  if (KIND === "video") {
    const v = document.getElementById("video");
    let stall = setTimeout(() => { if (v.readyState < 1) mediaFailed(); }, STALL_MS);
    v.addEventListener("loadedmetadata", () => { clearTimeout(stall); mediaLoaded(); });
    v.addEventListener("waiting", () => { if (loading) loading.hidden = false; });
    v.addEventListener("playing", () => { if (loading) loading.hidden = true; });
    v.addEventListener("canplay", () => { if (loading) loading.hidden = true; });
    v.addEventListener("error", () => { clearTimeout(stall); mediaFailed(); });
    if (v.error) mediaFailed();
    else if (v.readyState >= 1) mediaLoaded();
    const retry = document.getElementById("media-retry");
    if (retry) retry.addEventListener("click", () => {
      if (failed) failed.hidden = true;
      if (loading) loading.hidden = false;
      clearTimeout(stall);
      stall = setTimeout(() => { if (v.readyState < 1) mediaFailed(); }, STALL_MS);
      v.load();
    });
    const pct = () => (v.duration ? (100 * v.currentTime) / v.duration : 0);
    v.addEventListener("loadedmetadata", () => {
      if (position > 0 && (!v.duration || position < v.duration - 1)) v.currentTime = position;
    });
    v.addEventListener("play", () => { activeSince = Date.now(); });
    v.addEventListener("pause", () => { record(v.currentTime, pct()); activeSince = null; flush(false); });
    v.addEventListener("seeked", () => { record(v.currentTime, v.paused ? null : pct()); flush(false); });
    v.addEventListener("timeupdate", () => { position = v.currentTime; percent = Math.max(percent, pct()); });
    v.addEventListener("ended", () => { record(v.duration, 100); activeSince = null; flush(false); markOutline(); });
  } else if (KIND === "page") {
    activeSince = Date.now();
    const depth = () => {
      const h = document.documentElement.scrollHeight - window.innerHeight;
      return h <= 0 ? 100 : (100 * window.scrollY) / h;
    };
    if (position > 0) {
      const h = document.documentElement.scrollHeight - window.innerHeight;
      window.scrollTo(0, (position / 100) * h);
    }
    window.addEventListener("scroll", () => { position = depth(); percent = Math.max(percent, position); }, { passive: true });
    setTimeout(() => { if (depth() >= 99) { record(100, 100); flush(false); } }, 3000);
  } else if (KIND === "document") {
    activeSince = Date.now();
    const frame = document.getElementById("document"), input = document.getElementById("page");
    const pages = Number(T.pages) || 0;
    const show = (p) => {
      p = Math.max(1, pages ? Math.min(pages, p) : p);
      input.value = p;
      frame.src = frame.dataset.src + "#page=" + p;
      record(p, pages ? (100 * p) / pages : null);
    };
    input.value = Math.max(1, Math.round(position) || 1);
    // An iframe tells nothing when its file fails: ask for the file first (same origin: its status; another
    // origin: only whether it answers at all), then show it.
    const open = async () => {
      if (failed) failed.hidden = true;
      if (loading) loading.hidden = false;
      let ok = true;
      try {
        const r = await fetch(frame.dataset.src, { method: "HEAD", credentials: "same-origin" });
        ok = r.ok || r.status === 405;
      } catch (e) {
        try { await fetch(frame.dataset.src, { method: "HEAD", mode: "no-cors" }); } catch (e2) { ok = false; }
      }
      if (!ok) { mediaFailed(); return; }
      frame.addEventListener("load", mediaLoaded, { once: true });
      frame.src = frame.dataset.src + "#page=" + input.value;
    };
    open();
    const retry = document.getElementById("media-retry");
    if (retry) retry.addEventListener("click", () => { frame.removeAttribute("src"); open(); });
    document.getElementById("page-prev").addEventListener("click", () => show(Number(input.value) - 1));
    document.getElementById("page-next").addEventListener("click", () => show(Number(input.value) + 1));
    input.addEventListener("change", () => show(Number(input.value)));
  } else if (KIND === "link") {
    const a = document.getElementById("external");
    a.addEventListener("click", () => { record(0, 100); flush(false); markOutline(); });
  } else if (KIND === "quiz") {
    quiz();
  }

  // --- quizzes: the page is a plain form; this adds the live countdown and saves each answer as it is given ----
  function quiz() {
    const form = document.getElementById("quiz-form");
    if (!form) return;
    const attempt = form.dataset.attempt;
    const show = (msg) => {
      let p = document.getElementById("quiz-error");
      if (!p) { p = document.createElement("p"); p.id = "quiz-error"; p.className = "error"; p.setAttribute("role", "alert"); form.prepend(p); }
      p.textContent = msg;
    };
    function answerOf(div) {
      const inputs = [...div.querySelectorAll("input:not([type=hidden]), select")];
      const kind = div.dataset.kind;
      if (kind === "single") { const c = inputs.find((i) => i.checked); return c ? c.value : null; }
      if (kind === "true_false") { const c = inputs.find((i) => i.checked); return c ? c.value === "true" : null; }
      if (kind === "multiple") return inputs.filter((i) => i.checked).map((i) => i.value);
      if (kind === "fill_blank") return inputs[0].value.trim() ? inputs[0].value : null;
      const out = {};
      for (const s of inputs) if (s.value) out[s.dataset.left] = s.value;
      return out;
    }
    form.addEventListener("change", async (ev) => {
      const div = ev.target.closest(".question");
      if (!div) return;
      try {
        const r = await fetch(API + "/attempts/" + attempt + "/answers", { method: "PUT", credentials: "same-origin", headers,
          body: JSON.stringify({ answers: { [div.dataset.question]: answerOf(div) } }) });
        if (!r.ok) show((await r.json().catch(() => ({}))).message || String(r.status));
      } catch (e) { /* offline: the form's buttons send the answers */ }
    });
    // The clocks count down from the seconds the server gave; at zero the form moves on by itself.
    const press = (id) => { const b = document.getElementById(id); if (b) form.requestSubmit ? form.requestSubmit(b) : b.click(); };
    const clocks = [...form.querySelectorAll(".quiz-clock[data-seconds]")].map((c) => ({ c, left: Number(c.dataset.seconds), out: c.querySelector("strong") }));
    const started = Date.now();
    if (!clocks.length) return;
    const fmt = (s) => { const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), x = s % 60;
                         return (h ? h + ":" : "") + String(m).padStart(2, "0") + ":" + String(x).padStart(2, "0"); };
    let done = false;
    const timer = setInterval(() => {
      const gone = Math.floor((Date.now() - started) / 1000);
      for (const k of clocks) {
        const left = Math.max(0, k.left - gone);
        if (k.out) k.out.textContent = fmt(left);
        if (left === 0 && !done && k.left > 0) {
          done = true; clearInterval(timer);
          press(document.getElementById("quiz-next") && k.c.id === "section-clock" ? "quiz-next" : "quiz-submit");
          if (!document.getElementById("quiz-submit") && k.c.id === "quiz-clock") press("quiz-save");
        }
      }
    }, 1000);
  }
})();
