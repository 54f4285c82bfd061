// What the page knows about a chosen file: its type, a smaller copy of a photo, a video's poster frame.
"use strict";

window.Media = (function () {
  const MB = 1024 * 1024;
  // Phones leave file.type empty for some formats (HEIC outside Safari): the extension tells.
  const BY_EXTENSION = {
    jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", webp: "image/webp", heic: "image/heic",
    heif: "image/heif", mp4: "video/mp4", m4v: "video/mp4", mov: "video/quicktime", webm: "video/webm",
  };
  const ACCEPTED = new Set(Object.values(BY_EXTENSION));
  const POSTER_EDGE = 480;
  const POSTER_WAIT = 5000;

  function contentType(file) {
    if (ACCEPTED.has(file.type)) return file.type;
    return BY_EXTENSION[(file.name || "").split(".").pop().toLowerCase()] || "";
  }

  const isVideo = (type) => type.startsWith("video/");

  function inWords(bytes) {
    const { t } = window.I18n;
    return bytes >= MB ? t("size.mb", { count: Math.floor(bytes / MB) }) : t("size.kb", { count: Math.ceil(bytes / 1024) });
  }

  function draw(source, width, height, maxEdge) {
    const scale = Math.min(1, maxEdge / Math.max(width, height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    canvas.getContext("2d").drawImage(source, 0, 0, canvas.width, canvas.height);
    return canvas;
  }

  // Re-encode at most maxEdge px on the longest side: phones' 12 MP originals become ~1 MB, and
  // browsers apply the EXIF orientation when drawing. Null when the browser cannot decode the photo
  // (HEIC outside Safari): it is then sent as it is.
  async function downscale(blob, maxEdge, quality) {
    const url = URL.createObjectURL(blob);
    try {
      const img = await new Promise((resolve, reject) => {
        const image = new Image();
        image.onload = () => resolve(image);
        image.onerror = reject;
        image.src = url;
      });
      const canvas = draw(img, img.naturalWidth, img.naturalHeight, maxEdge);
      return await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
    } catch (e) {
      return null;
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  // The frame 0.1 s in, as a small JPEG data URL ("" when the browser cannot play the video): shown in
  // review and in the queue, and sent as the video's thumbnail.
  function poster(blob) {
    const url = URL.createObjectURL(blob);
    const video = document.createElement("video");
    return new Promise((resolve) => {
      const done = (result) => {
        clearTimeout(timer);
        URL.revokeObjectURL(url);
        video.removeAttribute("src");
        resolve(result);
      };
      const timer = setTimeout(() => done(""), POSTER_WAIT);
      video.muted = true;
      video.playsInline = true;
      video.preload = "auto";
      video.onloadeddata = () => { video.currentTime = Math.min(0.1, video.duration || 0); };
      video.onseeked = () => {
        try {
          done(draw(video, video.videoWidth, video.videoHeight, POSTER_EDGE).toDataURL("image/jpeg", 0.7));
        } catch (e) {
          done("");
        }
      };
      video.onerror = () => done("");
      video.src = url;
    });
  }

  return { contentType, isVideo, inWords, downscale, poster };
})();
