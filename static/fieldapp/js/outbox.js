// The officer's outbox: every tap that writes goes here first, then to the server.
//
// A tap in a tunnel must not be lost, so an action is stored on the phone
// (IndexedDB) before anything is sent, with its own Idempotency-Key and the
// device time of the tap, both fixed at that moment. A retry, a reload or a
// restarted browser sends the very same request, and the server records it
// once.
//
// Items leave strictly in the order they were tapped, one at a time: "on my
// way" must not overtake "accepted". A network error, a 5xx or a 429 is
// retried with exponential backoff and full jitter, for ever; no count of
// failures drops an item. A 4xx that will not change (the job was cancelled
// meanwhile) marks the item refused with the server's reason; it stays on the
// phone, visible, until the officer dismisses it.

import { csrfToken, newIdempotencyKey } from "../../common/js/http.js";
import { backoffDelay } from "../../common/js/ws.js";
import { openStore } from "./outbox_store.js";

export const PENDING = "pending";
export const REFUSED = "refused";

// Answers that say "not now" rather than "never": keep the item and retry.
const RETRY_STATUSES = new Set([401, 408, 425, 429]);
// A 409 that only means the first copy of this very request is still running.
const RETRY_CODES = new Set(["idempotency_in_progress"]);

// "2026-12-01T18:25:03.512+08:00": the phone's clock with its offset, so the
// record shows the officer's local time even when read elsewhere.
export function isoWithOffset(date = new Date()) {
  const pad = (value, width = 2) => String(Math.trunc(Math.abs(value))).padStart(width, "0");
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
    + `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`
    + `${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

// What the answer means for the item, without timers or storage, so it can be tested.
export function outcomeOf(status, data) {
  if (status >= 200 && status < 300) return "sent";
  if (status >= 500 || RETRY_STATUSES.has(status)) return "retry";
  if (status === 409 && data && RETRY_CODES.has(data.code)) return "retry";
  if (status >= 400) return "refused";
  return "retry";
}

// --- the outbox ------------------------------------------------------------------

export class Outbox {
  // owner: whose phone this is (an officer id); one outbox per officer, so a
  // shared phone never sends one officer's taps in another's session.
  // onChange(items): after any change, with every item, oldest first.
  // onSent(item, data): after a 2xx, with the server's answer.
  // onRefused(item): once, when an item is refused.
  constructor({
    owner,
    baseMs = 1000,
    capMs = 30000,
    pollMs = 15000,
    timeoutMs = 20000,
    uploadTimeoutMs = 90000,
    onChange = () => {},
    onSent = () => {},
    onRefused = () => {},
    random = Math.random,
  } = {}) {
    this.name = `luchang-outbox-${owner}`;
    this.backoff = { base: baseMs, cap: capMs, random };
    this.pollMs = pollMs;
    this.timeoutMs = timeoutMs;
    this.uploadTimeoutMs = uploadTimeoutMs;
    this.onChange = onChange;
    this.onSent = onSent;
    this.onRefused = onRefused;
    this.store = null;
    this.items = [];
    this.failures = 0;
    this.retryTimer = null;
    this.retryAt = null;
    this.sending = false;
    this.again = false;
    // The server answered 401 last: the session ended, and items wait for a new login.
    this.needsLogin = false;
    this.ready = this.open();
  }

  async open() {
    this.store = await openStore(this.name);
    // Ask the browser not to evict the outbox when the phone runs short of space.
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
    this.items = (await this.store.all()).sort((a, b) => a.id - b.id);
    this.changed();
  }

  // Start sending now and whenever there is a reason to think it may work.
  start() {
    window.addEventListener("online", () => this.kick());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.kick();
    });
    // A timer as well: "online" does not fire when a weak signal comes back.
    setInterval(() => {
      if (!this.retryTimer && !this.sending) this.pump();
    }, this.pollMs);
    this.ready.then(() => this.pump());
  }

  get pending() {
    return this.items.filter((item) => item.status === PENDING);
  }

  get refused() {
    return this.items.filter((item) => item.status === REFUSED);
  }

  // Queue an action. Either json (a plain object) or form ({fields, files:
  // [{field, blob, filename}]}) is the body; device_time is added to it.
  // meta is the page's own note about the item (which card, what to show).
  async add({ kind, url, method = "POST", json = null, form = null, meta = {}, label = "" }) {
    await this.ready;
    const deviceTime = isoWithOffset();
    const item = {
      kind,
      method,
      url,
      key: newIdempotencyKey(),
      device_time: deviceTime,
      created_ms: Date.now(),
      status: PENDING,
      attempts: 0,
      label,
      meta,
      json: json === null ? null : { device_time: deviceTime, ...json },
      form: form === null ? null : { fields: { device_time: deviceTime, ...(form.fields || {}) }, files: form.files || [] },
    };
    item.id = await this.store.add(item);
    this.items.push(item);
    this.changed();
    this.kick();
    return item;
  }

  async dismiss(id) {
    await this.ready;
    const item = this.items.find((candidate) => candidate.id === id);
    if (!item || item.status !== REFUSED) return;
    await this.store.delete(id);
    this.items = this.items.filter((candidate) => candidate.id !== id);
    this.changed();
  }

  // Send now: the network is back, the socket reconnected, the officer tapped.
  kick() {
    this.failures = 0;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.retryAt = null;
    this.pump();
  }

  async pump() {
    if (this.sending) {
      this.again = true;
      return;
    }
    this.sending = true;
    try {
      await this.ready;
      // Two tabs of the field page share one outbox: only one of them sends.
      if (navigator.locks && navigator.locks.request) {
        await navigator.locks.request(this.name, { ifAvailable: true }, (lock) => (lock ? this.drain() : null));
      } else {
        await this.drain();
      }
    } finally {
      this.sending = false;
    }
    // Asked to send while a request was out (a new tap, "online"): go again
    // now rather than after the backoff that request may have set.
    if (this.again) {
      this.again = false;
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
      this.retryAt = null;
      this.pump();
    }
  }

  async drain() {
    // Re-read the store: another tab may have sent or added items.
    this.items = (await this.store.all()).sort((a, b) => a.id - b.id);
    this.changed();
    for (;;) {
      const item = this.pending[0];
      if (!item) {
        this.failures = 0;
        return;
      }
      if (navigator.onLine === false) return;
      const outcome = await this.sendOne(item);
      if (outcome === "retry") this.scheduleRetry();
      if (outcome === "retry" || outcome === "waiting") return;
      this.failures = 0;
    }
  }

  scheduleRetry(afterMs = 0) {
    const delay = Math.max(afterMs, backoffDelay(this.failures, this.backoff));
    this.failures += 1;
    clearTimeout(this.retryTimer);
    this.retryAt = Date.now() + delay;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.retryAt = null;
      this.pump();
    }, delay);
  }

  request(item) {
    const headers = { "X-CSRFToken": csrfToken(), "Idempotency-Key": item.key, Accept: "application/json" };
    let body;
    if (item.form) {
      body = new FormData();
      for (const [name, value] of Object.entries(item.form.fields)) body.append(name, value ?? "");
      for (const file of item.form.files) body.append(file.field, file.blob, file.filename || "photo.jpg");
    } else {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(item.json ?? {});
    }
    return { method: item.method, credentials: "same-origin", headers, body };
  }

  async sendOne(item) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), item.form ? this.uploadTimeoutMs : this.timeoutMs);
    let response;
    let data = {};
    item.attempts += 1;
    // Kept with the item, so a reload still knows how long it has been trying.
    await this.store.put(item).catch(() => {});
    try {
      response = await fetch(item.url, { ...this.request(item), signal: controller.signal });
      data = await response.json().catch(() => ({}));
    } catch (error) {
      // Offline, a dropped connection or a timeout: the same key goes again later.
      return "retry";
    } finally {
      clearTimeout(timer);
    }
    const outcome = outcomeOf(response.status, data);
    if (this.needsLogin !== (response.status === 401)) {
      this.needsLogin = response.status === 401;
      this.changed();
    }
    if (outcome === "sent") {
      await this.store.delete(item.id);
      this.items = this.items.filter((candidate) => candidate.id !== item.id);
      // The page takes the server's answer first, so a card never steps back
      // to its old copy between the item leaving and the answer landing.
      this.onSent(item, data);
      this.changed();
    } else if (outcome === "refused") {
      item.status = REFUSED;
      item.http_status = response.status;
      item.code = data.code || "";
      item.reason = data.detail || "";
      item.refused_ms = Date.now();
      await this.store.put(item);
      this.changed();
      this.onRefused(item, data);
    } else {
      // A server asking to wait (429, 503) gets at least the wait it asked for.
      const retryAfter = Number(response.headers.get("Retry-After"));
      if (Number.isFinite(retryAfter) && retryAfter > 0) {
        this.scheduleRetry(Math.min(retryAfter * 1000, this.backoff.cap));
        return "waiting";
      }
    }
    return outcome;
  }

  changed() {
    this.onChange([...this.items]);
  }
}
