// Call sheet: "+ Add another promise" adds a commitment row from the formset's empty form.
// Delegated from the document, so it keeps working after htmx swaps a card.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-add-commitment]");
  if (!button) return;
  var prefix = button.getAttribute("data-add-commitment");
  var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  var template = document.getElementById("tpl-" + prefix);
  var rows = button.closest("fieldset").querySelector(".commitment-rows");
  var index = parseInt(total.value, 10);
  var wrapper = document.createElement("div");
  wrapper.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
  var row = wrapper.firstElementChild;
  rows.appendChild(row);
  total.value = String(index + 1);
  var first = row.querySelector("textarea, input");
  if (first) first.focus();
});
