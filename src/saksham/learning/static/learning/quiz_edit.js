// The quiz editor: each question form shows only the answer fields of the kind chosen (without this script every
// field shows, each labelled with the kinds it is for).
(function () {
  "use strict";
  document.querySelectorAll("select.question-kind").forEach(function (select) {
    var form = select.form;
    function show() {
      form.querySelectorAll(".kind-options").forEach(function (el) {
        var off = el.getAttribute("data-kinds").split(" ").indexOf(select.value) === -1;
        el.hidden = off;
        el.style.display = off ? "none" : "";
      });
    }
    select.addEventListener("change", show);
    show();
  });
}());
