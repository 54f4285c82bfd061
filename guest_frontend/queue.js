// Photos waiting to upload, kept in IndexedDB so a lost connection or a reload loses nothing.
// Each item holds the exact bytes that will be sent: a resend is recognised by the server as the
// same photo and never spends a second slot.
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
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const request = action(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error);
    });
  }

  return {
    add: (item) => run("readwrite", (s) => s.put(item), () => memory.set(item.id, item)),
    remove: (id) => run("readwrite", (s) => s.delete(id), () => memory.delete(id)),
    async waiting(slug) {
      const all = await run("readonly", (s) => s.getAll(), () => [...memory.values()]);
      return all.filter((item) => item.slug === slug).sort((a, b) => a.added - b.added);
    },
  };
})();
