// The live wall: a slideshow of the event's shared photos and videos, kept current by polling a small
// JSON feed (events/wall_feed.py). It runs for hours on a venue's screen, so memory stays bounded (a
// couple of slides in the page, a capped playlist of plain entries) and a dropped network only pauses
// the updates: what is on screen stays, polls back off and resume by themselves.
"use strict";

(() => {
  const stage = document.querySelector("[data-wall]");
  const settings = JSON.parse(document.getElementById("wall-settings").textContent);
  const empty = document.querySelector(".wall-empty");
  const status = document.querySelector(".wall-status");
  // ?interval=<ms> shortens the slides (the tests' 300 changes); the fade fits within a slide.
  const interval = Number(new URLSearchParams(location.search).get("interval")) || settings.interval;
  const fade = Math.min(1200, interval / 2);
  // A new photo shows within 5 s: seen within a poll (plus up to 2 s of a shared cache of the feed),
  // then it cuts the slide shown short once that one has had MIN_SHOW_MS.
  const POLL_MS = 2000;
  const MIN_SHOW_MS = 1000;
  const MAX_BACKOFF_MS = 15000;
  const MAX_PLAYLIST = 200;
  const MAX_SLIDES = 3; // in the page at once: the one shown, the one fading out, the one loading
  const LOAD_TIMEOUT_MS = 10000;
  const VIDEO_MAX_MS = 60000;

  let playlist = []; // entries {id, kind, src, poster?, caption}, newest first
  let upNext = []; // ids that arrived since the last slide: shown before the cycle goes on
  let cycle = -1; // the playlist position of the slide shown
  let current = null; // {entry, figure}
  let cursor = null;
  let lastFull = 0;
  let failures = 0;
  let pollTimer = 0;
  let slideTimer = 0;
  let advancing = false;
  let shown = 0;

  const has = (id) => playlist.some((entry) => entry.id === id);

  function nextEntry() {
    while (upNext.length) {
      const id = upNext.shift();
      const index = playlist.findIndex((entry) => entry.id === id);
      if (index >= 0) {
        cycle = index;
        return playlist[index];
      }
    }
    if (!playlist.length) return null;
    cycle = (cycle + 1) % playlist.length;
    return playlist[cycle];
  }

  function merge(body) {
    const before = new Set(playlist.map((entry) => entry.id));
    if (body.full) {
      playlist = body.photos.slice(0, MAX_PLAYLIST);
    } else {
      const changed = new Set(body.drop.concat(body.photos.map((entry) => entry.id)));
      // Changes come oldest first; the newest goes first in line.
      const added = body.photos.slice().reverse();
      playlist = added.concat(playlist.filter((entry) => !changed.has(entry.id))).slice(0, MAX_PLAYLIST);
    }
    const arrived = playlist.filter((entry) => !before.has(entry.id)).map((entry) => entry.id);
    upNext = arrived.concat(upNext.filter((id) => has(id) && !arrived.includes(id)));
    if (!current || !has(current.entry.id)) advance(); // nothing shown, or what is shown was hidden
    else if (arrived.length) hurry();
  }

  function hurry() {
    clearTimeout(slideTimer);
    slideTimer = setTimeout(advance, Math.max(0, current.since + MIN_SHOW_MS - Date.now()));
  }

  function build(entry) {
    const figure = document.createElement("figure");
    figure.className = "wall-slide";
    figure.style.transitionDuration = `${fade}ms`;
    const media = document.createElement(entry.kind === "video" ? "video" : "img");
    if (entry.kind === "video") {
      Object.assign(media, { muted: true, playsInline: true, preload: "auto", poster: entry.poster });
    } else {
      media.alt = "";
    }
    media.src = entry.src;
    figure.append(media);
    if (entry.caption) {
      const caption = document.createElement("figcaption");
      caption.textContent = entry.caption;
      figure.append(caption);
    }
    return figure;
  }

  function loaded(media) {
    if (media.tagName === "IMG") return media.decode().then(() => true, () => false);
    return new Promise((resolve) => {
      media.addEventListener("loadeddata", () => resolve(true), { once: true });
      media.addEventListener("error", () => resolve(false), { once: true });
      setTimeout(() => resolve(false), LOAD_TIMEOUT_MS);
    });
  }

  // Gives the browser the decoded image or the video's buffers back before the element goes.
  function release(figure) {
    const media = figure.firstElementChild;
    if (media.tagName === "VIDEO") media.pause();
    media.removeAttribute("src");
    if (media.tagName === "VIDEO") media.load();
    figure.remove();
  }

  async function advance() {
    if (advancing) return;
    advancing = true;
    clearTimeout(slideTimer);
    try {
      await showNext();
    } finally {
      advancing = false;
    }
  }

  async function showNext() {
    const entry = nextEntry();
    if (!entry) {
      if (current) release(current.figure);
      current = null;
      empty.hidden = false;
      return;
    }
    const figure = build(entry);
    const media = figure.firstElementChild;
    stage.append(figure);
    if (!(await loaded(media)) || !has(entry.id)) {
      // Unreachable for now (offline, say) or hidden meanwhile: what is shown stays; try the next later.
      release(figure);
      slideTimer = setTimeout(advance, Math.min(interval, 2000));
      return;
    }
    const previous = current;
    current = { entry, figure, since: Date.now() };
    empty.hidden = true;
    figure.getBoundingClientRect(); // laid out hidden first, so the fade runs
    figure.classList.add("on");
    if (previous) {
      previous.figure.classList.remove("on");
      setTimeout(() => release(previous.figure), fade + 50);
    }
    trim();
    shown += 1;
    stage.dataset.shown = String(shown);
    stage.dataset.current = String(entry.id);
    if (entry.kind === "video") {
      media.play().catch(() => {});
      media.addEventListener("ended", advance, { once: true });
    }
    slideTimer = setTimeout(advance, entry.kind === "video" ? VIDEO_MAX_MS : interval);
  }

  // However slides pile up (fades overlapping at a short interval), the page keeps a few.
  function trim() {
    const slides = [...stage.children].filter((figure) => figure !== current.figure);
    slides.slice(0, Math.max(0, slides.length - (MAX_SLIDES - 1))).forEach(release);
  }

  async function poll() {
    clearTimeout(pollTimer);
    const full = cursor === null || Date.now() - lastFull >= settings.fullSync;
    const url = full ? settings.feed : `${settings.feed}?after=${encodeURIComponent(cursor)}`;
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok) throw new Error(`feed answered ${response.status}`);
      const body = await response.json();
      if (full) lastFull = Date.now();
      cursor = body.cursor;
      failures = 0;
      status.hidden = true;
      merge(body);
      pollTimer = setTimeout(poll, body.more ? 0 : POLL_MS);
    } catch {
      failures += 1;
      status.hidden = false;
      pollTimer = setTimeout(poll, Math.min(MAX_BACKOFF_MS, POLL_MS * 2 ** failures));
    }
  }

  // Back online: no need to wait out the back-off.
  window.addEventListener("online", poll);
  poll();
})();
