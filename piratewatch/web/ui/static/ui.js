// Select-all boxes and keyboard shortcuts. A file, not inline: the Content-Security-Policy allows
// scripts from this origin only. Delegated on the document, so rows htmx swaps in work too.
(function () {
  "use strict";

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[data-select-all]")) return;
    var table = box.closest("table");
    if (!table) return;
    table.querySelectorAll("tbody input[type=checkbox][name=notice_ids]").forEach(function (each) {
      each.checked = box.checked;
    });
  });

  var current = -1;

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("table.list tbody tr[data-notice]"));
  }

  function mark(index) {
    var all = rows();
    if (!all.length) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (row, i) { row.classList.toggle("current", i === current); });
    all[current].scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var key = event.key;
    var all = rows();
    if ((key === "j" || key === "k") && all.length) {
      mark(current + (key === "j" ? 1 : -1));
      event.preventDefault();
      return;
    }
    if (key === "x" && all[current]) {
      var box = all[current].querySelector("input[type=checkbox]");
      if (box) box.checked = !box.checked;
      event.preventDefault();
      return;
    }
    if (key === "Enter" && all[current]) {
      var link = all[current].querySelector("a[href^='/ui/notices/']");
      if (link) link.click();
      event.preventDefault();
      return;
    }
    var field = document.querySelector("[data-shortcut-focus='" + key + "']");
    if (field) {
      field.focus();
      event.preventDefault();
      return;
    }
    var button = document.querySelector("button[data-shortcut='" + key + "']:not([disabled])");
    if (button) {
      button.click();
      event.preventDefault();
    }
  });
})();
