// Progressive enhancement only: the page works without this file.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
    var print = document.getElementById("print");
    if (print) { print.addEventListener("click", function () { window.print(); }); }
    var filter = document.getElementById("f-filter");
    if (filter) {
      filter.addEventListener("input", function () {
        var q = filter.value.trim().toLowerCase();
        document.querySelectorAll(".sym").forEach(function (row) {
          var hit = !q || row.getAttribute("data-terms").indexOf(q) !== -1;
          row.hidden = !hit;
        });
        document.querySelectorAll("details.area").forEach(function (area) {
          if (q) { area.open = area.querySelector(".sym:not([hidden])") !== null; }
        });
      });
    }
    var results = document.getElementById("results");
    if (results && window.matchMedia("(max-width: 960px)").matches) { results.focus(); }
  });
})();
