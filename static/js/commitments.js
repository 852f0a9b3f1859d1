// /commitments/: the bulk bar shows only the fields the chosen action needs and counts the ticked rows.
(function () {
  "use strict";
  var form = document.getElementById("bulk");
  if (!form) return;
  var action = form.querySelector("select[name=action]");
  var count = document.getElementById("bulk-count");

  function show() {
    form.querySelectorAll("[data-for]").forEach(function (el) {
      el.hidden = el.getAttribute("data-for").split(" ").indexOf(action.value) === -1;
    });
  }

  function recount() {
    var n = form.querySelectorAll("input[name=ids]:checked").length;
    count.textContent = n ? n + " selected" : "Tick rows on the left.";
  }

  action.addEventListener("change", show);
  form.addEventListener("change", recount);
  form.addEventListener("selectall", recount);
  show();
  recount();
})();
