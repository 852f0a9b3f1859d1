// Character counters: a field with `maxlength` and `data-counter` (ceocalls.limits.LimitedTextField)
// shows "120 / 500 characters" under it, updated as you type and marked near the limit.
// Loaded on every page from base.html; listeners sit on the document, so fields that htmx swaps
// in or that "+ Add another promise" adds get their counter too. No inline script (CSP-ready).
(function () {
  "use strict";
  var SELECTOR = "[data-counter][maxlength]";

  function counterFor(field) {
    var next = field.nextElementSibling;
    if (next && next.classList.contains("char-counter")) return next;
    var counter = document.createElement("div");
    counter.className = "form-text char-counter";
    counter.setAttribute("aria-live", "polite");
    if (field.id) {
      counter.id = field.id + "-counter";
      var described = field.getAttribute("aria-describedby");
      field.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
    }
    field.insertAdjacentElement("afterend", counter);
    return counter;
  }

  function update(field) {
    var limit = parseInt(field.getAttribute("maxlength"), 10);
    if (!limit) return;
    var length = field.value.length;
    var counter = counterFor(field);
    counter.textContent = length.toLocaleString("en") + " / " + limit.toLocaleString("en") + " characters";
    counter.classList.toggle("near-limit", length >= limit * 0.9);
    counter.classList.toggle("over-limit", length > limit);
  }

  function init(root) {
    if (root.matches && root.matches(SELECTOR)) update(root);
    if (root.querySelectorAll) root.querySelectorAll(SELECTOR).forEach(update);
  }

  function onField(event) {
    var field = event.target;
    if (field.matches && field.matches(SELECTOR)) update(field);
  }

  document.addEventListener("input", onField);
  document.addEventListener("focusin", onField);
  document.addEventListener("htmx:load", function (event) { init(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
})();
