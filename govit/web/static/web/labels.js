/* Tables that stack on a phone (table.stack): each cell is given its column's heading as
   data-label (unless the template wrote one), which the stylesheet shows before the cell, so a
   stacked "—" or "86.00" says what it is. Run on each page and on each part htmx brings in. */
(function () {
  "use strict";

  function label(root) {
    var tables = root.querySelectorAll ? root.querySelectorAll("table.stack") : [];
    Array.prototype.forEach.call(tables, function (table) {
      var headings = [];
      var head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
      if (!head) {
        return;
      }
      Array.prototype.forEach.call(head.cells, function (th) {
        for (var i = 0; i < (th.colSpan || 1); i++) {
          headings.push(th.textContent.replace(/\s+/g, " ").trim());
        }
      });
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          var column = 0;
          Array.prototype.forEach.call(row.cells, function (cell) {
            var span = cell.colSpan || 1;
            // a cell across the whole row ("没有符合条件的项目") needs no heading
            if (!cell.hasAttribute("data-label") && span < headings.length && headings[column]) {
              cell.setAttribute("data-label", headings[column]);
            }
            column += span;
          });
        });
      });
    });
  }

  function labelAll() {
    label(document);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", labelAll);
  } else {
    labelAll();
  }
  document.addEventListener("htmx:afterSettle", function (event) {
    label(event.target && event.target.parentNode ? event.target.parentNode : document);
  });
})();
