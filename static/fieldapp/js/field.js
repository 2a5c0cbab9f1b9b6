// The officer's page: duty, position sharing, the current assignment and the
// live feed from /ws/field/.
//
// The database is the truth. Pushes only nudge: every message carries a seq,
// is acknowledged, deduplicated, and after any reconnect the page asks for
// everything after the last seq it saw and re-reads /api/v1/me/.

import { getJson, newIdempotencyKey, postJson } from "../../common/js/http.js";
import { LiveSocket } from "../../common/js/ws.js";
import { PositionSharer } from "./position.js";
import * as alerts from "./alerts.js";
import { clock, duration, fill, h, pageConfig, showConnection, url } from "../../common/js/ui.js";

const config = pageConfig();
const L = config.labels;
const ACTIVE = ["dispatched", "accepted", "en_route", "on_scene"];
const COOL_DOWN_MS = 1200;
const RANK = { dispatched: 0, accepted: 1, en_route: 2, on_scene: 3, cleared: 4, declined: 4, withdrawn: 4 };
const SEQ_KEY = `luchang.field.lastSeq.${config.officerId}`;

const state = {
  onDuty: false,
  assignments: new Map(),
  announced: new Set(),
  // The highest feed seq this phone has handled, kept across page loads so a
  // reopened page gets (and acknowledges) what arrived while it was closed.
  lastSeq: readSeq(),
  feedSeq: null,
  // One Idempotency-Key per assignment step, so a second tap or a retry
  // after a timeout is the same request, never a second step.
  stepKeys: new Map(),
  busy: new Set(),
  // Assignment id -> time until which its new button ignores taps.
  cooling: new Map(),
  position: { state: "stopped" },
  loaded: false,
};

const elements = {
  connection: document.getElementById("connection"),
  duty: document.getElementById("duty"),
  dutyState: document.getElementById("duty-state"),
  dutyHint: document.getElementById("duty-hint"),
  positionStatus: document.getElementById("position-status"),
  current: document.getElementById("current"),
  today: document.getElementById("today"),
  actionError: document.getElementById("action-error"),
  banner: document.getElementById("banner"),
  bannerTitle: document.getElementById("banner-title"),
  bannerBody: document.getElementById("banner-body"),
  bannerShow: document.getElementById("banner-show"),
  alertsAsk: document.getElementById("alerts-ask"),
};

function readSeq() {
  try {
    const raw = localStorage.getItem(SEQ_KEY);
    const value = Number(raw);
    return raw !== null && Number.isFinite(value) ? value : null;
  } catch (error) {
    return null;
  }
}

function writeSeq(seq) {
  state.lastSeq = seq;
  try {
    localStorage.setItem(SEQ_KEY, String(seq));
  } catch (error) {
    // Without storage the page still resumes from what it saw in this session.
  }
}

// --- data ------------------------------------------------------------------

function jobOf(assignment) {
  return assignment.job || {};
}

function upsertAssignment(incoming) {
  if (!incoming || incoming.id === undefined) return null;
  const known = state.assignments.get(incoming.id);
  // Steps only go forward; an older copy (a replayed message racing a fresh
  // read of /me/) must not move the card back.
  if (known && (RANK[incoming.status] ?? 0) < (RANK[known.status] ?? 0)) return known;
  const merged = { ...known, ...incoming };
  state.assignments.set(incoming.id, merged);
  return merged;
}

function updateJob(job) {
  if (!job || job.id === undefined) return;
  const { assignments = [], events, ...summary } = job;
  for (const assignment of state.assignments.values()) {
    if (jobOf(assignment).id === job.id) assignment.job = { ...assignment.job, ...summary };
  }
  // A cancelled or closed job carries our assignment as withdrawn.
  for (const inner of assignments) {
    const known = state.assignments.get(inner.id);
    if (known) upsertAssignment({ ...known, ...inner, job: known.job });
  }
}

function activeAssignments() {
  return [...state.assignments.values()]
    .filter((assignment) => ACTIVE.includes(assignment.status) && jobOf(assignment).status !== "cancelled")
    .sort((a, b) => String(b.dispatched_at).localeCompare(String(a.dispatched_at)));
}

function applyMe(me) {
  state.onDuty = Boolean(me.officer && me.officer.on_duty);
  state.feedSeq = Number(me.feed_seq) || 0;
  // A phone that never saw the feed starts from now: /me/ already shows
  // everything that matters.
  if (state.lastSeq === null) writeSeq(state.feedSeq);
  // /me/ is the truth about which assignments exist; only a copy that a
  // newer push already moved further is kept.
  const fresh = new Map();
  for (const assignment of me.assignments_today || []) {
    const known = state.assignments.get(assignment.id);
    fresh.set(assignment.id, known && (RANK[known.status] ?? 0) > (RANK[assignment.status] ?? 0) ? known : assignment);
  }
  state.assignments = fresh;
  state.loaded = true;
  for (const assignment of activeAssignments()) maybeAnnounce(assignment);
}

async function refresh() {
  try {
    applyMe(await getJson(config.urls.me));
  } catch (error) {
    // Offline or the server is restarting: the socket will bring us back.
    return;
  }
  renderDuty();
  syncPositionSharing();
  render();
}

// --- the live feed ----------------------------------------------------------

function onMessage(message, socket) {
  if (message.type === "hello") {
    resume(socket, Number(message.feed_seq) || 0);
    return;
  }
  if (message.type === "error") {
    if (message.code === "off_duty") refresh();
    return;
  }
  if (message.seq === undefined) {
    handle(message);
    return;
  }
  const seq = Number(message.seq);
  if (!Number.isFinite(seq)) return;
  socket.send({ type: "ack", seq });
  // The server sends each seq once and in order; a duplicate still costs
  // nothing to drop here.
  if (seq <= state.lastSeq) return;
  writeSeq(seq);
  handle(message);
}

function resume(socket, feedSeq) {
  // A phone that saw seq 40 of a feed now at 12 is talking to a reset
  // database: start again from what the server has.
  if (state.lastSeq === null || state.lastSeq > feedSeq) writeSeq(Math.min(state.lastSeq ?? feedSeq, feedSeq));
  state.replaying = true;
  socket.send({ type: "resume", after: state.lastSeq });
}

function handle(message) {
  switch (message.type) {
    case "resumed":
      // Replayed frames are snapshots from when they happened; now that they
      // are acknowledged, read the present from the database.
      state.replaying = false;
      refresh();
      return;
    case "assignment.new": {
      const assignment = upsertAssignment(message.assignment);
      // A replayed dispatch may be long finished: announce it only after
      // the refresh that follows "resumed" confirms it is still waiting.
      if (assignment && !state.replaying) maybeAnnounce(assignment);
      break;
    }
    case "assignment.changed": {
      const assignment = upsertAssignment(message.assignment);
      if (assignment && assignment.status === "withdrawn" && !state.replaying) showBanner(L.withdrawn, summaryOf(assignment), false);
      break;
    }
    case "job.changed":
      updateJob(message.job);
      break;
    case "job.cancelled":
      updateJob({ ...message.job, status: "cancelled" });
      if (!state.replaying) showBanner(L.jobCancelled, summaryOf({ job: message.job }), false);
      break;
    default:
      return;
  }
  render();
}

function onOpen() {
  // The server greets with "hello" and waits for "resume" before sending any
  // feed frame; meanwhile re-read the truth from the database.
  refresh();
  positions.flush();
}

const connectionHistory = [];
const socket = new LiveSocket(config.urls.fieldSocket, {
  onMessage,
  onOpen,
  onStatus: (status) => {
    connectionHistory.push(status);
    showConnection(elements.connection, status, config.connection);
  },
});

// --- alerts -------------------------------------------------------------------

function summaryOf(assignment) {
  const job = jobOf(assignment);
  const kind = config.kinds[job.kind] || job.kind || "";
  return [kind, job.summary, job.address].filter(Boolean).join(" · ");
}

function maybeAnnounce(assignment) {
  if (assignment.status !== "dispatched" || state.announced.has(assignment.id)) return;
  state.announced.add(assignment.id);
  const title = `${L.newAssignment} ${jobOf(assignment).number || ""}`.trim();
  showBanner(title, summaryOf(assignment), true);
  alerts.announce(title, summaryOf(assignment));
}

function showBanner(title, body, urgent) {
  elements.bannerTitle.textContent = title;
  elements.bannerBody.textContent = body;
  elements.banner.classList.toggle("urgent", urgent);
  elements.bannerShow.textContent = urgent ? L.show : L.ok;
  elements.banner.hidden = false;
}

elements.bannerShow.addEventListener("click", () => {
  elements.banner.hidden = true;
  const card = elements.current.querySelector(".assignment");
  if (card) {
    card.scrollIntoView({ block: "start", behavior: "smooth" });
    const button = card.querySelector(".step-btn");
    if (button) button.focus({ preventScroll: true });
  }
});

function setupAlertsQuestion() {
  alerts.unlockAudioOnFirstGesture();
  if (!alerts.shouldAsk()) return;
  elements.alertsAsk.hidden = false;
  document.getElementById("alerts-enable").addEventListener("click", async () => {
    elements.alertsAsk.hidden = true;
    await alerts.enableAlerts();
  });
  document.getElementById("alerts-later").addEventListener("click", () => {
    alerts.rememberAsked();
    elements.alertsAsk.hidden = true;
  });
}

// --- duty and position ------------------------------------------------------------

function renderDuty() {
  elements.duty.disabled = false;
  elements.duty.setAttribute("aria-checked", String(state.onDuty));
  elements.dutyState.textContent = state.onDuty ? L.onDuty : L.offDuty;
  elements.dutyHint.textContent = state.onDuty ? L.goOffDuty : L.goOnDuty;
}

elements.duty.addEventListener("click", async () => {
  const wanted = !state.onDuty;
  elements.duty.disabled = true;
  hideError();
  try {
    const response = await postJson(config.urls.duty, { on_duty: wanted });
    if (!response.ok) {
      showError(response.data.detail || L.failed);
    } else {
      state.onDuty = Boolean(response.data.on_duty);
    }
  } catch (error) {
    showError(L.failed);
  }
  renderDuty();
  syncPositionSharing();
  render();
});

async function sendFix(fix) {
  const body = { lat: fix.lat, lng: fix.lng, accuracy: fix.accuracy, at: fix.at };
  if (socket.send({ type: "position", ...body })) return true;
  try {
    const response = await postJson(config.urls.position, body, { retries: 0 });
    return response.ok;
  } catch (error) {
    return false;
  }
}

const positions = new PositionSharer({
  send: sendFix,
  onState: (positionState) => {
    if (positionState.state === "unsent" && state.position.state === "sent") {
      state.position = { ...state.position, pending: true };
    } else {
      state.position = positionState;
    }
    renderPosition();
  },
});

function syncPositionSharing() {
  if (state.onDuty && !positions.active) positions.start();
  if (!state.onDuty && positions.active) positions.stop();
}

function renderPosition() {
  const current = state.position;
  const template = L.position[current.state] || "";
  const age = current.at ? duration(Math.round((Date.now() - current.at) / 1000), L) : "";
  elements.positionStatus.textContent = fill(template, { age, accuracy: current.fix ? current.fix.accuracy : "" });
  elements.positionStatus.classList.toggle("bad", ["denied", "unavailable", "timeout", "unsupported", "inaccurate"].includes(current.state));
  elements.positionStatus.dataset.state = current.state;
}

// --- assignment actions ------------------------------------------------------

function nextSteps(assignment) {
  return Array.isArray(assignment.next_steps) ? assignment.next_steps : [];
}

function primaryStep(assignment) {
  if (assignment.next_step !== undefined) return assignment.next_step;
  return nextSteps(assignment).find((step) => step !== "declined") || null;
}

async function advance(assignment, to, extra = {}) {
  const keyName = `${assignment.id}:${to}`;
  if (state.busy.has(keyName)) return;
  if (!state.stepKeys.has(keyName)) state.stepKeys.set(keyName, newIdempotencyKey());
  state.busy.add(keyName);
  hideError();
  render();
  const body = { to, at: new Date().toISOString(), ...extra };
  const fix = positions.lastFix;
  if (fix && Date.now() - Date.parse(fix.at) < 120000) {
    body.lat = fix.lat;
    body.lng = fix.lng;
    body.accuracy = fix.accuracy;
  }
  try {
    const response = await postJson(url(config.urls.advance, assignment.id), body, { key: state.stepKeys.get(keyName), retries: 4 });
    if (response.ok) {
      upsertAssignment(response.data && response.data.id !== undefined ? response.data : { ...assignment, status: to });
      elements.banner.hidden = true;
      // The next step's button appears where the finger just was: a
      // double tap with gloves must not also record the step after.
      state.cooling.set(assignment.id, Date.now() + COOL_DOWN_MS);
      setTimeout(render, COOL_DOWN_MS + 50);
    } else {
      showError(response.data.detail || L.failed);
      // A 409 means the database disagrees with this page: read it again.
      state.stepKeys.delete(keyName);
      refresh();
    }
  } catch (error) {
    // Still unsent after the retries; the key is kept, so tapping again is safe.
    showError(L.failed);
  } finally {
    state.busy.delete(keyName);
    render();
  }
}

function isCooling(assignment) {
  return (state.cooling.get(assignment.id) || 0) > Date.now();
}

function showError(message) {
  elements.actionError.textContent = message;
  elements.actionError.hidden = false;
}

function hideError() {
  elements.actionError.hidden = true;
}

// --- rendering --------------------------------------------------------------------

function navigationLinks(job) {
  if (!Number.isFinite(Number(job.lat)) || !Number.isFinite(Number(job.lng))) return null;
  const name = [job.summary, job.address].filter(Boolean).join(" ") || job.number || "";
  const lat = Number(job.lat);
  const lng = Number(job.lng);
  const amap = `https://uri.amap.com/marker?position=${lng},${lat}&coordinate=wgs84&callnative=1&name=${encodeURIComponent(name)}`;
  const baidu = `https://api.map.baidu.com/marker?location=${lat},${lng}&coord_type=wgs84&title=${encodeURIComponent(job.number || name)}&content=${encodeURIComponent(name)}&output=html&src=${encodeURIComponent("webapp.luchang.field")}`;
  const geo = `geo:${lat},${lng}?q=${lat},${lng}(${encodeURIComponent(name)})`;
  return h("div", {},
    h("p", { class: "navigate-title" }, L.navigate),
    h("div", { class: "navigate" },
      h("a", { class: "btn btn-secondary", href: amap, target: "_blank", rel: "noopener", "data-map": "amap" }, L.amap),
      h("a", { class: "btn btn-secondary", href: baidu, target: "_blank", rel: "noopener", "data-map": "baidu" }, L.baidu),
      h("a", { class: "btn btn-secondary", href: geo, "data-map": "geo" }, L.geo),
    ),
  );
}

function assignmentCard(assignment) {
  const job = jobOf(assignment);
  const step = primaryStep(assignment);
  const canDecline = nextSteps(assignment).includes("declined");
  const stepBusy = step && state.busy.has(`${assignment.id}:${step}`);
  const cooling = isCooling(assignment);
  const priority = job.priority !== undefined ? String(job.priority) : "";
  const card = h("article", {
    class: `assignment${assignment.status === "dispatched" ? " is-new" : ""}`,
    "data-assignment": assignment.id,
    "data-status": assignment.status,
  },
    h("div", { class: "assignment-head" },
      h("span", { class: "badge kind" }, config.kinds[job.kind] || job.kind || ""),
      priority ? h("span", { class: `badge prio-${priority}` }, config.priorities[priority] || priority) : null,
      h("span", { class: "assignment-number" }, job.number || ""),
    ),
    h("p", { class: "assignment-summary" }, job.summary || ""),
    job.address ? h("p", { class: "assignment-address" }, job.address) : null,
    job.description ? h("p", { class: "assignment-description" }, job.description) : null,
    h("p", { class: "assignment-status" },
      config.statuses[assignment.status] || assignment.status,
      assignment.dispatched_at ? ` · ${fill(L.since, { time: clock(assignment.dispatched_at) })}` : ""),
    step ? h("button", {
      type: "button",
      class: "btn btn-primary btn-block btn-huge step-btn",
      "data-step": step,
      disabled: stepBusy || cooling,
      onclick: () => advance(assignment, step),
    }, stepBusy ? L.sending : config.actions[step] || step) : null,
    navigationLinks(job),
  );
  // Skipping ahead (an officer who forgot "on my way" and is already there)
  // stays possible, but out of the way of the one obvious step.
  const skips = nextSteps(assignment).filter((other) => other !== step && other !== "declined");
  if (skips.length) {
    card.append(h("details", { class: "more-steps" },
      h("summary", { class: "btn" }, L.otherSteps),
      h("div", { class: "row" }, skips.map((other) => h("button", {
        type: "button", class: "btn btn-secondary", "data-step": other, onclick: () => advance(assignment, other),
      }, config.actions[other] || other))),
    ));
  }
  if (canDecline) card.append(declineForm(assignment));
  return card;
}

function declineForm(assignment) {
  const details = h("details", { class: "decline-form" });
  const reason = h("input", { type: "text", name: "reason", maxlength: 200, "aria-label": L.declineReason, placeholder: L.declineReason });
  details.append(
    h("summary", { class: "btn decline-btn" }, config.actions.declined),
    h("div", { class: "row" },
      reason,
    ),
    h("div", { class: "row" },
      h("button", {
        type: "button",
        class: "btn btn-danger",
        "data-step": "declined",
        onclick: () => advance(assignment, "declined", reason.value.trim() ? { reason: reason.value.trim() } : {}),
      }, config.actions.declined),
    ),
  );
  return details;
}

// Cards are rebuilt only when what they show changed, so a refresh landing
// between a gloved finger's touch-down and lift-off does not eat the tap,
// and an open decline form keeps what was typed.
const cards = new Map();

function render() {
  if (!state.loaded) return;
  const active = activeAssignments();
  const wanted = active.map((assignment) => {
    const busy = nextSteps(assignment).filter((step) => state.busy.has(`${assignment.id}:${step}`));
    const signature = JSON.stringify([assignment, busy, isCooling(assignment)]);
    const known = cards.get(assignment.id);
    if (known && known.signature === signature) return known.node;
    const node = assignmentCard(assignment);
    cards.set(assignment.id, { signature, node });
    return node;
  });
  for (const id of [...cards.keys()]) if (!active.some((assignment) => assignment.id === id)) cards.delete(id);
  if (!wanted.length) wanted.push(h("p", { class: "card empty" }, state.onDuty ? L.noAssignment : L.offDutyHint));
  const current = [...elements.current.children];
  if (current.length !== wanted.length || current.some((node, index) => node !== wanted[index])) {
    elements.current.replaceChildren(...wanted);
  }
  renderToday();
}

function renderToday() {
  const all = [...state.assignments.values()].sort((a, b) => String(b.dispatched_at).localeCompare(String(a.dispatched_at)));
  elements.today.replaceChildren();
  if (!all.length) {
    elements.today.append(h("li", { class: "muted" }, h("span", {}, ""), h("span", {}, L.noJobsToday)));
    return;
  }
  for (const assignment of all) {
    const job = jobOf(assignment);
    elements.today.append(h("li", { "data-assignment": assignment.id, "data-status": assignment.status },
      h("span", { class: "time" }, clock(assignment.dispatched_at)),
      h("span", { class: "what" }, [job.number, config.kinds[job.kind] || job.kind, job.summary].filter(Boolean).join(" · ")),
      h("span", { class: "state" }, config.statuses[assignment.status] || assignment.status),
    ));
  }
}

// --- start ---------------------------------------------------------------------------

setupAlertsQuestion();
renderPosition();
setInterval(renderPosition, 5000);
if (config.officerId !== null) {
  refresh().then(() => socket.start());
} else {
  showConnection(elements.connection, "offline", config.connection);
}

// For tests and field debugging: the live state, read-only in spirit.
window.luchangField = { state, socket, positions, connectionHistory };
