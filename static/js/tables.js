// Phone-first tables. Every data table is labelled here so that app.css can show it, under 600 px, as one card
// per row in which each cell carries its column's heading (data-label, taken from the table's own <th>s: templates
// need nothing special, and a template may set data-label itself). A table is left alone when it has no headings,
// sits in a lesson (authors' Markdown tables scroll instead) or is marked .no-cards.
//
// A table laid out as blocks loses its table semantics in some browsers, so the script states them as ARIA roles
// (table, rowgroup, row, columnheader, rowheader, cell): a screen reader still reads "事由, column 5 of 8".
(function () {
  "use strict";
  var SKIPPED = ".lesson-body table, table.no-cards";
  // Content that needs a line of its own in a card (a form, a list, a disclosure), whatever its length.
  var BLOCKS = "details, form, ul, ol, table, textarea, select, svg";
  // Content that counts even without text.
  var CONTENT = "a, button, input, select, textarea, img, svg, details, form, progress";
  // A cell shares a card's line with its neighbour when its label and value fit in half a card: about 128 px at
  // 360 px, inside a .card section. Widths are estimated from the text (app.css: the label is at least 4rem wide at
  // .8rem, the value at .95rem; a CJK character is about twice as wide as a digit or a Latin letter).
  var HALF_CARD_PX = 128;
  var LABEL_MIN_PX = 64;
  var LABEL_PX = 6.4;  // per half-em of the label's font
  var VALUE_PX = 7.6;  // per half-em of the value's font
  var GAP_PX = 8;

  // Width in half-ems: a CJK (or full-width) character counts two.
  function weight(value) {
    var total = 0;
    for (var i = 0; i < value.length; i += 1) {
      total += value.charCodeAt(i) > 0x2e7f ? 2 : 1;
    }
    return total;
  }

  function fitsHalfCard(label, value) {
    var width = Math.max(LABEL_MIN_PX, weight(label) * LABEL_PX) + GAP_PX + weight(value) * VALUE_PX;
    return width <= HALF_CARD_PX;
  }

  function text(node) {
    return (node.textContent || "").replace(/\s+/g, " ").trim();
  }

  function columnLabels(table) {
    var head = table.tHead;
    if (!head || !head.rows.length) { return null; }
    var labels = [];
    var cells = head.rows[head.rows.length - 1].cells;
    for (var i = 0; i < cells.length; i += 1) {
      var label = cells[i].getAttribute("data-label") || text(cells[i]);
      for (var span = 0; span < cells[i].colSpan; span += 1) { labels.push(label); }
    }
    return labels.some(Boolean) ? labels : null;
  }

  function labelCell(cell, label) {
    var value = text(cell);
    if (cell.colSpan === 1 && label && !cell.hasAttribute("data-label")) {
      cell.setAttribute("data-label", label);
    }
    if (!value && !cell.querySelector(CONTENT)) {
      cell.classList.add("cell-empty");
    } else if (cell.colSpan === 1 && fitsHalfCard(label || "", value) && !cell.querySelector(BLOCKS)) {
      cell.classList.add("cell-short");
    }
  }

  function prepare(table) {
    if (table.matches(SKIPPED) || table.classList.contains("cards")) { return; }
    var labels = columnLabels(table);
    if (!labels) { return; }
    table.setAttribute("role", "table");
    var sections = [table.tHead].concat(Array.prototype.slice.call(table.tBodies), [table.tFoot]);
    sections.forEach(function (section) {
      if (!section) { return; }
      var header = section === table.tHead;
      section.setAttribute("role", "rowgroup");
      Array.prototype.forEach.call(section.rows, function (row) {
        row.setAttribute("role", "row");
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (cell.tagName === "TH") {
            cell.setAttribute("role", header ? "columnheader" : "rowheader");
          } else {
            cell.setAttribute("role", "cell");
          }
          if (!header) { labelCell(cell, labels[column]); }
          column += cell.colSpan;
        });
      });
    });
    table.classList.add("cards");
  }

  function prepareAll() {
    Array.prototype.forEach.call(document.querySelectorAll("table"), prepare);
  }

  // Loaded at the end of <body>: the tables above are parsed, so they are labelled before the first paint.
  prepareAll();
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", prepareAll); }
})();
