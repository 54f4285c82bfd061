// The guest page: name once, then take -> review -> save / discard / upload, with the device's
// remaining count always visible. Plain browser JavaScript, no build step, no framework.
"use strict";

(function () {
  const config = window.PHOTOSHARE_CONFIG;
  const params = new URLSearchParams(window.location.search);
  const slug = params.get("event") || "";
  const uploadKey = params.get("key") || "";
  const $ = (id) => document.getElementById(id);

  // `full`: the event holds all it can take (its caps), whatever this phone's count says.
  const state = { name: "", deviceId: "", count: 0, limit: 0, full: false, photo: null, previewUrl: null };
  // Answers worth trying again later: no connection, busy, the same photo still in flight, or a 429
  // that is not limit_reached (the phone's photos spent: final): too many from this network at once
  // (rate_limited), or API Gateway's own throttle, whose body is not ours.
  const TRANSIENT = (status, body) =>
    status === 0 || status === 409 || status >= 500 || (status === 429 && body.status !== "limit_reached");
  const retry = { timer: null, delay: 2000, draining: false };

  // --- storage: per event, and tolerant of browsers that refuse localStorage ---------------
  const memory = {};
  const storageKey = (what) => `${config.storagePrefix}${slug}_${what}`;
  function load(what) {
    try { return window.localStorage.getItem(storageKey(what)) || ""; } catch (e) { return memory[what] || ""; }
  }
  function save(what, value) {
    memory[what] = value;
    try { window.localStorage.setItem(storageKey(what), value); } catch (e) { /* kept in memory */ }
  }

  function newDeviceId() {
    if (window.crypto.randomUUID) return window.crypto.randomUUID();
    // Plain-http pages (a laptop on the venue Wi-Fi) have no randomUUID: build a v4 UUID by hand.
    const b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  // --- screens ------------------------------------------------------------------------------
  function show(screen) {
    document.querySelectorAll(".screen").forEach((el) => { el.hidden = el.id !== `screen-${screen}`; });
    window.scrollTo(0, 0);
  }

  function showCount() {
    const left = Math.max(state.limit - state.count, 0);
    $("remaining").hidden = false;
    $("remaining").textContent = `${left} of ${state.limit} photo${state.limit === 1 ? "" : "s"} left`;
    $("remaining").classList.toggle("none-left", left === 0);
  }

  function showStatus(text) {
    $("status").textContent = text;
    $("status").hidden = !text;
  }

  function showReady() {
    if (state.full || state.count >= state.limit) {
      $("limit-count").textContent = String(state.limit);
      show("limit");
    } else {
      $("greeting-name").textContent = state.name;
      show("ready");
    }
  }

  function fail(message) {
    $("problem-message").textContent = message;
    show("problem");
  }

  // --- API ----------------------------------------------------------------------------------
  async function fetchEvent() {
    const query = new URLSearchParams({ key: uploadKey, deviceId: state.deviceId });
    const response = await fetch(`${config.apiBase}/events/${encodeURIComponent(slug)}?${query}`);
    const body = await response.json().catch(() => ({}));
    return { status: response.status, body };
  }

  function postPhoto(item, onProgress) {
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", `${config.apiBase}/upload`);
      xhr.setRequestHeader("Content-Type", "application/json");
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
      xhr.onload = () => {
        let body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON: handled by status */ }
        resolve({ status: xhr.status, body, retryAfter: Number(xhr.getResponseHeader("Retry-After")) || 0 });
      };
      xhr.onerror = () => resolve({ status: 0, body: {}, retryAfter: 0 });
      xhr.ontimeout = xhr.onerror;
      xhr.send(JSON.stringify({
        eventName: item.slug, uploadKey, guestName: item.name, deviceId: item.deviceId, image: item.dataUrl,
      }));
    });
  }

  // --- photos -------------------------------------------------------------------------------
  function loadImage(url) {
    return new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => resolve(img);
      img.onerror = reject;
      img.src = url;
    });
  }

  // Re-encode at most maxEdge px on the longest side: phones' 12 MP originals become ~1 MB,
  // and browsers apply the EXIF orientation when drawing. A photo the browser cannot decode
  // (HEIC outside Safari) is sent as is; the server accepts it.
  async function downscale(file) {
    try {
      const img = await loadImage(state.previewUrl);
      const scale = Math.min(1, config.maxEdge / Math.max(img.naturalWidth, img.naturalHeight));
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(img.naturalWidth * scale);
      canvas.height = Math.round(img.naturalHeight * scale);
      canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", config.jpegQuality));
      return blob || file;
    } catch (e) {
      return file;
    }
  }

  function readAsDataUrl(blob) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(blob);
    });
  }

  function review(file) {
    if (!file) return;
    forgetPhoto();
    state.photo = file;
    state.previewUrl = URL.createObjectURL(file);
    $("preview").hidden = false;
    $("preview-unavailable").hidden = true;
    $("preview").src = state.previewUrl;
    $("saved-note").hidden = true;
    $("upload-button").hidden = state.count >= state.limit;
    show("review");
  }

  function forgetPhoto() {
    if (state.previewUrl) URL.revokeObjectURL(state.previewUrl);
    state.photo = null;
    state.previewUrl = null;
    $("preview").removeAttribute("src");
  }

  async function saveToPhone() {
    const file = state.photo;
    if (navigator.canShare && navigator.canShare({ files: [file] })) {
      try {
        await navigator.share({ files: [file] });
        $("saved-note").hidden = false;
        return;
      } catch (e) {
        if (e.name === "AbortError") return;
      }
    }
    const link = document.createElement("a");
    link.href = state.previewUrl;
    link.download = file.name || `photo-${Date.now()}.jpg`;
    document.body.appendChild(link);
    link.click();
    link.remove();
    $("saved-note").hidden = false;
  }

  function discard() {
    forgetPhoto();
    showStatus("");
    showReady();
  }

  function setProgress(fraction) {
    const percent = Math.round(fraction * 100);
    $("progress").value = percent;
    $("progress-text").textContent = percent < 100 ? `${percent}%` : "Saving…";
  }

  // Every photo goes through the queue: stored on the phone first, removed once the server has
  // answered for good. A lost connection leaves it waiting; it is retried with backoff, on
  // reconnection and on the next visit.
  async function upload() {
    show("uploading");
    $("uploading-label").textContent = "Preparing your photo…";
    setProgress(0);
    let dataUrl;
    try {
      dataUrl = await readAsDataUrl(await downscale(state.photo));
    } catch (e) {
      showError(400, { message: "This photo could not be read. Try taking it again." });
      return;
    }
    const item = {
      id: newDeviceId(), slug, name: state.name, deviceId: state.deviceId, dataUrl, added: Date.now(),
    };
    await window.PhotoQueue.add(item);
    forgetPhoto();
    $("uploading-label").textContent = "Uploading…";
    await send(item, true);
  }

  async function send(item, watched) {
    const { status, body, retryAfter } = await postPhoto(item, watched ? setProgress : () => {});
    if (TRANSIENT(status, body)) {
      scheduleRetry(retryAfter);
      await showWaiting();
      if (watched) {
        showStatus(waitingMessage(status, body));
        showReady();
      }
      return false;
    }
    await window.PhotoQueue.remove(item.id);
    retry.delay = 2000;
    await showWaiting();
    handleUploadAnswer(status, body, watched);
    return true;
  }

  async function drain() {
    if (retry.draining) return;
    retry.draining = true;
    clearTimeout(retry.timer);
    try {
      for (const item of await window.PhotoQueue.waiting(slug)) {
        if (!(await send(item, false))) break;
      }
    } finally {
      retry.draining = false;
    }
  }

  function waitingMessage(status, body) {
    if (status === 0) return "No connection right now. The photo is saved on this phone and will upload by itself.";
    if (body.status === "rate_limited") return body.message;
    if (body.status === "storage_full") {
      return "The event's storage is full. The photo is saved on this phone and will upload once the organizer makes room.";
    }
    return "The server is busy. The photo is saved on this phone and will upload by itself.";
  }

  // Waits at least as long as the server's Retry-After asks, and a random half more, so a venue's
  // phones refused together do not all come back in the same second.
  function scheduleRetry(retryAfter) {
    clearTimeout(retry.timer);
    const wait = Math.max(retry.delay, retryAfter * 1000);
    retry.timer = setTimeout(drain, wait * (1 + Math.random() / 2));
    retry.delay = Math.min(retry.delay * 2, 60000);
  }

  async function showWaiting() {
    const waiting = (await window.PhotoQueue.waiting(slug)).length;
    $("waiting").hidden = waiting === 0;
    $("waiting-text").textContent = `${waiting} photo${waiting === 1 ? "" : "s"} waiting to upload.`;
  }

  function handleUploadAnswer(status, body, watched) {
    if (status === 200) {
      state.count = body.count;
      state.limit = body.limit;
      showCount();
      const left = Math.max(state.limit - state.count, 0);
      showStatus(body.duplicate ? "That photo was already uploaded." : `Uploaded! ${left} left.`);
      if (watched || !$("screen-ready").hidden || !$("screen-limit").hidden) showReady();
    } else if (status === 429) {
      state.count = state.limit = body.limit || state.limit;
      showCount();
      showReady();
    } else if (body.status === "event_full") {
      showFull(body.message);
    } else if (status === 403 || status === 404) {
      if (body.status === "event_closed") show("closed");
      else fail(body.message || "This link is not valid any more.");
    } else if (watched) {
      showError(status, body);
    } else {
      showStatus(body.message || "A waiting photo could not be uploaded.");
    }
  }

  // Final, like a closed event: the answer left the queue (403 is not retried) and the page stops asking.
  function showFull(message) {
    state.full = true;
    $("limit-title").textContent = "This event is full";
    $("limit-lead").hidden = true;
    $("full-message").textContent = message || "This event cannot take more photos.";
    $("full-message").hidden = false;
    showStatus("");
    showReady();
  }

  function showError(status, body) {
    $("error-message").textContent = body.message || "The upload failed.";
    show("error");
  }

  // --- start --------------------------------------------------------------------------------
  async function start() {
    if (!slug || !uploadKey) {
      fail("This link is incomplete. Scan the QR code on your table again.");
      return;
    }
    state.deviceId = load("deviceID") || newDeviceId();
    save("deviceID", state.deviceId);
    state.name = load("guestName");
    let answer;
    try {
      answer = await fetchEvent();
    } catch (e) {
      fail("No connection. Check your Wi-Fi or mobile data, then reload this page.");
      return;
    }
    if (answer.status !== 200) {
      fail(answer.body.message || "This event could not be opened. Scan the QR code again.");
      return;
    }
    const event = answer.body;
    document.title = `${event.name}: share your photos`;
    $("event-name").textContent = event.name;
    state.limit = event.device ? event.device.limit : event.limit;
    state.count = event.device ? event.device.count : 0;
    if (!event.open) {
      show("closed");
      return;
    }
    showCount();
    if (state.name) showReady(); else askName();
    await showWaiting();
    drain();
  }

  function askName() {
    $("guest-name").value = state.name;
    show("name");
    $("guest-name").focus();
  }

  function wire() {
    $("name-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const name = $("guest-name").value.trim();
      $("name-error").hidden = name.length > 0;
      if (!name) return;
      state.name = name;
      save("guestName", name);
      showReady();
    });
    $("change-name").addEventListener("click", askName);
    ["camera-input", "library-input", "keep-input"].forEach((id) => {
      $(id).addEventListener("change", (e) => {
        review(e.target.files[0]);
        e.target.value = "";
      });
    });
    $("preview").addEventListener("error", () => {
      if (!state.previewUrl) return;
      $("preview").hidden = true;
      $("preview-unavailable").hidden = false;
    });
    $("upload-button").addEventListener("click", upload);
    $("save-button").addEventListener("click", saveToPhone);
    $("discard-button").addEventListener("click", discard);
    $("error-ok-button").addEventListener("click", discard);
    $("send-now").addEventListener("click", () => { retry.delay = 2000; drain(); });
    window.addEventListener("online", () => { retry.delay = 2000; drain(); });
  }

  wire();
  start();
})();
