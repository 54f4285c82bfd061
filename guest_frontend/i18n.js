// The guest page's words: t(key, vars) in the language the page speaks. English is built in; another
// language's catalog (i18n-<code>.json, same keys) is fetched only when the page speaks it, so a phone
// downloads one language. A plural entry is an object of Intl.PluralRules forms ("one", "few", "other"…)
// chosen by vars.count. HTML elements name their words: data-i18n="key" (text), data-i18n-attr="attr=key;…".
"use strict";

window.I18n = (function () {
  const SUPPORTED = ["en", "es", "fr", "de", "it", "pt"];
  // JSON between the markers: tests read it to check every catalog has the same keys.
  const EN = /* catalog */ {
    "page.title": "Share your photos",
    "loading": "Opening the event…",
    "mine.title": "My uploads",
    "mine.empty": "Nothing uploaded from this phone yet.",
    "mine.photo": "Your photo",
    "mine.video": "Your video",
    "mine.state.queued": "Waiting on this phone",
    "mine.state.uploading": "Uploading…",
    "mine.state.uploaded": "Uploaded",
    "mine.state.waiting": "Waiting for approval",
    "mine.state.hidden": "Hidden by the organizer",
    "mine.delete": "Delete",
    "mine.deletePhoto": "Delete this photo",
    "mine.deleteVideo": "Delete this video",
    "mine.ask.refund": "Delete it for everyone? You get the slot back to upload another.",
    "mine.ask.keep_slot": "Delete it for everyone? It still counts toward this phone's limit.",
    "mine.deleted.refund": "Deleted. You can upload one more.",
    "mine.deleted.keep_slot": "Deleted.",
    "mine.deleteOff": "The organizer has turned off deleting uploads.",
    "mine.gone": "That upload is already gone.",
    "mine.deleteFailed": "It could not be deleted. Check your connection and try again.",
    "mine.album": "See everyone's photos in the album",
    "mine.albumLater": "Photos appear there from {when}."
  } /* end */;
  let code = "en";
  let catalog = EN;

  // A fixed language (the event's) wins; else the phone's first preference we speak, by its main subtag.
  function choose(fixed) {
    const wanted = fixed ? [fixed] : navigator.languages || [navigator.language];
    const main = wanted.map((tag) => String(tag || "").toLowerCase().split("-")[0]);
    return main.find((lang) => SUPPORTED.includes(lang)) || "en";
  }

  async function fetchCatalog(lang) {
    if (lang === "en") return EN;
    try {
      const response = await fetch(`i18n-${lang}.json`);
      return response.ok ? await response.json() : null;
    } catch (e) {
      return null; // offline before the catalog came: English, rather than no words at all
    }
  }

  // Switch to the event's language (or the phone's when it has none); then the whole page is redrawn
  // from its data-i18n keys. Resolves to the language in use.
  async function use(fixed) {
    const lang = choose(fixed);
    if (lang !== code) {
      const loaded = await fetchCatalog(lang);
      [code, catalog] = loaded ? [lang, loaded] : ["en", EN];
    }
    document.documentElement.lang = code;
    translate(document);
    return code;
  }

  function t(key, vars = {}) {
    let entry = catalog[key] || EN[key] || key;
    if (typeof entry === "object") entry = entry[new Intl.PluralRules(code).select(vars.count)] || entry.other;
    return entry.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
  }

  function translate(root) {
    root.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    root.querySelectorAll("[data-i18n-attr]").forEach((el) => {
      el.dataset.i18nAttr.split(";").forEach((pair) => {
        const [attr, key] = pair.split("=");
        el.setAttribute(attr, t(key));
      });
    });
  }

  return { t, use, translate, language: () => code, SUPPORTED };
})();
