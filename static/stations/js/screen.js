// Kiosk screen: loops the playlist with slogans in between, never goes blank, keeps
// playing from the Cache API when the network drops, and re-fetches its payload when
// the server nudges it over the WebSocket (or, failing that, by polling).

import { pageConfig } from "../../common/js/ui.js";
import { LiveSocket, ONLINE } from "../../common/js/ws.js";

const config = pageConfig();
const labels = config.labels;
const MEDIA_CACHE = "luchang-screen-media-v1";
const PAYLOAD_KEY = `luchang-screen:${config.slug}`;
const SLOGAN_MS = config.sloganSeconds * 1000;
// Polling is the fallback: often while the WebSocket is down, rarely while it is up.
const POLL_WS_DOWN_MS = config.pollSeconds * 1000;
const POLL_WS_UP_MS = config.pollSecondsLive * 1000;

const video = document.getElementById("video");
const sloganBox = document.getElementById("slogan");
const sloganText = document.getElementById("slogan-text");
const standby = document.getElementById("standby");
const statusBar = document.getElementById("status");
const stateLabel = document.getElementById("state-label");
const todayHours = document.getElementById("today-hours");
const stationName = document.getElementById("station-name");
const clock = document.getElementById("clock");
const net = document.getElementById("net");

let payload = config.payload;
let step = 0; // position in the loop: video, slogan, video, slogan...
let sloganIndex = 0;
let videoIndex = 0;
let playToken = 0;
let failuresInARow = 0;
let timer = null;
let objectUrl = null;
let socketUp = false;
let pollTimer = null;
let stateTimer = null;
const cachedMedia = new Set(); // media URLs stored whole in the Cache API

function videos() {
  return payload.playlist || [];
}

function slogans() {
  return (payload.slogans || []).map((item) => (typeof item === "string" ? item : item.text)).filter(Boolean);
}

// --- status bar ----------------------------------------------------------

function renderStatus() {
  stationName.textContent = (payload.station && payload.station.name) || "";
  statusBar.dataset.state = payload.open_state || "unknown";
  const stateText = payload.hours_text || labels.states[payload.open_state] || labels.states.unknown;
  // hours_text already names the state ("营业中 · 18:00 关门"); add a closure's reason if it does not.
  stateLabel.textContent = payload.closed_reason && !stateText.includes(payload.closed_reason) ? `${stateText} · ${payload.closed_reason}` : stateText;
  const today = payload.today || {};
  // While closed by hand or by a closure, the line says so instead of giving the usual hours.
  todayHours.textContent = payload.closure_notice || `${labels.today}: ${[today.text || labels.noHours, today.label].filter(Boolean).join(" · ")}`;
  todayHours.dataset.closed = payload.closure_notice ? "true" : "false";
  // The open state flips at next_change: fetch the truth just after it.
  clearTimeout(stateTimer);
  const due = payload.next_change ? Date.parse(payload.next_change) - Date.now() + 1500 : NaN;
  if (due > 0 && due < 6 * 3600 * 1000) stateTimer = setTimeout(fetchPayload, due);
}

function tick() {
  clock.textContent = new Intl.DateTimeFormat(document.documentElement.lang || "zh-CN", {
    hour: "2-digit", minute: "2-digit", timeZone: "Asia/Shanghai", hour12: false,
  }).format(new Date());
}

// --- media cache -----------------------------------------------------------

async function cachedUrl(url) {
  if (!("caches" in window)) return url;
  try {
    const cache = await caches.open(MEDIA_CACHE);
    const hit = await cache.match(url);
    if (hit) return URL.createObjectURL(await hit.blob());
  } catch (error) {
    // A full or unavailable cache only means the network is used.
  }
  return url;
}

let caching = false;

async function cacheMedia() {
  if (!("caches" in window) || caching) return;
  caching = true;
  try {
    const cache = await caches.open(MEDIA_CACHE);
    const wanted = new Set(videos().map((item) => new URL(item.src, location.href).href));
    for (const url of cachedMedia) if (!wanted.has(url)) cachedMedia.delete(url);
    for (const request of await cache.keys()) {
      if (!wanted.has(request.url)) await cache.delete(request);
    }
    for (const url of wanted) {
      if (!(await cache.match(url))) {
        const response = await fetch(url, { credentials: "same-origin" });
        if (!response.ok || response.status !== 200) continue;
        // Read the whole file before storing it, so a download cut short by a
        // network drop never leaves a half entry that looks cached.
        const body = await response.blob();
        const headers = { "Content-Type": response.headers.get("Content-Type") || body.type || "video/mp4" };
        await cache.put(url, new Response(body, { headers }));
      }
      cachedMedia.add(url);
    }
  } catch (error) {
    // Tried again with the next payload or when the network returns; playing
    // goes on from the network meanwhile.
  } finally {
    caching = false;
  }
}

// --- the loop ----------------------------------------------------------------

// The last few things shown, for people (and tests) checking what a screen did.
const history = [];
window.luchangScreen = { history, cachedMedia, get payload() { return payload; } };

function remember(entry) {
  history.push({ ...entry, at: Date.now() });
  if (history.length > 50) history.shift();
}

function show(which) {
  video.hidden = which !== "video";
  sloganBox.hidden = which !== "slogan";
  standby.hidden = which !== "standby";
  document.body.dataset.showing = which;
}

function releaseVideo() {
  video.onended = video.onerror = video.onplaying = null;
  video.pause();
  video.removeAttribute("src");
  video.load();
  if (objectUrl) {
    URL.revokeObjectURL(objectUrl);
    objectUrl = null;
  }
}

function next() {
  clearTimeout(timer);
  const list = videos();
  const words = slogans();
  if (!list.length && !words.length) {
    playToken += 1;
    releaseVideo();
    show("standby");
    remember({ kind: "standby" });
    timer = setTimeout(next, SLOGAN_MS);
    return;
  }
  // Even steps play a video, odd steps show a slogan; a missing kind is skipped.
  let wantVideo = step % 2 === 0 ? list.length > 0 : words.length === 0;
  // When every video failed in a row (offline before anything was cached, or
  // broken files), rest on the standby slide instead of flashing black.
  if (wantVideo && failuresInARow >= list.length) {
    failuresInARow = 0;
    if (!words.length) {
      playToken += 1;
      releaseVideo();
      show("standby");
      remember({ kind: "standby" });
      timer = setTimeout(next, SLOGAN_MS);
      return;
    }
    wantVideo = false;
  }
  step += 1;
  if (wantVideo) playVideo(list[videoIndex++ % list.length]);
  else showSlogan(words[sloganIndex++ % words.length]);
}

function showSlogan(text) {
  playToken += 1;
  releaseVideo();
  sloganText.textContent = text;
  show("slogan");
  remember({ kind: "slogan", text });
  timer = setTimeout(next, SLOGAN_MS);
}

async function playVideo(item) {
  const token = ++playToken;
  releaseVideo();
  const src = await cachedUrl(item.src);
  if (token !== playToken) {
    if (src.startsWith("blob:")) URL.revokeObjectURL(src);
    return;
  }
  if (src.startsWith("blob:")) objectUrl = src;
  video.muted = true;
  video.poster = item.poster || "";
  video.dataset.videoId = String(item.id);
  video.dataset.title = item.title || "";
  show("video");
  // Only the video still on screen may skip; a late rejection of an earlier
  // play() (interrupted by the next item) must not cut the current one short.
  const skip = () => {
    if (token !== playToken) return;
    failuresInARow += 1;
    clearTimeout(timer);
    timer = setTimeout(next, 800);
  };
  video.onplaying = () => {
    failuresInARow = 0;
  };
  video.onended = () => {
    remember({ kind: "ended", id: item.id, title: item.title });
    next();
  };
  video.onerror = () => {
    remember({ kind: "error", id: item.id });
    skip();
  };
  remember({ kind: "video", id: item.id, title: item.title, cached: src.startsWith("blob:") });
  // A stalled or undecodable file must not freeze the screen: give up after
  // its stated length plus a margin (or a few minutes when unknown).
  const limit = item.duration_seconds > 0 ? (item.duration_seconds + 15) * 1000 : 5 * 60 * 1000;
  timer = setTimeout(next, limit);
  video.src = src;
  video.play().catch(skip);
}

// --- payload: WebSocket nudges, polling fallback -------------------------------

function applyPayload(next) {
  const before = JSON.stringify([videos().map((item) => item.src)]);
  payload = next;
  try {
    localStorage.setItem(PAYLOAD_KEY, JSON.stringify(next));
  } catch (error) {
    // Private mode or a full quota: the in-memory copy still works.
  }
  renderStatus();
  if (JSON.stringify([videos().map((item) => item.src)]) !== before || cachedMedia.size < videos().length) cacheMedia();
  // A standby slide, or an empty loop that just got content, starts at once.
  if (document.body.dataset.showing === "standby" && (videos().length || slogans().length)) {
    step = 0;
    next();
  }
}

async function fetchPayload() {
  try {
    const response = await fetch(config.apiUrl, { headers: { Accept: "application/json" }, cache: "no-store" });
    if (!response.ok) throw new Error(String(response.status));
    applyPayload(await response.json());
    net.textContent = "";
  } catch (error) {
    net.textContent = labels.offline;
  }
}

function schedulePoll() {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(async () => {
    await fetchPayload();
    schedulePoll();
  }, socketUp ? POLL_WS_UP_MS : POLL_WS_DOWN_MS);
}

// The shared socket reconnects with backoff and checks itself with heartbeats.
const live = new LiveSocket(config.wsPath, {
  onOpen: () => {
    // Whatever changed while we were disconnected.
    fetchPayload();
    schedulePoll();
  },
  onMessage: (message) => {
    if (message.type === "station.changed") fetchPayload();
  },
  onStatus: (status) => {
    socketUp = status === ONLINE;
    document.body.dataset.socket = socketUp ? "open" : "closed";
    if (!socketUp) schedulePoll();
  },
});

// --- start -------------------------------------------------------------------

try {
  const saved = JSON.parse(localStorage.getItem(PAYLOAD_KEY) || "null");
  // After an offline restart the page may come from the service worker's cache
  // with an old payload; a newer one saved on the device wins.
  if (saved && (!payload || String(saved.generated_at) > String(payload.generated_at))) payload = saved;
} catch (error) {
  // Ignore a corrupt saved copy.
}
renderStatus();
tick();
setInterval(tick, 10000);
cacheMedia();
window.addEventListener("online", cacheMedia);
next();
live.start();
schedulePoll();

if ("wakeLock" in navigator) navigator.wakeLock.request("screen").catch(() => {});
const fullscreen = document.getElementById("fullscreen");
if (document.fullscreenEnabled && !document.fullscreenElement && !config.kiosk) {
  fullscreen.hidden = false;
  fullscreen.addEventListener("click", () => {
    document.documentElement.requestFullscreen().catch(() => {});
    fullscreen.hidden = true;
  });
  setTimeout(() => { fullscreen.hidden = true; }, 15000);
}
