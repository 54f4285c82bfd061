// The guest page: name once, then choose -> review -> upload, with the device's remaining count always
// visible and the uploads listed below. Plain browser JavaScript, no build step, no framework.
"use strict";

(function () {
  const config = window.PHOTOSHARE_CONFIG;
  const params = new URLSearchParams(window.location.search);
  const slug = params.get("event") || "";
  const uploadKey = params.get("key") || "";
  const stallMs = 1000 * (Number(params.get("stall")) || config.stallSeconds);
  const $ = (id) => document.getElementById(id);
  const { t } = window.I18n;

  // `full`: the event holds all it can take (its caps), whatever this phone's count says.
  // `items`: this event's files on the phone (IndexedDB), in review or queued; `keep`: photos taken on
  // the limit screen, never uploaded; `rows`: the upload list's entries, finished ones included.
  const state = {
    name: "", deviceId: "", count: 0, limit: 0, full: false, event: {}, quality: "original",
    items: [], keep: [], rows: new Map(),
  };
  // `entered`: the queue is loaded and the first screen shown; `rechecking`: an event read is under way.
  const runner = { busy: false, timer: null, pausedUntil: 0, current: null, entered: false, rechecking: false };
  const BACKOFF = 2000;
  // How long a file the server checks on its own is asked about every retryAfter seconds; then once a minute.
  const CHECK_MS = 15 * 60 * 1000;
  // Answers worth trying again later: no answer, busy, or a 429 that is not limit_reached (the phone's
  // photos spent: final): too many from this network at once (rate_limited), or API Gateway's throttle.
  const TRANSIENT = (status, body) =>
    status === 0 || status === 409 || status >= 500 || (status === 429 && body.status !== "limit_reached");

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

  // The device id is kept in a cookie too: it is what finds this phone's uploads on the server (My
  // uploads), so a cleared or refused localStorage must not lose it.
  const cookieName = (what) => encodeURIComponent(storageKey(what));
  function loadCookie(what) {
    const pair = document.cookie.split("; ").find((cookie) => cookie.startsWith(`${cookieName(what)}=`));
    return pair ? decodeURIComponent(pair.slice(cookieName(what).length + 1)) : "";
  }
  function saveCookie(what, value) {
    document.cookie = `${cookieName(what)}=${encodeURIComponent(value)}; max-age=31536000; path=/; SameSite=Strict`;
  }

  function newId() {
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
    $("remaining").textContent = t("remaining", { left, count: state.limit });
    $("remaining").classList.toggle("none-left", left === 0);
  }

  function showStatus(text) {
    $("status").textContent = text;
    $("status").hidden = !text;
  }

  function showReady() {
    if (reviewing().length) {
      showReview();
    } else if (state.full || state.count >= state.limit) {
      $("limit-title").textContent = t(state.full ? "limit.full_title" : "limit.title");
      $("limit-lead").textContent = t("limit.lead", { count: state.limit });
      show("limit");
    } else {
      // The name sits inside the sentence, in bold, wherever the language puts it.
      const [before, after] = t("ready.greeting").split("{name}");
      $("greeting-before").textContent = before;
      $("greeting-name").textContent = state.name;
      $("greeting-after").textContent = after;
      show("ready");
    }
  }

  function fail(message) {
    $("problem-message").textContent = message;
    show("problem");
  }

  // --- choosing and reviewing ---------------------------------------------------------------
  const reviewing = () => (state.keep.length ? state.keep : state.items.filter((item) => item.state === "review"));
  // Every file in review or queued and not yet started holds a slot the server has not counted yet.
  const slotsLeft = () => state.limit - state.count - state.items.filter((item) => !item.uploadId).length;
  // Which words name a set of files (catalog keys end with it): each language says it whole.
  const kind = (items) => {
    const videos = items.filter((item) => Media.isVideo(item.type)).length;
    return videos === 0 ? "photos" : videos === items.length ? "videos" : "mixed";
  };
  // The server answers in English: the page shows its own words for the answer's code.
  const said = (body, fallback = "error.generic") =>
    t(window.I18n.has(`error.${body.status}`) ? `error.${body.status}` : fallback);

  // Refused in the page, before any byte is sent: what the server would refuse anyway.
  function refusal(item) {
    if (!item.type) return t("refused.type", { file: item.fileName });
    const video = Media.isVideo(item.type);
    if (video && state.event.allowVideos === false) return t("refused.videos");
    // A photo sent "Smaller, faster" is measured once it is made smaller.
    return !video && state.quality === "smaller" ? "" : tooLarge(item);
  }

  function tooLarge(item) {
    const video = Media.isVideo(item.type);
    const most = (video ? state.event.maxVideoBytes : state.event.maxPhotoBytes) || Infinity;
    if (item.file.size <= most) return "";
    return t(video ? "refused.large_video" : "refused.large_photo", { file: item.fileName, size: Media.inWords(most) });
  }

  // Each file is stored on the phone as soon as it is chosen, so a selection large enough to make the
  // tab reload loses nothing; never more than the phone has slots left.
  async function choose(files, keep) {
    const chosen = Array.from(files, (file) => ({
      id: newId(), slug, name: state.name, deviceId: state.deviceId, file, fileName: file.name || t("file.photo"),
      type: Media.contentType(file), state: "review", added: Date.now(),
    }));
    if (keep) {
      state.keep = chosen;
      showReview();
      return;
    }
    const notes = chosen.map(refusal).filter(Boolean);
    const fitting = chosen.filter((item) => !refusal(item));
    const left = Math.max(slotsLeft(), 0);
    const taken = fitting.slice(0, left);
    if (taken.length < fitting.length) {
      notes.push(t(`choose.partial.${kind(fitting)}`, { taken: taken.length, count: fitting.length, left }));
    }
    for (const item of taken) {
      state.items.push(item);
      await window.PhotoQueue.add(item);
    }
    showNote(notes.join(" "));
    showReady();
    taken.filter((item) => Media.isVideo(item.type)).forEach(addPoster);
  }

  async function addPoster(item) {
    item.poster = await Media.poster(item.file);
    if (!state.items.includes(item)) return;
    await window.PhotoQueue.add(item);
    if (item.state === "review") showReview(); else renderRow(item);
  }

  function showNote(text) {
    $("review-note").textContent = text;
    $("review-note").hidden = !text;
    showStatus(text);
  }

  function thumbnail(item) {
    const img = document.createElement("img");
    img.alt = item.fileName;
    if (Media.isVideo(item.type)) {
      if (item.poster) img.src = item.poster;
      img.className = "video";
    } else {
      img.src = URL.createObjectURL(item.file);
      img.onload = img.onerror = () => URL.revokeObjectURL(img.src);
    }
    return img;
  }

  function showReview() {
    const items = reviewing();
    if (!items.length) return showReady();
    const strip = $("review-strip");
    strip.replaceChildren(...items.map((item) => {
      const li = document.createElement("li");
      const discard = document.createElement("button");
      discard.type = "button";
      discard.className = "discard";
      discard.textContent = "×";
      discard.setAttribute("aria-label", t("review.discard_one", { file: item.fileName }));
      discard.addEventListener("click", () => drop([item]));
      li.append(thumbnail(item), discard);
      return li;
    }));
    const keeping = state.keep.length > 0;
    $("upload-button").hidden = keeping;
    $("add-more").hidden = keeping;
    $("quality").hidden = keeping || items.every((item) => Media.isVideo(item.type));
    $("upload-button").textContent =
      items.length === 1 ? t("review.upload") : t(`review.upload.${kind(items)}`, { count: items.length });
    $("saved-note").hidden = true;
    show("review");
  }

  async function drop(items) {
    for (const item of items) {
      state.keep = state.keep.filter((kept) => kept !== item);
      state.items = state.items.filter((kept) => kept !== item);
      await window.PhotoQueue.remove(item.id);
    }
    showNote("");
    showReady();
  }

  async function saveToPhone() {
    const files = reviewing().map((item) => item.file);
    if (navigator.canShare && navigator.canShare({ files })) {
      try {
        await navigator.share({ files });
        $("saved-note").hidden = false;
        return;
      } catch (e) {
        if (e.name === "AbortError") return;
      }
    }
    for (const file of files) {
      const link = document.createElement("a");
      link.href = URL.createObjectURL(file);
      link.download = file.name || `photo-${Date.now()}.jpg`;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    }
    $("saved-note").hidden = false;
  }

  // --- the upload list ----------------------------------------------------------------------
  async function queueReviewed() {
    const items = reviewing();
    if ([...state.rows.values()].every((row) => row.done === 1)) {
      state.rows.clear();
      $("queue-list").replaceChildren();
    }
    const refused = items.filter(refusal);
    showNote(refused.map(refusal).join(" "));
    await drop(refused);
    for (const item of items.filter((kept) => !refused.includes(kept))) {
      Object.assign(item, { state: "queued", quality: state.quality });
      await window.PhotoQueue.add(item);
      renderRow(item, t("row.waiting"));
    }
    showReady();
    window.MyUploads.render();
    pump();
  }

  function renderRow(item, text) {
    let row = state.rows.get(item.id);
    if (!row) {
      row = { li: document.createElement("li"), text: document.createElement("span"), size: item.file.size, done: 0 };
      row.bar = Object.assign(document.createElement("progress"), { max: 1, value: 0 });
      const label = document.createElement("div");
      label.append(Object.assign(document.createElement("strong"), { textContent: item.fileName }), row.text, row.bar);
      row.li.append(thumbnail(item), label);
      $("queue-list").append(row.li);
      state.rows.set(item.id, row);
    } else if (item.poster && !row.li.querySelector("img").src) {
      row.li.querySelector("img").src = item.poster;
    }
    if (text !== undefined) row.text.textContent = text;
    showProgress();
  }

  function setRow(item, fraction, text) {
    const row = state.rows.get(item.id);
    row.done = fraction;
    row.bar.value = fraction;
    if (text !== undefined) row.text.textContent = text;
    showProgress();
  }

  // A file that will not go (refused, or the event said no) leaves the list's progress as done.
  function closeRow(item, text) {
    setRow(item, 1, text);
    state.rows.get(item.id).bar.hidden = true;
  }

  function showProgress() {
    const rows = [...state.rows.values()];
    const total = rows.reduce((sum, row) => sum + row.size, 0);
    const sent = rows.reduce((sum, row) => sum + row.size * row.done, 0);
    const finished = rows.filter((row) => row.done === 1).length;
    $("queue-panel").hidden = rows.length === 0;
    $("progress").value = total ? Math.round((100 * sent) / total) : 0;
    $("progress-text").textContent = t("progress", { done: finished, total: rows.length, percent: $("progress").value });
    const waiting = state.items.filter((i) => i.state === "queued" && i !== runner.current && !i.checking).length;
    $("waiting").hidden = waiting === 0;
    $("waiting-text").textContent = t("waiting", { count: waiting });
  }

  // One file at a time, oldest first; a file that cannot go now waits its own backoff while the ones
  // behind it go, and a Retry-After from the server pauses them all.
  async function pump() {
    if (runner.busy) return;
    runner.busy = true;
    clearTimeout(runner.timer);
    try {
      for (let next = due(); next && runner.pausedUntil <= Date.now(); next = due()) await send(next);
    } finally {
      runner.busy = false;
      const waits = state.items.filter((item) => item.state === "queued").map((item) => item.retryAt || 0);
      if (waits.length) runner.timer = setTimeout(pump, Math.max(Math.min(...waits), runner.pausedUntil) - Date.now());
    }
  }

  const due = () => state.items.find((item) => item.state === "queued" && !(item.retryAt > Date.now()));

  async function send(item) {
    runner.current = item;
    window.MyUploads.render();
    try {
      await sendOne(item);
    } catch (e) {
      // The phone itself failed (storage, a file gone from the library): this file waits, the rest go.
      postpone(item, { status: 0, body: {}, retryAfter: 0 });
    } finally {
      runner.current = null;
      showProgress();
    }
  }

  async function sendOne(item) {
    renderRow(item);
    if (!(await prepare(item))) return;
    if (!item.checking) setRow(item, 0, t("row.uploading"));
    const answer = await window.DirectUpload.send(item, {
      uploadKey, stallMs, save: (changed) => window.PhotoQueue.add(changed),
      onProgress: (fraction) => setRow(item, Math.min(fraction, 0.99)),
      onStarted: (body) => { if (body.limit) { state.count = body.count; state.limit = body.limit; showCount(); } },
    });
    if (answer.body.status === "processing") {
      await check(item, answer);
    } else if (TRANSIENT(answer.status, answer.body)) {
      postpone(item, answer);
    } else {
      await finish(item);
      handleAnswer(item, answer);
    }
  }

  // "Smaller, faster" re-encodes a photo once, before hashing; the queue then keeps those exact bytes,
  // so a resend is the same file and never spends a second slot.
  async function prepare(item) {
    if (item.quality === "smaller" && !item.prepared && !Media.isVideo(item.type)) {
      setRow(item, 0, t("row.smaller"));
      const smaller = await Media.downscale(item.file, config.maxEdge, config.jpegQuality);
      if (smaller) Object.assign(item, { file: smaller, type: "image/jpeg" });
      item.prepared = true;
      state.rows.get(item.id).size = item.file.size;
    }
    const refused = tooLarge(item);
    if (refused) {
      await finish(item);
      closeRow(item, refused);
      return false;
    }
    if (!item.sha256) {
      setRow(item, 0, t("row.hashing"));
      item.sha256 = await window.Sha256.ofBlob(item.file);
    }
    await window.PhotoQueue.add(item);
    return true;
  }

  // Every byte arrived, but the server checks a file this large on its own (202 "processing"): it is asked
  // again after its retryAfter, while the files behind go; its answer ends it (200 stored, 404 refused).
  async function check(item, answer) {
    item.checking = item.checking || Date.now();
    await window.PhotoQueue.add(item);
    const wait = Date.now() - item.checking < CHECK_MS ? answer.body.retryAfter || 3 : 60;
    item.retryAt = Date.now() + wait * 1000;
    setRow(item, 0.99, t(Media.isVideo(item.type) ? "row.checking_video" : "row.checking_photo"));
  }

  // Waits at least as long as the server's Retry-After asks, and a random half more, so a venue's
  // phones refused together do not all come back in the same second.
  function postpone(item, answer) {
    item.failures = (item.failures || 0) + 1;
    item.retryAt = Date.now() + Math.min(BACKOFF * 2 ** (item.failures - 1), 60000);
    if (answer.retryAfter) {
      runner.pausedUntil = Date.now() + answer.retryAfter * 1000 * (1 + Math.random() / 2);
    }
    setRow(item, state.rows.get(item.id).done, t("row.retry"));
    showStatus(waitingMessage(answer.status, answer.body));
  }

  function waitingMessage(status, body) {
    if (status === 0) return t("later.offline");
    if (body.status === "rate_limited") return said(body);
    if (body.status === "storage_full") return t("later.storage_full");
    return t("later.busy");
  }

  async function finish(item) {
    item.state = "finished";
    state.items = state.items.filter((kept) => kept !== item);
    await window.PhotoQueue.remove(item.id);
  }

  function handleAnswer(item, { status, body }) {
    window.MyUploads.refresh();
    if (status === 200) {
      state.count = body.count;
      state.limit = body.limit;
      showCount();
      const left = Math.max(state.limit - state.count, 0);
      // A checked file's status answers "duplicate": stored by the server's own check, not before.
      const duplicate = body.duplicate && !item.checking;
      setRow(item, 1, t(duplicate ? "row.duplicate" : "row.uploaded"));
      showStatus(duplicate ? t("status.duplicate") : t("status.uploaded", { count: left }));
      if ($("screen-review").hidden && $("screen-name").hidden) showReady();
      return;
    }
    closeRow(item, said(body));
    if (status === 429) {
      state.count = state.limit = body.limit || state.limit;
      showCount();
      showReady();
    } else if (body.status === "event_full") {
      showFull(said(body));
    } else if (body.status === "event_closed") {
      show("closed");
    } else if (body.status === "wrong_key" || body.status === "unknown_event") {
      fail(said(body));
    } else {
      showStatus(said(body));
      refreshCount();
    }
  }

  // A refused upload gave its slot back: the server's count says so (a lost answer changes nothing).
  async function refreshCount() {
    try {
      const { body } = await fetchEvent();
      if (body.device) Object.assign(state, { count: body.device.count, limit: body.device.limit });
      showCount();
    } catch (e) { /* the next answer brings the count */ }
  }

  // Final, like a closed event: the answer left the queue (403 is not retried) and the page stops asking.
  function showFull(message) {
    state.full = true;
    $("limit-lead").hidden = true;
    $("full-message").textContent = message;
    $("full-message").hidden = false;
    showStatus("");
    showReady();
  }

  function retryNow() {
    runner.pausedUntil = 0;
    state.items.forEach((item) => { item.retryAt = 0; });
    pump();
  }

  // --- start --------------------------------------------------------------------------------
  async function fetchEvent() {
    const query = new URLSearchParams({ key: uploadKey, deviceId: state.deviceId });
    const response = await fetch(`${config.apiBase}/events/${encodeURIComponent(slug)}?${query}`);
    return { status: response.status, body: await response.json().catch(() => ({})) };
  }

  // The phone's language while the event is asked for; then the event's own, when it fixes one.
  async function start() {
    const phoneLanguage = window.I18n.use("");
    if (!slug || !uploadKey) {
      await phoneLanguage;
      fail(t("problem.incomplete"));
      return;
    }
    state.deviceId = load("deviceID") || loadCookie("deviceID") || newId();
    save("deviceID", state.deviceId);
    saveCookie("deviceID", state.deviceId);
    state.name = load("guestName");
    let answer;
    try {
      answer = await fetchEvent();
    } catch (e) {
      await phoneLanguage;
      fail(t("problem.offline"));
      return;
    }
    await phoneLanguage;
    if (answer.status !== 200) {
      fail(said(answer.body, "error.open"));
      return;
    }
    const event = answer.body;
    await window.I18n.use(event.language || "");
    document.title = t("page.event_title", { name: event.name });
    $("event-name").removeAttribute("data-i18n");
    $("event-name").textContent = event.name;
    setQuality(load("quality") || event.quality || "original");
    await apply(event);
    showMine();
  }

  // What the server says about the event and this phone: at start, and each time the page comes back.
  async function apply(event) {
    state.event = event;
    state.limit = event.device ? event.device.limit : event.limit;
    state.count = event.device ? event.device.count : 0;
    if (!event.open) {
      show("closed");
      return;
    }
    showCount();
    if (!runner.entered) {
      runner.entered = true;
      state.items = await window.PhotoQueue.waiting(slug);
      state.items.filter((item) => item.state === "queued").forEach((item) => renderRow(item, t("row.waiting")));
      if (state.name) showReady(); else askName();
      pump();
    } else if (!$("screen-limit").hidden || !$("screen-closed").hidden) {
      showReady();
    }
  }

  // The organizer may have raised this phone's limit or reopened the event while the page sat in a
  // pocket: ask again when it comes back into view, or when the guest asks to.
  async function recheck() {
    if (!state.event.name || runner.rechecking) return;
    runner.rechecking = true;
    try {
      const answer = await fetchEvent();
      if (answer.status === 200) await apply(answer.body);
      window.MyUploads.refresh();
    } catch (e) {
      /* no connection: the next focus or tap asks again */
    } finally {
      runner.rechecking = false;
    }
  }

  // This phone's uploads from the server, with the files the queue still holds; a delete that gave the
  // slot back is read again like a raised limit (the limit screen may give way to the camera).
  function showMine() {
    window.MyUploads.start({
      siteBase: config.siteBase, slug, uploadKey, deviceId: state.deviceId, thumbnail, onDeleted: recheck,
      phoneItems: () => state.items.filter((item) => item.state === "queued")
        .map((item) => ({ item, current: item === runner.current })),
    });
  }

  function setQuality(quality) {
    state.quality = quality;
    document.querySelectorAll("input[name=quality]").forEach((radio) => { radio.checked = radio.value === quality; });
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
        choose(e.target.files, id === "keep-input");
        e.target.value = "";
      });
    });
    $("quality").addEventListener("change", (e) => {
      setQuality(e.target.value);
      save("quality", e.target.value);
    });
    $("upload-button").addEventListener("click", queueReviewed);
    $("save-button").addEventListener("click", saveToPhone);
    $("discard-button").addEventListener("click", () => drop(reviewing()));
    $("send-now").addEventListener("click", retryNow);
    window.addEventListener("online", retryNow);
    window.addEventListener("focus", recheck);
    document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") recheck(); });
    document.querySelectorAll(".check-again").forEach((button) => button.addEventListener("click", recheck));
  }

  wire();
  start();
})();
