/* What every page shares, kept out of the HTML so that the Content-Security-Policy allows only the site's own
   script files: a menu that submits its form when chosen, and sideways-scrolling panels reachable by keyboard. */
(function () {
  "use strict";
  // <select data-autosubmit>: choosing an option submits the form (the language menu, the studio's filters).
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el && el.matches && el.matches("select[data-autosubmit]") && el.form) {
      if (el.form.requestSubmit) { el.form.requestSubmit(); } else { el.form.submit(); }
    }
  });
  // A table or panel that scrolls sideways on a small screen can be scrolled with the keyboard too.
  function mark() {
    document.querySelectorAll("table.data, .scroll, [data-scrolls]").forEach(function (e) {
      if (e.scrollWidth > e.clientWidth + 1) { if (!e.hasAttribute("tabindex")) e.tabIndex = 0; }
      else if (e.tabIndex === 0 && !e.matches("a, button, input, select, textarea")) e.removeAttribute("tabindex");
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", mark); } else { mark(); }
  document.addEventListener("htmx:afterSettle", mark);
  window.addEventListener("resize", mark);
})();
