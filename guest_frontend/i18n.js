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
    "page.event_title": "{name}: share your photos",
    "loading": "Opening the event…",
    "problem.title": "We can't open this event",
    "problem.incomplete": "This link is incomplete. Scan the QR code on your table again.",
    "problem.offline": "No connection. Check your Wi-Fi or mobile data, then reload this page.",
    "closed.title": "Uploads are closed",
    "closed.lead": "This event is not accepting photos any more. Thank you for coming!",
    "check_again": "Check again",
    "name.label": "What's your name?",
    "name.hint": "The hosts will see it next to your photos.",
    "name.placeholder": "Your name",
    "name.error": "Please type your name.",
    "name.continue": "Continue",
    "ready.greeting": "Hi {name}!",
    "ready.not_you": "Not you?",
    "ready.take": "Take a photo",
    "ready.choose": "Choose photos and videos",
    "remaining": {
        "one": "{left} of {count} photo left",
        "other": "{left} of {count} photos left"
    },
    "waiting": {
        "one": "{count} photo waiting to upload.",
        "other": "{count} photos waiting to upload."
    },
    "waiting.try": "Try now",
    "review.strip": "Chosen photos and videos",
    "review.discard_one": "Discard {file}",
    "review.upload": "Upload",
    "review.upload.photos": {
        "one": "Upload {count} photo",
        "other": "Upload {count} photos"
    },
    "review.upload.videos": {
        "one": "Upload {count} video",
        "other": "Upload {count} videos"
    },
    "review.upload.mixed": {
        "one": "Upload {count} photo or video",
        "other": "Upload {count} photos and videos"
    },
    "review.add_more": "Add more",
    "review.save": "Save to phone",
    "review.discard": "Discard",
    "review.saved": "Saved. You can still upload or discard.",
    "quality.legend": "Photo quality",
    "quality.original": "Original quality",
    "quality.smaller": "Smaller, faster",
    "choose.partial.photos": {
        "one": "{taken} of your {count} photo will be uploaded: you have {left} left.",
        "other": "{taken} of your {count} photos will be uploaded: you have {left} left."
    },
    "choose.partial.videos": {
        "one": "{taken} of your {count} video will be uploaded: you have {left} left.",
        "other": "{taken} of your {count} videos will be uploaded: you have {left} left."
    },
    "choose.partial.mixed": {
        "one": "{taken} of your {count} photo or video will be uploaded: you have {left} left.",
        "other": "{taken} of your {count} photos and videos will be uploaded: you have {left} left."
    },
    "refused.type": "{file} is not a photo or video this page can send.",
    "refused.videos": "This event takes photos only, not videos.",
    "refused.large_photo": "{file} is too large. Photos can be up to {size} at this event.",
    "refused.large_video": "{file} is too large. Videos can be up to {size} at this event.",
    "size.mb": "{count} MB",
    "size.kb": "{count} KB",
    "limit.title": "You've shared all your photos",
    "limit.lead": {
        "one": "This phone has uploaded {count} photo, the most this event allows. Thank you!",
        "other": "This phone has uploaded {count} photos, the most this event allows. Thank you!"
    },
    "limit.full_title": "This event is full",
    "limit.hint": "You can still take photos and keep them on your phone.",
    "limit.keep": "Take a photo to keep",
    "queue.label": "Uploads",
    "file.photo": "photo",
    "progress": "{done} of {total} done · {percent}%",
    "row.waiting": "Waiting…",
    "row.smaller": "Making it smaller…",
    "row.hashing": "Checking…",
    "row.uploading": "Uploading…",
    "row.checking_photo": "Checking your photo…",
    "row.checking_video": "Checking your video…",
    "row.retry": "Waiting to try again…",
    "row.uploaded": "Uploaded",
    "row.duplicate": "Already uploaded",
    "status.uploaded": "Uploaded! {count} left.",
    "status.duplicate": "That photo was already uploaded.",
    "later.offline": "No connection right now. Your photos are saved on this phone and will upload by themselves.",
    "later.busy": "The server is busy. Your photos are saved on this phone and will upload by themselves.",
    "later.storage_full": "The event's storage is full. Your photos are saved on this phone and will upload once the organizer makes room.",
    "error.rate_limited": "Too many photos are arriving from your network right now. Your photo is kept on this phone and will upload by itself in a moment.",
    "error.invalid_image": "The file is not a JPEG, PNG, WebP or HEIC photo, or it is damaged.",
    "error.unsupported_media": "The file is not a JPEG, PNG, WebP or HEIC photo, nor an MP4, MOV or WebM video, or it is damaged.",
    "error.wrong_bytes": "The file that arrived is not the one announced (its size or checksum differ). Nothing was counted.",
    "error.too_large": "This file is too large for this event.",
    "error.wrong_key": "This upload link is not valid any more. Scan the event's QR code again.",
    "error.unknown_event": "This event does not exist. Check the link or QR code.",
    "error.event_closed": "This event is not accepting photos any more.",
    "error.videos_not_allowed": "This event takes photos only.",
    "error.event_full": "This event has received all the photos it can take. Thank you!",
    "error.limit_reached": "You have reached this event's photo limit for this device.",
    "error.unknown_upload": "This file was refused when it was checked, or its upload expired. Nothing was counted.",
    "error.storage_full": "This event's photo storage is full. Nothing was counted; the organizer has to make room first.",
    "error.generic": "A file could not be uploaded.",
    "error.open": "This event could not be opened. Scan the QR code again.",
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

  return { t, has: (key) => Object.prototype.hasOwnProperty.call(EN, key), use, translate, language: () => code };
})();
