// My uploads: this phone's photos and videos for the event, each with its state. What the server holds
// comes from GET <siteBase>/api/events/<slug>/mine (so the list survives a cleared cache); the files still
// on the phone come from the page's queue. A guest may delete their own upload where the event allows.
"use strict";

window.MyUploads = (function () {
  const t = (key, vars) => window.I18n.t(key, vars);
  const $ = (id) => document.getElementById(id);
  // `page`: what start() was given (the event, the phone, and the page's own queue);
  // `known`: the server's last answer.
  let page = null;
  let known = { uploads: [], pending: [], guestDelete: "off", album: null };

  function start(options) {
    page = options;
    return refresh();
  }

  const url = (path) => `${page.siteBase}/api/events/${encodeURIComponent(page.slug)}/mine${path}`;

  async function refresh() {
    if (!page) return;
    try {
      const query = new URLSearchParams({ key: page.uploadKey, deviceId: page.deviceId });
      const response = await fetch(`${url("")}?${query}`);
      if (response.ok) known = await response.json();
    } catch (e) {
      /* no connection: the last list stays, the next refresh brings the news */
    }
    render();
  }

  // The files still on the phone first (waiting their turn, or being sent), then those the server holds.
  // A file the server is receiving is shown once: the phone's copy, matched by its SHA-256.
  function entries() {
    const phone = page.phoneItems();
    const onPhone = new Set(phone.map(({ item }) => item.sha256).filter(Boolean));
    const receiving = new Set(known.pending.map((pending) => pending.id));
    const sending = (item, current) => current || receiving.has(item.sha256);
    return [
      ...phone.map(({ item, current }) => ({ state: sending(item, current) ? "uploading" : "queued", image: page.thumbnail(item) })),
      ...known.pending.filter((pending) => !onPhone.has(pending.id)).map((pending) => ({ state: "uploading", kind: pending.kind })),
      ...known.uploads.map((upload) => ({ state: upload.state, kind: upload.kind, upload })),
    ];
  }

  function render() {
    if (!page) return;
    const list = entries();
    $("mine-panel").hidden = list.length === 0 && !known.album;
    $("mine-empty").hidden = list.length > 0;
    $("mine-list").replaceChildren(...list.map(tile));
    showAlbum(known.album);
  }

  function tile(entry) {
    const li = document.createElement("li");
    li.className = `mine-${entry.state}`;
    const img = entry.image || document.createElement("img");
    const video = entry.kind === "video";
    if (!entry.image) img.alt = t(video ? "mine.video" : "mine.photo");
    if (entry.upload) img.src = entry.upload.thumbnailUrl;
    const state = Object.assign(document.createElement("span"), { className: "mine-state" });
    state.textContent = t(`mine.state.${entry.state}`);
    li.append(img, state);
    if (entry.upload && entry.upload.canDelete) li.append(deleteButton(entry.upload));
    return li;
  }

  function deleteButton(upload) {
    const button = Object.assign(document.createElement("button"), { type: "button", className: "secondary danger mine-delete" });
    button.textContent = t("mine.delete");
    const video = upload.kind === "video";
    button.setAttribute("aria-label", t(video ? "mine.deleteVideo" : "mine.deletePhoto"));
    button.addEventListener("click", () => remove(upload, button));
    return button;
  }

  // Asks once (the phone's own dialog, in its words), then says what happened.
  async function remove(upload, button) {
    if (!window.confirm(t(`mine.ask.${known.guestDelete}`))) return;
    button.disabled = true;
    const answer = await postDelete(upload.id);
    showNote(noteFor(answer));
    await refresh();
    if (answer.status === 200) page.onDeleted();
  }

  async function postDelete(id) {
    try {
      const response = await fetch(url(`/${id}/delete`), {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ key: page.uploadKey, deviceId: page.deviceId }),
      });
      return { status: response.status, body: await response.json().catch(() => ({})) };
    } catch (e) {
      return { status: 0, body: {} };
    }
  }

  // From the answer's code, never the server's English message.
  function noteFor({ status, body }) {
    if (status === 200) return t(`mine.deleted.${known.guestDelete}`);
    if (body.status === "delete_not_allowed") return t("mine.deleteOff");
    if (body.status === "unknown_photo") return t("mine.gone");
    return t("mine.deleteFailed");
  }

  function showNote(text) {
    $("mine-note").textContent = text;
    $("mine-note").hidden = !text;
  }

  // Before the album's reveal time the link still works: the album says itself when photos appear.
  function showAlbum(album) {
    $("album").hidden = !album;
    if (!album) return;
    $("album-link").href = album.url;
    const reveal = album.revealAt ? new Date(album.revealAt) : null;
    const later = reveal && reveal > new Date();
    $("album-when").hidden = !later;
    if (later) {
      const when = new Intl.DateTimeFormat(window.I18n.language(), { dateStyle: "medium", timeStyle: "short" }).format(reveal);
      $("album-when").textContent = t("mine.albumLater", { when });
    }
  }

  return { start, refresh, render };
})();
