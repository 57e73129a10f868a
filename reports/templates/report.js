// Filters for the findings list; the page is complete without this script.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var list = document.getElementById("findings");
  if (!form || !list) {
    return;
  }
  var items = Array.prototype.slice.call(list.querySelectorAll("li.finding"));
  var shown = document.getElementById("shown");
  var empty = document.getElementById("none-shown");

  function matches(li, control, severity, status) {
    var st = li.getAttribute("data-status");
    var statusOk = status === "all" || (status === "open" ? st !== "pass" : st === status);
    return (
      statusOk &&
      (!control || li.getAttribute("data-control") === control) &&
      (!severity || li.getAttribute("data-severity") === severity)
    );
  }

  function apply() {
    var control = form.elements.namedItem("control").value;
    var severity = form.elements.namedItem("severity").value;
    var status = form.elements.namedItem("status").value;
    var count = 0;
    items.forEach(function (li) {
      var ok = matches(li, control, severity, status);
      li.hidden = !ok;
      if (ok) {
        count += 1;
      }
    });
    shown.textContent = String(count);
    empty.hidden = count !== 0;
  }

  function setOpen(open) {
    items.forEach(function (li) {
      if (!li.hidden) {
        li.querySelector("details").open = open;
      }
    });
  }

  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
  });
  document.getElementById("expand").addEventListener("click", function () {
    setOpen(true);
  });
  document.getElementById("collapse").addEventListener("click", function () {
    setOpen(false);
  });
  // Printed pages cannot be clicked open: show every detail of what is listed.
  window.addEventListener("beforeprint", function () {
    setOpen(true);
  });
  form.hidden = false;
  apply();
})();
