// Filters and search for the findings list. A small page is complete without this script; a large
// one keeps its findings as JSON (#report-data) and this script shows those selected, a page at a time.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var list = document.getElementById("findings");
  if (!form || !list) {
    return;
  }
  var shown = document.getElementById("shown");
  var empty = document.getElementById("none-shown");
  var more = document.getElementById("more");
  var PAGE = 200;
  var lazy = list.hasAttribute("data-lazy");
  var data = null;
  var items = [];
  var selected = [];
  var rendered = 0;

  function value(name) {
    var field = form.elements.namedItem(name);
    return field ? field.value : "";
  }

  function statusOk(st, status) {
    return status === "all" || (status === "open" ? st !== "pass" : st === status);
  }

  // --- a small page: the findings are in the markup ---------------------------------------
  function itemText(li) {
    if (li._text === undefined) {
      li._text = li.textContent.toLowerCase();
    }
    return li._text;
  }

  function itemGroup(li) {
    var body = li.querySelector("[data-group]");
    return body ? body.getAttribute("data-group") : "";
  }

  function matchesItem(li, f) {
    return (
      statusOk(li.getAttribute("data-status"), f.status) &&
      (!f.control || li.getAttribute("data-control") === f.control) &&
      (!f.severity || li.getAttribute("data-severity") === f.severity) &&
      (!f.group || itemGroup(li) === f.group) &&
      (!f.q || itemText(li).indexOf(f.q) !== -1)
    );
  }

  // --- a large page: the findings are JSON rows, made into the same markup when shown ---------
  function rowText(row) {
    if (row._text === undefined) {
      var rule = data.rules[row[0]];
      row._text = [rule[0], rule[1], rule[2], row[3], data.types[row[4]], row[5], data.groups[row[1]]]
        .join("\n")
        .toLowerCase();
    }
    return row._text;
  }

  function matchesRow(row, f) {
    var rule = data.rules[row[0]];
    return (
      statusOk(row[2], f.status) &&
      (!f.control || rule[3] === f.control) &&
      (!f.severity || rule[4] === f.severity) &&
      (!f.group || data.groups[row[1]] === f.group) &&
      (!f.q || rowText(row).indexOf(f.q) !== -1)
    );
  }

  // As the report's Python side shortens an id (console.short_id).
  function shortId(id) {
    var parts = id.split("/");
    var lowered = parts.map(function (p) {
      return p.toLowerCase();
    });
    var first = lowered.indexOf("providers");
    if (first !== -1) {
      return parts.slice(first + 2).join("/") || id;
    }
    return id || "(estate)";
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) {
      node.className = cls;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function entry(dl, label, content) {
    dl.appendChild(el("dt", "", label));
    var dd = el("dd");
    if (typeof content === "string") {
      dd.textContent = content;
    } else {
      dd.appendChild(content);
    }
    dl.appendChild(dd);
    return dd;
  }

  function build(row, index) {
    var rule = data.rules[row[0]];
    var status = row[2];
    var li = el("li", "finding sev-" + rule[4] + " st-" + status);
    li.setAttribute("data-control", rule[3]);
    li.setAttribute("data-severity", rule[4]);
    li.setAttribute("data-status", status);
    var details = el("details");
    details.open = index < 3 && status === "fail";
    var summary = el("summary");
    if (rule[5] === "recommended" && status === "fail") {
      summary.appendChild(el("span", "badge rec", "not met"));
    } else {
      summary.appendChild(el("span", "badge st-" + status, status.replace("_", " ")));
    }
    summary.appendChild(document.createTextNode(" "));
    summary.appendChild(el("span", "badge sev-" + rule[4], rule[4]));
    if (rule[5] === "recommended") {
      summary.appendChild(document.createTextNode(" "));
      summary.appendChild(el("span", "badge rec", "recommended"));
    }
    summary.appendChild(document.createTextNode(" "));
    summary.appendChild(el("span", "title", rule[0] + " " + rule[2]));
    summary.appendChild(document.createTextNode(" "));
    summary.appendChild(el("span", "rid", shortId(row[3])));
    details.appendChild(summary);
    var body = el("div", "body");
    body.setAttribute("data-group", data.groups[row[1]]);
    var dl = el("dl");
    var rtype = data.types[row[4]];
    entry(dl, "Resource", (row[3] || "(estate)") + (rtype ? " (" + rtype + ")" : "")).className = "rid";
    entry(dl, "Finding", row[5]);
    if (row[6] !== null) {
      entry(dl, "Expected", el("pre", "", data.values[row[6]]));
    }
    if (row[7] !== null) {
      entry(dl, "Actual", el("pre", "", data.values[row[7]]));
    }
    if (rule[6]) {
      entry(dl, "How to fix", rule[6]);
    }
    if (rule[7]) {
      entry(dl, "Why", rule[7]);
    }
    if (row[8]) {
      entry(dl, "Waiver", row[8]).className = row[8].indexOf("Expired") === 0 ? "expired" : "waiver";
    }
    entry(dl, "Family", rule[3] + " · rule " + rule[1] + " · " + rule[5]);
    if (rule[8]) {
      var a = el("a", "", rule[9]);
      a.setAttribute("href", rule[8]);
      a.setAttribute("rel", "noopener noreferrer");
      entry(dl, "Source", a);
    }
    body.appendChild(dl);
    details.appendChild(body);
    li.appendChild(details);
    return li;
  }

  function showMore() {
    var stop = Math.min(selected.length, rendered + PAGE);
    var chunk = document.createDocumentFragment();
    for (var i = rendered; i < stop; i += 1) {
      chunk.appendChild(build(selected[i], i));
    }
    list.appendChild(chunk);
    rendered = stop;
    more.hidden = rendered >= selected.length;
    more.textContent = "show more (" + (selected.length - rendered) + " not shown yet)";
  }

  function apply() {
    var f = {
      control: value("control"),
      severity: value("severity"),
      status: value("status"),
      group: value("group"),
      q: value("q").trim().toLowerCase(),
    };
    var count = 0;
    if (lazy) {
      selected = data.findings.filter(function (row) {
        return matchesRow(row, f);
      });
      count = selected.length;
      list.textContent = "";
      rendered = 0;
      showMore();
      items = Array.prototype.slice.call(list.children);
    } else {
      items.forEach(function (li) {
        var ok = matchesItem(li, f);
        li.hidden = !ok;
        if (ok) {
          count += 1;
        }
      });
    }
    shown.textContent = String(count);
    empty.hidden = count !== 0;
  }

  function setOpen(open) {
    if (lazy) {
      items = Array.prototype.slice.call(list.children);
    }
    items.forEach(function (li) {
      if (!li.hidden) {
        li.querySelector("details").open = open;
      }
    });
  }

  if (lazy) {
    data = JSON.parse(document.getElementById("report-data").textContent);
    more.addEventListener("click", function () {
      showMore();
      items = Array.prototype.slice.call(list.children);
    });
  } else {
    items = Array.prototype.slice.call(list.querySelectorAll("li.finding"));
  }
  form.addEventListener("change", apply);
  form.addEventListener("input", apply);
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
