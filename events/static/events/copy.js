// A button with data-copy="<field id>" copies that field's text, and says so (no inline script: the CSP).
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-copy]");
  if (!button) return;
  var field = document.getElementById(button.getAttribute("data-copy"));
  field.select();
  // The clipboard API needs a secure context; a dashboard on plain http (the venue's Wi-Fi) uses the older command.
  var copied = navigator.clipboard ? navigator.clipboard.writeText(field.value) : Promise.resolve(document.execCommand("copy"));
  copied.then(function () { button.textContent = button.getAttribute("data-copied"); });
});
