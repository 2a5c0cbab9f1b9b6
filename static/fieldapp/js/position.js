// Sharing the officer's position while on duty.
//
// A fix is sent when 15 s have passed since the last one sent, or when the
// officer has moved 25 m from it, whichever comes first; never more often than
// every 3 s, so a fast motorcycle does not flood a weak network. Fixes less
// accurate than 100 m are dropped: a dispatcher would rather see an older
// good fix than a fresh wrong one. watchPosition stays silent while the phone
// does not move, so the last fix is repeated every 60 s to keep it fresh.

export const MAX_ACCURACY_M = 100;
export const MIN_INTERVAL_MS = 15000;
export const MIN_DISTANCE_M = 25;
export const FLOOR_INTERVAL_MS = 3000;
export const KEEPALIVE_MS = 60000;
const TICK_MS = 5000;

export function distanceM(a, b) {
  const radius = 6371008.8;
  const toRad = (degrees) => (degrees * Math.PI) / 180;
  const dLat = toRad(b.lat - a.lat);
  const dLng = toRad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(toRad(a.lat)) * Math.cos(toRad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * radius * Math.asin(Math.min(1, Math.sqrt(h)));
}

// The decision alone, without timers or browser APIs, so it can be tested.
export function shouldSend(fix, lastSent, now) {
  if (!fix || !(fix.accuracy <= MAX_ACCURACY_M)) return false;
  if (!lastSent) return true;
  const elapsed = now - lastSent.sentAt;
  if (elapsed < FLOOR_INTERVAL_MS) return false;
  if (elapsed >= MIN_INTERVAL_MS) return true;
  return distanceM(fix, lastSent) >= MIN_DISTANCE_M;
}

export class PositionSharer {
  // send(fix) returns a promise resolving to true when the fix reached the server;
  // timeoutMs (from the page config) bounds one geolocation request.
  constructor({ send, onState = () => {}, timeoutMs }) {
    this.send = send;
    this.onState = onState;
    this.timeoutMs = timeoutMs;
    this.watchId = null;
    this.lastSent = null;
    this.lastFix = null;
    this.lastSentFix = null;
    this.keepaliveTimer = null;
    this.inFlight = false;
  }

  get active() {
    return this.watchId !== null;
  }

  start() {
    if (this.active) return;
    if (!("geolocation" in navigator)) {
      this.onState({ state: "unsupported" });
      return;
    }
    this.onState({ state: "waiting" });
    this.watchId = navigator.geolocation.watchPosition(
      (position) => this.onPosition(position),
      (error) => this.onError(error),
      { enableHighAccuracy: true, maximumAge: 5000, timeout: this.timeoutMs },
    );
    this.keepaliveTimer = setInterval(() => this.keepalive(), TICK_MS);
  }

  stop() {
    if (this.watchId !== null) navigator.geolocation.clearWatch(this.watchId);
    this.watchId = null;
    clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = null;
    this.onState({ state: "stopped" });
  }

  onPosition(position) {
    const fix = {
      lat: position.coords.latitude,
      lng: position.coords.longitude,
      accuracy: Math.round(position.coords.accuracy),
      at: new Date(position.timestamp || Date.now()).toISOString(),
    };
    if (fix.accuracy > MAX_ACCURACY_M) {
      this.onState({ state: "inaccurate", fix });
      return;
    }
    this.lastFix = fix;
    this.offer(fix);
  }

  onError(error) {
    const state = error.code === 1 ? "denied" : error.code === 3 ? "timeout" : "unavailable";
    this.onState({ state, error });
  }

  keepalive() {
    if (!this.lastFix) return;
    // A fix held back by the rate limit (or by a dead network) goes out as
    // soon as it may.
    if (this.lastFix !== this.lastSentFix) {
      this.offer(this.lastFix);
      return;
    }
    if (Date.now() - this.lastSent.sentAt >= KEEPALIVE_MS) {
      this.lastFix = { ...this.lastFix, at: new Date().toISOString() };
      this.offer(this.lastFix, true);
    }
  }

  // The phone may have come back online: send the newest fix if it is due.
  flush() {
    if (this.lastFix) this.offer(this.lastFix);
  }

  async offer(fix, force = false) {
    const now = Date.now();
    if (this.inFlight) return;
    if (!force && !shouldSend(fix, this.lastSent, now)) return;
    this.inFlight = true;
    try {
      const delivered = await this.send(fix);
      if (delivered) {
        this.lastSent = { ...fix, sentAt: now };
        this.lastSentFix = fix;
        this.onState({ state: "sent", fix, at: now });
      } else {
        this.onState({ state: "unsent", fix });
      }
    } catch (error) {
      this.onState({ state: "unsent", fix });
    } finally {
      this.inFlight = false;
    }
  }
}
