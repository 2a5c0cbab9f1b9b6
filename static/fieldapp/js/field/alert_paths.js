// Reaching the officer beyond the open page: Web Push (asked for when they go
// on duty, never on load), a Screen Wake Lock while on duty with an active
// job, and one plain line saying which alert paths work on this phone.
// Everything the server says (the VAPID key, URLs, words) comes from config.push.

import { postJson } from "../../../common/js/http.js";
import { fill } from "../../../common/js/ui.js";
import { audioReady, notificationsSupported } from "../alerts.js";
import { activeAssignments, config, state } from "./state.js";

const push = config.push || { labels: {} };
const P = push.labels;
let wakeLock = null;
let pushState = "unknown"; // "works", "off" or "unsupported"
// The line is written only once the card and the alerts question are drawn, below them: it moves nothing.
let started = false;

function pushSupported() {
  return "serviceWorker" in navigator && "PushManager" in window && Boolean(push.vapidPublicKey);
}

function keyBytes(base64url) {
  const padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(padded), (char) => char.charCodeAt(0));
}

// Called from the tap that turns duty on: that tap is the gesture a permission prompt needs.
export async function subscribeOnDuty() {
  if (!pushSupported()) {
    pushState = "unsupported";
    renderAlertPaths();
    return false;
  }
  try {
    if (Notification.permission === "default") await Notification.requestPermission();
    if (Notification.permission !== "granted") throw new Error("permission");
    const registration = await navigator.serviceWorker.ready;
    const subscription = (await registration.pushManager.getSubscription())
      || (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(push.vapidPublicKey) }));
    const response = await postJson(push.subscriptions, subscription.toJSON(), { retries: 1 });
    pushState = response.ok ? "works" : "off";
  } catch (error) {
    // No push service reachable (often in mainland China), or the officer said no: SMS and calls still come.
    pushState = "off";
  }
  renderAlertPaths();
  return pushState === "works";
}

async function knownPushState() {
  if (!pushSupported()) return "unsupported";
  try {
    const registration = await navigator.serviceWorker.getRegistration();
    const subscription = registration && (await registration.pushManager.getSubscription());
    return subscription ? "works" : "off";
  } catch (error) {
    return "off";
  }
}

function pathText(name, status) {
  return fill(P[status] || "", { path: P[name] || name });
}

export function renderAlertPaths() {
  const line = document.getElementById("alert-paths");
  if (!started || !line || !P.paths) return;
  const notifications = !notificationsSupported() ? "unsupported"
    : Notification.permission === "granted" ? "works" : "off";
  const parts = [
    pathText("sound", audioReady() ? "works" : "off"),
    pathText("notifications", notifications),
    pathText("webPush", pushState === "unknown" ? "off" : pushState),
  ];
  const notes = [pushState === "works" ? "" : P.locked, wakeLock ? P.wakeLock : ""].filter(Boolean);
  line.textContent = [fill(P.paths, { paths: parts.join(" · ") }), ...notes].join(" ");
  line.dataset.push = pushState;
  line.dataset.wakeLock = wakeLock ? "held" : "none";
}

// The screen stays on while the officer is on duty with an active job and the page is in front.
export async function syncWakeLock() {
  const wanted = state.onDuty && activeAssignments().length > 0 && document.visibilityState === "visible";
  if (wanted && !wakeLock && "wakeLock" in navigator) {
    try {
      wakeLock = await navigator.wakeLock.request("screen");
      wakeLock.addEventListener("release", () => {
        wakeLock = null;
        renderAlertPaths();
      });
    } catch (error) {
      wakeLock = null;
    }
  } else if (!wanted && wakeLock) {
    const held = wakeLock;
    wakeLock = null;
    held.release().catch(() => {});
  }
  renderAlertPaths();
}

export function setupAlertPaths() {
  started = true;
  // The browser drops the lock when the page goes to the back; it is taken again on return.
  document.addEventListener("visibilitychange", () => syncWakeLock());
  window.addEventListener("pointerdown", () => setTimeout(renderAlertPaths, 0), { passive: true });
  knownPushState().then((known) => {
    pushState = known;
    renderAlertPaths();
  });
  syncWakeLock();
}
