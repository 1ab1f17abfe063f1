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
        if (body.completed && body.completed.includes(ENROLMENT)) showCompleted();
      }
    } catch (e) { /* offline: the queue waits */ }
    sending = false;
  }
  function showCompleted() { const b = document.getElementById("completed-banner"); if (b) b.hidden = false; }
  function markOutline() {
    const a = document.querySelector('.outline a[data-item="' + ITEM + '"]');
    if (a && !a.parentElement.classList.contains("done")) { a.parentElement.classList.add("done"); a.textContent = "✓ " + a.textContent; }
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

  if (KIND === "video") {
    const v = document.getElementById("video");
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
    frame.src = frame.dataset.src + "#page=" + input.value;
    document.getElementById("page-prev").addEventListener("click", () => show(Number(input.value) - 1));
    document.getElementById("page-next").addEventListener("click", () => show(Number(input.value) + 1));
    input.addEventListener("change", () => show(Number(input.value)));
  } else if (KIND === "link") {
    const a = document.getElementById("external");
    a.addEventListener("click", () => { record(0, 100); flush(false); markOutline(); });
  } else if (KIND === "quiz") {
    quiz();
  }

  // --- quizzes ----------------------------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "on") for (const [ev, fn] of Object.entries(v)) n.addEventListener(ev, fn);
      else if (v !== false && v !== null && v !== undefined) n.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) if (c !== null && c !== undefined) n.append(c);
    return n;
  }
  async function call(method, path, body) {
    const r = await fetch(API + path, { method, credentials: "same-origin", headers, body: body ? JSON.stringify(body) : undefined });
    const data = await r.json().catch(() => ({}));
    if (!r.ok) throw data;
    return data;
  }
  function quiz() {
    const box = document.getElementById("quiz");
    const base = "/enrolments/" + ENROLMENT + "/items/" + ITEM + "/attempts";
    const error = (e) => box.prepend(el("p", { class: "error", role: "alert" }, e.message || "error"));
    call("GET", base).then((list) => {
      const last = list[list.length - 1];
      if (last && last.state !== "open") showResult(last, list.some((a) => a.passed));
      else if (last) document.getElementById("quiz-start").textContent = T.tResume;
    }).catch(error);
    box.addEventListener("click", (ev) => {
      if (ev.target.id === "quiz-start" || ev.target.id === "quiz-again") call("POST", base).then(showPaper).catch(error);
    });

    function answerOf(q, form) {
      const named = (n) => [...form.querySelectorAll('[name="' + n + '"]')];
      if (q.kind === "single") { const c = named(q.id).find((i) => i.checked); return c ? c.value : null; }
      if (q.kind === "true_false") { const c = named(q.id).find((i) => i.checked); return c ? c.value === "true" : null; }
      if (q.kind === "multiple") return named(q.id).filter((i) => i.checked).map((i) => i.value);
      if (q.kind === "fill_blank") { const v = named(q.id)[0].value; return v.trim() ? v : null; }
      const out = {};
      for (const s of named(q.id)) if (s.value) out[s.dataset.left] = s.value;
      return out;
    }
    function input(q, saved) {
      const wrap = el("div", { class: "question", "data-question": q.id }, el("p", {}, el("strong", {}, q.text)));
      const opt = (type, value, label, checked) => el("label", {}, el("input", { type, name: q.id, value, checked }), " ", label);
      if (q.kind === "single" || q.kind === "multiple") {
        for (const o of q.options) wrap.append(opt(q.kind === "single" ? "radio" : "checkbox", o.id, o.text,
          q.kind === "single" ? saved === o.id : Array.isArray(saved) && saved.includes(o.id)));
      } else if (q.kind === "true_false") {
        wrap.append(opt("radio", "true", T.tTrue, saved === true), opt("radio", "false", T.tFalse, saved === false));
      } else if (q.kind === "fill_blank") {
        wrap.append(el("input", { type: "text", name: q.id, value: saved || "", "aria-label": q.text }));
      } else {
        for (const l of q.options.left) {
          const s = el("select", { name: q.id, "data-left": l.id, "aria-label": l.text }, el("option", { value: "" }, "—"));
          for (const r of q.options.right) s.append(el("option", { value: r.id, selected: saved && saved[l.id] === r.id }, r.text));
          wrap.append(el("label", {}, l.text, " → ", s));
        }
      }
      return wrap;
    }
    function showPaper(a) {
      box.replaceChildren();
      const form = el("form", { id: "quiz-form" });
      const all = [];
      for (const s of a.sections) {
        if (s.title) form.append(el("h3", {}, s.title));
        for (const q of s.questions) { all.push(q); form.append(input(q, a.answers[q.id])); }
      }
      let timer = null;
      if (a.seconds_left !== null) {
        let left = a.seconds_left;
        const clock = el("p", { id: "quiz-clock", class: "helptext" });
        const tick = () => { clock.textContent = T.tLeft + ": " + Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
                             if (left-- <= 0) { clearInterval(timer); submit(); } };
        tick(); timer = setInterval(tick, 1000);
        box.append(clock);
      }
      const save = (q) => call("PUT", "/attempts/" + a.id + "/answers", { answers: { [q.id]: answerOf(q, form) } }).catch(error);
      form.addEventListener("change", (ev) => {
        const q = all.find((x) => x.id === ev.target.name);
        if (q) save(q);
      });
      const submit = () => {
        if (timer) clearInterval(timer);
        const answers = {};
        for (const q of all) answers[q.id] = answerOf(q, form);
        call("POST", "/attempts/" + a.id + "/submit", { answers }).then((r) => showResult(r, r.passed)).catch((e) => {
          error(e);
          call("GET", "/attempts/" + a.id).then((r) => showResult(r, r.passed));
        });
      };
      form.addEventListener("submit", (ev) => { ev.preventDefault(); submit(); });
      form.append(el("button", { type: "submit", id: "quiz-submit" }, T.tSubmit));
      box.append(form);
    }
    function showResult(a, everPassed) {
      box.replaceChildren(el("p", { id: "quiz-result", class: a.passed ? "right" : "wrong" },
        el("strong", {}, (a.passed ? T.tPassed : T.tFailed) + " · " + T.tScore + ": " + a.score + " / " + a.max_score +
                         " (" + Math.round(a.percent) + "%)")));
      if (a.solutions_shown) {
        const ol = el("ol", { id: "quiz-solutions" });
        for (const s of a.sections) for (const q of s.questions) {
          ol.append(el("li", {}, q.text, el("br"), el("small", { class: q.awarded > 0 ? "right" : "wrong" },
            T.tSolution + ": " + JSON.stringify(q.solution) + (q.explanation ? " — " + q.explanation : ""))));
        }
        box.append(ol);
      }
      if (everPassed) { markOutline(); call("GET", "/enrolments/" + ENROLMENT + "/completion").then((c) => { if (c.completed) showCompleted(); }); }
      else box.append(el("button", { type: "button", id: "quiz-again" }, T.tAgain));
    }
  }
})();
