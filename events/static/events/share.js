// A button with data-share="<field id>" hands that field's link to the phone's or computer's share sheet
// (the Web Share API). Browsers without it keep the button hidden: Copy link is there for them.
(function () {
  if (!navigator.share) return;
  document.querySelectorAll("[data-share]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var link = document.getElementById(button.getAttribute("data-share")).value;
      // A cancelled share sheet rejects the promise: nothing to say about it.
      navigator.share({ title: button.getAttribute("data-share-title"), url: link }).catch(function () {});
    });
  });
})();
