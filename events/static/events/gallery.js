/* The gallery's bulk selection: "select all on this page", shift-click to tick a range, the count of
   ticked photos, and the action buttons enabled only while something is ticked. Without JavaScript the
   form still works: the server answers "Select at least one photo first". */
(function () {
  "use strict";

  function attach(form) {
    var boxes = Array.prototype.slice.call(form.querySelectorAll('input[name="ids"]'));
    var selectAll = form.querySelector("[data-select-all]");
    var count = form.querySelector("[data-selected-count]");
    var buttons = form.querySelectorAll("[data-needs-selection]");
    var last = null;

    function refresh() {
      var ticked = boxes.filter(function (box) { return box.checked; }).length;
      count.textContent = String(ticked);
      selectAll.checked = ticked === boxes.length;
      selectAll.indeterminate = ticked > 0 && ticked < boxes.length;
      Array.prototype.forEach.call(buttons, function (button) { button.disabled = ticked === 0; });
    }

    // Shift-click gives every box between the last one clicked and this one this one's new state.
    form.addEventListener("click", function (event) {
      var index = boxes.indexOf(event.target);
      if (index < 0) return;
      if (event.shiftKey && last !== null) {
        var from = Math.min(last, index);
        var to = Math.max(last, index);
        for (var i = from; i <= to; i++) boxes[i].checked = event.target.checked;
      }
      last = index;
      refresh();
    });
    selectAll.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = selectAll.checked; });
      refresh();
    });
    refresh();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-moderation]"), attach);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
