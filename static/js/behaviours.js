// Small page behaviours declared in the HTML with data attributes, so no page needs an inline
// script or an on…= handler (the Content-Security-Policy allows neither; README, "Security").
// Loaded on every page from base.html; listeners sit on the document, so content htmx swaps in works too.
//   <select data-auto-submit>          submits its form when the choice changes
//   <button data-print>                opens the browser's print dialog
//   <input data-select-on-focus>       selects its whole text on focus (a read-only address to copy)
//   <form data-confirm="Question?">    asks before submitting; Cancel keeps the page as it is
//   <input type=checkbox data-select-all="input[name=ids]">  ticks or unticks every matching box
//   <form data-submit-once>            greys out its submit buttons once sent, so a double click sends once
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-auto-submit]") && target.form) target.form.requestSubmit();
    if (target.matches("[data-select-all]")) {
      document.querySelectorAll(target.getAttribute("data-select-all")).forEach(function (box) {
        box.checked = target.checked;
      });
      target.dispatchEvent(new Event("selectall", { bubbles: true }));
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

  document.addEventListener("focusin", function (event) {
    if (event.target.matches("[data-select-on-focus]")) event.target.select();
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("[data-confirm]") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
    if (!event.defaultPrevented && form.matches("[data-submit-once]")) {
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (button) {
          button.disabled = true;
        });
      }, 0);
    }
  });
})();
