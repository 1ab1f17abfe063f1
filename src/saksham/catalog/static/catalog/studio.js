// The course studio: the competency picker's search box narrows the new row's list as the creator types.
(function () {
  "use strict";
  var box = document.querySelector(".competency-find");
  var rows = document.querySelectorAll(".competency-row select[name=competency]");
  if (!box || !rows.length) return;
  var select = rows[rows.length - 1];
  var input = box.querySelector("input");
  box.hidden = false;
  input.addEventListener("input", function () {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var first = null;
    Array.prototype.forEach.call(select.options, function (o) {
      if (!o.value) return;
      var text = o.textContent.toLowerCase();
      var shown = words.every(function (w) { return text.indexOf(w) !== -1; });
      o.hidden = !shown;
      if (shown && !first) first = o;
    });
    if (words.length && first && (select.selectedIndex < 1 || select.options[select.selectedIndex].hidden)) {
      select.value = first.value;
    }
  });
}());
