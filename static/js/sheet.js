// Call sheet: the promise rows of every card.
//
// The page carries the people a promise can be given to once (<template id="owner-options">); each
// owner <select> arrives holding only its chosen person and gets the full list here. The empty
// promise row is also on the page once (<template id="tpl-promise-row">): "+ Add another promise"
// copies it into its card, naming it after the card's formset (__card__) and the row (__prefix__).
// Delegated from the document and run again on htmx:load, so it keeps working after a card swap.
(function () {
  function fillOwners(root) {
    var options = document.getElementById("owner-options");
    if (!options || !root.querySelectorAll) return;
    root.querySelectorAll("select[data-owner-select]:not([data-owners-filled])").forEach(function (select) {
      var chosen = select.value;
      var kept = select.querySelector("option");
      select.innerHTML = options.innerHTML;
      var known = Array.prototype.some.call(select.options, function (o) { return o.value === chosen; });
      if (kept && !known) select.insertBefore(kept, select.firstChild); // someone no longer in the list
      select.value = chosen;
      select.setAttribute("data-owners-filled", "");
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-commitment]");
    if (!button) return;
    var prefix = button.getAttribute("data-add-commitment");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById("tpl-promise-row");
    var rows = button.closest("fieldset").querySelector(".commitment-rows");
    var index = parseInt(total.value, 10);
    var wrapper = document.createElement("div");
    wrapper.innerHTML = template.innerHTML.replace(/__card__-c/g, prefix).replace(/__prefix__/g, String(index));
    var row = wrapper.firstElementChild;
    rows.appendChild(row);
    fillOwners(row);
    total.value = String(index + 1);
    var first = row.querySelector("textarea, input");
    if (first) first.focus();
  });

  document.addEventListener("htmx:load", function (event) { fillOwners(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { fillOwners(document); });
  } else {
    fillOwners(document);
  }
})();
