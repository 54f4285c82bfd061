// Sends one queued file with the direct-upload protocol: start (or resume), PUT the raw bytes in one
// request or part by part, complete. Answers come back as {status, body, retryAfter} for the page to
// judge; status 0 means no answer (offline, or stalled and given up on for now).
"use strict";

window.DirectUpload = (function () {
  const config = window.PHOTOSHARE_CONFIG;
  const ATTEMPTS = 3; // per request, before the item waits its turn again
  const UNSETTABLE = new Set(["content-length", "host"]); // the browser sets these itself
  const NO_ANSWER = { status: 0, body: {}, retryAfter: 0 };

  // One request, aborted when nothing moves for stallMs: phones drop connections mid-upload without
  // an error (iOS Safari on mobile data), and such a request would otherwise wait forever.
  function request(method, url, { body = null, headers = {}, stallMs, onProgress }) {
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      let timer = null;
      const alive = () => { clearTimeout(timer); timer = setTimeout(() => xhr.abort(), stallMs); };
      const finish = (answer) => { clearTimeout(timer); resolve(answer); };
      xhr.open(method, url);
      Object.entries(headers).forEach(([name, value]) => {
        if (!UNSETTABLE.has(name.toLowerCase())) xhr.setRequestHeader(name, value);
      });
      xhr.upload.onprogress = (e) => { alive(); if (onProgress) onProgress(e.loaded); };
      xhr.onprogress = alive;
      xhr.onload = () => {
        let parsed = {};
        try { parsed = JSON.parse(xhr.responseText); } catch (e) { /* not JSON: judged by status */ }
        finish({
          status: xhr.status, body: parsed, etag: xhr.getResponseHeader("ETag"),
          retryAfter: Number(xhr.getResponseHeader("Retry-After")) || 0,
        });
      };
      xhr.onerror = xhr.onabort = () => finish(NO_ANSWER);
      alive();
      xhr.send(body);
    });
  }

  // A request that got no answer is tried again on its own, with backoff, before giving up for now.
  async function persist(attempt) {
    for (let tries = 1; ; tries++) {
      const answer = await attempt();
      if (answer.status !== 0 || tries >= ATTEMPTS) return answer;
      await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** tries));
    }
  }

  function api(method, path, payload, stallMs) {
    const json = payload ? { "Content-Type": "application/json" } : {};
    const body = payload ? JSON.stringify(payload) : null;
    return persist(() => request(method, config.apiBase + path, { body, headers: json, stallMs }));
  }

  // The targets of the start or status answer as one list, each part with its byte range.
  function partsOf(answer, size) {
    if (answer.upload) return [{ number: 1, ...answer.upload, start: 0, end: size }];
    const { partSize, parts, headers = {} } = answer.multipart;
    return parts.map((part) => ({
      method: "PUT", headers, ...part, start: (part.number - 1) * partSize, end: Math.min(part.number * partSize, size),
    }));
  }

  async function sendParts(item, parts, received, context) {
    const length = (part) => part.end - part.start;
    let done = parts.filter((part) => received.has(part.number)).reduce((sum, part) => sum + length(part), 0);
    for (const part of parts.filter((p) => !received.has(p.number))) {
      const answer = await persist(() => request(part.method, part.url, {
        body: item.file.slice(part.start, part.end), headers: part.headers, stallMs: context.stallMs,
        onProgress: (loaded) => context.onProgress((done + loaded) / item.file.size),
      }));
      // A busy store says so (5xx, 429, with its wait); any other refusal (an expired signature) is
      // retried later with fresh targets.
      if (answer.status >= 500 || answer.status === 429) return answer;
      if (answer.status !== 200) return NO_ANSWER;
      received.add(part.number);
      done += length(part);
      item.etags[part.number] = (answer.etag || "").replace(/"/g, "");
      await context.save(item);
    }
    return { status: 200 };
  }

  function completion(item, multipart, context) {
    const payload = { key: context.uploadKey, deviceId: item.deviceId };
    const parts = Object.entries(item.etags).map(([number, etag]) => ({ number: Number(number), etag }));
    if (multipart) payload.parts = parts;
    if (item.poster) payload.poster = item.poster.slice(item.poster.indexOf(",") + 1);
    return api("POST", `/uploads/${encodeURIComponent(item.uploadId)}/complete`, payload, context.stallMs);
  }

  // Where the server stands on this item: a known upload says which parts arrived; an unknown one
  // (expired, released) starts again, and the same bytes already stored answer "duplicate". Once the
  // server was checking it ("processing"), unknown means refused: final, never sent again.
  async function begin(item, context) {
    if (item.uploadId) {
      const query = new URLSearchParams({ key: context.uploadKey, deviceId: item.deviceId });
      const answer = await api("GET", `/uploads/${encodeURIComponent(item.uploadId)}?${query}`, null, context.stallMs);
      if (answer.status !== 404 || item.checking) return answer;
    }
    const answer = await api("POST", "/uploads", {
      eventName: item.slug, uploadKey: context.uploadKey, guestName: item.name, deviceId: item.deviceId,
      size: item.file.size, sha256: item.sha256, contentType: item.type,
    }, context.stallMs);
    if (answer.body.status === "pending") {
      item.uploadId = answer.body.uploadId;
      item.etags = {};
      await context.save(item);
    }
    return answer;
  }

  // context: {uploadKey, stallMs, save(item), onProgress(fraction), onStarted(body)}.
  async function send(item, context) {
    const started = await begin(item, context);
    if (started.body.status !== "pending") return started;
    context.onStarted(started.body);
    const parts = partsOf(started.body, item.file.size);
    const received = new Set(started.body.received || []);
    // 409 incomplete names the parts the server lacks: send those, then complete again.
    for (let round = 0; round < ATTEMPTS; round++) {
      const sent = await sendParts(item, parts, received, context);
      if (sent.status !== 200) return sent;
      const answer = await completion(item, Boolean(started.body.multipart), context);
      if (answer.body.status !== "incomplete") return answer;
      answer.body.missing.forEach((number) => received.delete(number));
    }
    return NO_ANSWER;
  }

  return { send };
})();
