/* Full-screen viewer, shared by the dashboard gallery and the public album.

   Markup: a container [data-viewer] holding links a[data-viewer-item] whose href is the large image (or the
   video), with data-kind="photo|video", optional data-caption and optional data-download (a download URL).
   Optional labels on the container, so each page can translate them: data-label-prev, data-label-next,
   data-label-close, data-label-download, data-label-dialog.
   Without JavaScript the links still open the image itself. No inline script or style (the CSP forbids both). */
(function () {
  "use strict";

  var SWIPE_MIN_PX = 50;
  var DEFAULT_LABELS = { prev: "Previous", next: "Next", close: "Close", download: "Download", dialog: "Photo viewer" };

  function labelsOf(container) {
    var labels = {};
    Object.keys(DEFAULT_LABELS).forEach(function (name) {
      labels[name] = container.getAttribute("data-label-" + name) || DEFAULT_LABELS[name];
    });
    return labels;
  }

  function element(tag, className, attributes) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    return node;
  }

  function button(className, label, symbol) {
    var node = element("button", className, { type: "button", "aria-label": label, title: label });
    node.textContent = symbol;
    return node;
  }

  function Viewer(container) {
    this.container = container;
    this.labels = labelsOf(container);
    this.overlay = null;
    this.index = 0;
    this.opener = null;
    this.swipeStart = null;
    this.onKey = this.onKey.bind(this);
  }

  // Items are read when the viewer opens, so tiles added later ("more" loading) take part.
  Viewer.prototype.items = function () {
    return Array.prototype.slice.call(this.container.querySelectorAll("a[data-viewer-item]"));
  };

  Viewer.prototype.build = function () {
    var overlay = element("div", "viewer", { role: "dialog", "aria-modal": "true", "aria-label": this.labels.dialog });
    this.stage = element("div", "viewer-stage");
    this.caption = element("p", "viewer-caption");
    this.prevButton = button("viewer-prev", this.labels.prev, "\u2039");
    this.nextButton = button("viewer-next", this.labels.next, "\u203a");
    this.closeButton = button("viewer-close", this.labels.close, "\u00d7");
    this.download = element("a", "viewer-download", { download: "" });
    this.download.textContent = this.labels.download;
    [this.stage, this.prevButton, this.nextButton, this.closeButton, this.caption, this.download].forEach(function (node) {
      overlay.appendChild(node);
    });
    this.prevButton.addEventListener("click", this.move.bind(this, -1));
    this.nextButton.addEventListener("click", this.move.bind(this, 1));
    this.closeButton.addEventListener("click", this.close.bind(this));
    this.stage.addEventListener("pointerdown", this.onPointerDown.bind(this));
    this.stage.addEventListener("pointerup", this.onPointerUp.bind(this));
    this.stage.addEventListener("pointercancel", function () { this.swipeStart = null; }.bind(this));
    return overlay;
  };

  Viewer.prototype.open = function (link) {
    if (!this.overlay) {
      this.overlay = this.build();
      document.body.appendChild(this.overlay);
    }
    this.opener = link;
    this.overlay.hidden = false;
    document.documentElement.classList.add("viewer-open");
    document.addEventListener("keydown", this.onKey);
    this.show(this.items().indexOf(link));
    this.closeButton.focus();
  };

  Viewer.prototype.close = function () {
    this.stage.textContent = "";  // stops a playing video
    this.overlay.hidden = true;
    document.documentElement.classList.remove("viewer-open");
    document.removeEventListener("keydown", this.onKey);
    if (this.opener) this.opener.focus();
  };

  Viewer.prototype.move = function (step) {
    var target = this.index + step;
    if (target >= 0 && target < this.items().length) this.show(target);
  };

  Viewer.prototype.show = function (index) {
    var items = this.items();
    var link = items[index];
    this.index = index;
    this.stage.textContent = "";
    this.stage.appendChild(this.media(link));
    var caption = link.getAttribute("data-caption") || "";
    this.caption.textContent = caption;
    this.caption.hidden = !caption;
    var download = link.getAttribute("data-download");
    this.download.hidden = !download;
    if (download) this.download.href = download;
    else this.download.removeAttribute("href");
    this.prevButton.disabled = index === 0;
    this.nextButton.disabled = index === items.length - 1;
    this.overlay.setAttribute("data-index", String(index));
    this.preload(items[index + 1]);
  };

  Viewer.prototype.media = function (link) {
    if (link.getAttribute("data-kind") === "video") {
      var video = element("video", "viewer-media", { controls: "", playsinline: "", preload: "metadata" });
      video.src = link.href;
      return video;
    }
    // Not draggable: the browser's own image drag would cancel the swipe's pointer events.
    var image = element("img", "viewer-media", { alt: link.getAttribute("data-caption") || "", draggable: "false" });
    image.src = link.href;
    return image;
  };

  // The next photo is fetched while this one is looked at, so "next" shows at once.
  Viewer.prototype.preload = function (link) {
    if (link && link.getAttribute("data-kind") !== "video") new Image().src = link.href;
  };

  Viewer.prototype.onKey = function (event) {
    if (event.key === "ArrowLeft") this.move(-1);
    else if (event.key === "ArrowRight") this.move(1);
    else if (event.key === "Escape") this.close();
    else return;
    event.preventDefault();
  };

  Viewer.prototype.onPointerDown = function (event) {
    this.swipeStart = { x: event.clientX, y: event.clientY };
  };

  // A mostly horizontal drag moves: to the left shows the next item, like turning a page.
  Viewer.prototype.onPointerUp = function (event) {
    if (!this.swipeStart) return;
    var dx = event.clientX - this.swipeStart.x;
    var dy = event.clientY - this.swipeStart.y;
    this.swipeStart = null;
    if (Math.abs(dx) >= SWIPE_MIN_PX && Math.abs(dx) > Math.abs(dy)) this.move(dx < 0 ? 1 : -1);
  };

  function attach(container) {
    var viewer = new Viewer(container);
    container.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[data-viewer-item]");
      // A modified click keeps the browser's meaning (new tab, save...).
      if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      viewer.open(link);
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-viewer]"), attach);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
