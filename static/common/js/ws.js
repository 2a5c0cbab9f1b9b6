// A WebSocket that keeps coming back.
//
// Phones lose their connection all the time (tunnels, lifts, a locked
// screen), so reconnecting is the normal path: exponential backoff with full
// jitter, so that a hundred phones leaving the same tunnel do not all knock at
// once. Chromium does not close an open socket when the network goes away, so
// the socket also closes itself on the browser's "offline" event and when a
// heartbeat goes unanswered.

export const ONLINE = "online";
export const RECONNECTING = "reconnecting";
export const OFFLINE = "offline";

export function backoffDelay(attempt, { base = 1000, cap = 30000, random = Math.random } = {}) {
  // "Full jitter": a random delay between base/2 and the exponential ceiling.
  const ceiling = Math.min(cap, base * 2 ** attempt);
  return Math.round(base / 2 + random() * Math.max(0, ceiling - base / 2));
}

export function socketUrl(path) {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}${path}`;
}

export class LiveSocket {
  constructor(path, {
    onMessage = () => {},
    onOpen = () => {},
    onStatus = () => {},
    heartbeatMs = 25000,
    heartbeatTimeoutMs = 10000,
    offlineAfterFailures = 4,
  } = {}) {
    this.path = path;
    this.onMessage = onMessage;
    this.onOpen = onOpen;
    this.onStatus = onStatus;
    this.heartbeatMs = heartbeatMs;
    this.heartbeatTimeoutMs = heartbeatTimeoutMs;
    this.offlineAfterFailures = offlineAfterFailures;
    this.socket = null;
    this.failures = 0;
    this.status = null;
    this.retryTimer = null;
    this.heartbeatTimer = null;
    this.deadlineTimer = null;
    this.stopped = false;
    this.closedByServer = null;
  }

  start() {
    window.addEventListener("offline", () => this.goOffline());
    window.addEventListener("online", () => this.reconnectNow());
    // A phone waking up from a locked screen: check at once instead of
    // waiting for the next heartbeat.
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.probe();
    });
    if (navigator.onLine === false) this.setStatus(OFFLINE);
    else this.connect();
  }

  setStatus(status) {
    if (status === this.status) return;
    this.status = status;
    this.onStatus(status);
  }

  connect() {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.stopped) return;
    if (navigator.onLine === false) {
      this.setStatus(OFFLINE);
      return;
    }
    this.setStatus(this.failures >= this.offlineAfterFailures ? OFFLINE : RECONNECTING);
    let socket;
    try {
      socket = new WebSocket(socketUrl(this.path));
    } catch (error) {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.addEventListener("open", () => {
      if (socket !== this.socket) return;
      this.failures = 0;
      this.setStatus(ONLINE);
      this.startHeartbeat();
      this.onOpen(this);
    });
    socket.addEventListener("message", (event) => {
      if (socket !== this.socket) return;
      this.alive();
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (message && message.type === "pong") return;
      this.onMessage(message, this);
    });
    socket.addEventListener("close", (event) => {
      if (socket !== this.socket) return;
      this.socket = null;
      this.stopHeartbeat();
      // 4401/4403: the session ended or the role changed; retrying will not help.
      if (event.code === 4401 || event.code === 4403) {
        this.closedByServer = event.code;
        this.stopped = true;
        this.setStatus(OFFLINE);
        return;
      }
      this.scheduleRetry();
    });
  }

  scheduleRetry() {
    if (this.stopped || this.retryTimer) return;
    if (navigator.onLine === false) {
      this.setStatus(OFFLINE);
      return;
    }
    this.failures += 1;
    this.setStatus(this.failures >= this.offlineAfterFailures ? OFFLINE : RECONNECTING);
    this.retryTimer = setTimeout(() => this.connect(), backoffDelay(this.failures - 1));
  }

  goOffline() {
    this.setStatus(OFFLINE);
    this.drop();
  }

  reconnectNow() {
    if (this.stopped) return;
    this.failures = 0;
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.probe();
      return;
    }
    this.drop();
    this.connect();
  }

  drop() {
    const socket = this.socket;
    this.socket = null;
    this.stopHeartbeat();
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (socket) {
      try {
        socket.close();
      } catch (error) {
        // Already closing; nothing to do.
      }
    }
  }

  send(message) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    try {
      this.socket.send(JSON.stringify(message));
      return true;
    } catch (error) {
      return false;
    }
  }

  get isOpen() {
    return Boolean(this.socket && this.socket.readyState === WebSocket.OPEN);
  }

  // Any frame from the server proves the connection is alive.
  alive() {
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = null;
  }

  probe() {
    if (!this.isOpen) {
      if (!this.retryTimer && !this.socket) this.reconnectNow();
      return;
    }
    if (this.deadlineTimer) return;
    this.send({ type: "ping" });
    this.deadlineTimer = setTimeout(() => {
      // No answer: the socket is dead even though the browser has not noticed.
      this.deadlineTimer = null;
      this.drop();
      this.scheduleRetry();
    }, this.heartbeatTimeoutMs);
  }

  startHeartbeat() {
    this.stopHeartbeat();
    this.heartbeatTimer = setInterval(() => this.probe(), this.heartbeatMs);
  }

  stopHeartbeat() {
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.deadlineTimer);
    this.heartbeatTimer = null;
    this.deadlineTimer = null;
  }
}
