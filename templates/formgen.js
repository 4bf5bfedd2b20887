/* formgen list pages: sort by any column, filter by year, unit and grade, search any Chinese substring.
   Without JavaScript the full table and every link work; these controls stay hidden. */
(function () {
  "use strict";
  var form = document.querySelector("form.filters");
  var table = document.querySelector("table.forms-list");
  if (!form || !table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var searchText = window.FORMGEN_SEARCH || {};
  var count = form.querySelector(".count");
  var collator = new Intl.Collator("zh-CN", { numeric: true });
  var sorted = "";  // how the rows are ordered, said after the count once a reader sorts them

  function normalize(text) {
    return (text || "").normalize("NFKC").toLowerCase().replace(/\s+/g, "");
  }

  function matches(row, query, year, unit, grade) {
    if (year && row.dataset.year !== year) { return false; }
    if (unit && row.dataset.unit !== unit) { return false; }
    if (grade && row.dataset.grade !== grade) { return false; }
    if (!query) { return true; }
    var text = searchText[row.dataset.slug] || normalize(row.textContent);
    return text.indexOf(query) !== -1;
  }

  function apply() {
    var query = normalize(form.elements.q.value);
    var year = form.elements.year.value;
    var unit = form.elements.unit.value;
    var grade = form.elements.grade.value;
    var shown = 0;
    rows.forEach(function (row) {
      var visible = matches(row, query, year, unit, grade);
      row.hidden = !visible;
      if (visible) { shown += 1; }
    });
    // The count is an aria-live region: a screen reader says it after each change of the filters or the order.
    count.textContent = "显示 " + shown + " / " + rows.length + " 张" + sorted;
  }

  function sortBy(header) {
    var index = Array.prototype.indexOf.call(header.parentNode.children, header);
    var numeric = header.dataset.type === "number";
    var descending = header.getAttribute("aria-sort") === "ascending";
    Array.prototype.forEach.call(header.parentNode.children, function (other) {
      other.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", descending ? "descending" : "ascending");
    rows.sort(function (a, b) {
      var x = a.cells[index].dataset.value;
      var y = b.cells[index].dataset.value;
      var order = numeric ? parseFloat(x) - parseFloat(y) : collator.compare(x, y);
      return descending ? -order : order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    sorted = "，按" + header.textContent + (descending ? "降序" : "升序") + "排列";
    apply();
  }

  // A button in each column header: reached by Tab, pressed by Enter or Space, as any button.
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = header.textContent;
    button.title = "按" + header.textContent + "排序";
    header.textContent = "";
    header.appendChild(button);
    button.addEventListener("click", function () { sortBy(header); });
  });

  var params = new URLSearchParams(window.location.search);
  if (params.get("q")) { form.elements.q.value = params.get("q"); }
  form.addEventListener("input", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  apply();
}());
