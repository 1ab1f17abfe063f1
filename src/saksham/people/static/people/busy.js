/* A form with data-busy shows that it is working once sent: its submit button is disabled (no second account
   from a double tap) and says what is happening, e.g. "Creating your account…". */
(function () {
  "use strict";
  document.querySelectorAll("form[data-busy]").forEach((form) => {
    form.addEventListener("submit", (ev) => {
      const button = ev.submitter || form.querySelector("button[type=submit], button:not([type])");
      if (!button || form.dataset.sent) { if (form.dataset.sent) ev.preventDefault(); return; }
      form.dataset.sent = "1";
      form.setAttribute("aria-busy", "true");
      if (button.name) {           // a disabled button is not sent: keep its value in the form
        const keep = document.createElement("input");
        keep.type = "hidden"; keep.name = button.name; keep.value = button.value;
        form.appendChild(keep);
      }
      button.dataset.label = button.textContent;
      button.textContent = form.dataset.busy;
      setTimeout(() => { button.disabled = true; }, 0);
      const status = form.querySelector("[data-busy-status]");
      if (status) status.textContent = form.dataset.busy;
    });
  });
  // Back from the browser's cache: the form may be sent again.
  window.addEventListener("pageshow", (ev) => {
    if (!ev.persisted) return;
    document.querySelectorAll("form[data-busy][data-sent]").forEach((form) => {
      delete form.dataset.sent; form.removeAttribute("aria-busy");
      form.querySelectorAll("button[data-label]").forEach((b) => { b.disabled = false; b.textContent = b.dataset.label; });
    });
  });
})();
