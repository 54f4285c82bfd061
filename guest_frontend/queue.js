// Chosen photos and videos, kept in IndexedDB from the moment they are chosen, so a lost connection
// or a reload loses nothing. Each item holds the file (the exact bytes once queued), its SHA-256 and
// its uploadId once started: a resend is recognised by the server and never spends a second slot.
"use strict";

window.PhotoQueue = (function () {
  const DATABASE = "photoshare";
  const STORE = "uploads";
  const memory = new Map(); // when the browser refuses IndexedDB (some private modes)
  let opening = null;

  function open() {
    if (!window.indexedDB) return Promise.resolve(null);
    if (!opening) {
      opening = new Promise((resolve) => {
        const request = window.indexedDB.open(DATABASE, 1);
        request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "id" });
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => resolve(null);
      });
    }
    return opening;
  }

  async function run(mode, action, fallback) {
    const db = await open();
    if (!db) return fallback();
    return new Promise((resolve) => {
      const transaction = db.transaction(STORE, mode);
      const request = action(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(request.result);
      // A full phone refuses the write (QuotaExceededError): the page goes on from memory, and only a
      // reload would lose the file. A removal that failed brings back a file the server calls a duplicate.
      transaction.onabort = () => resolve(fallback());
    });
  }

  // Photos queued by the page before direct uploads, held as a data URL: queued again as a file.
  function upgrade(item) {
    if (item.file || !item.dataUrl) return item;
    const { dataUrl, ...rest } = item;
    const [head, data] = dataUrl.split(",");
    const type = head.slice(5, head.indexOf(";"));
    const file = new Blob([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], { type });
    return { ...rest, file, type, fileName: window.I18n.t("file.photo"), state: "queued", prepared: true };
  }

  return {
    add: (item) => run("readwrite", (s) => s.put(item), () => memory.set(item.id, item)),
    remove: (id) => run("readwrite", (s) => s.delete(id), () => memory.delete(id)),
    async waiting(slug) {
      const all = await run("readonly", (s) => s.getAll(), () => [...memory.values()]);
      return all.filter((item) => item.slug === slug).map(upgrade).sort((a, b) => a.added - b.added);
    },
  };
})();
