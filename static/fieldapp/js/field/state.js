// The officer's page state: assignments known to this phone, the feed position,
// and the steps in flight. The database is the truth; this is the phone's copy.

import { pageConfig } from "../../../common/js/ui.js";

export const config = pageConfig();
export const L = config.labels;
export const timers = config.timers;

// The transition table comes from the server (Assignment statuses and their order).
const RANK = config.steps.rank;
const ACTIVE = config.steps.active;
const SEQ_KEY = `luchang.field.lastSeq.${config.officerId}`;

export function rank(status) {
  return RANK[status] ?? 0;
}

// Set by main.js: redraw the page, and re-read the truth from /api/v1/me/.
export const hooks = { render: () => {}, refresh: async () => {}, lastFix: () => null };

export const state = {
  onDuty: false,
  assignments: new Map(),
  announced: new Set(),
  // The highest feed seq this phone has handled, kept across page loads so a
  // reopened page gets (and acknowledges) what arrived while it was closed.
  lastSeq: readSeq(),
  feedSeq: null,
  replaying: false,
  // Every tap that writes goes through the outbox (outbox.js), which keeps
  // its Idempotency-Key; items is its latest list, oldest first.
  outbox: null,
  outboxItems: [],
  // True once /me/ answered in this page load (not only the copy kept on the phone).
  fromServer: false,
  // Socket sessions so far, and feed frames replayed in the current one.
  opens: 0,
  replayed: 0,
  busy: new Set(),
  // Assignments whose quick-clearance form is open on the card.
  clearanceOpen: new Set(),
  rescueOpen: new Set(),
  // Job id -> the photo slots sent from this page: the record form counts them as taken.
  photosSent: new Map(),
  // Assignment id -> time until which its new button ignores taps.
  cooling: new Map(),
  position: { state: "stopped" },
  loaded: false,
};

export const elements = {
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
  outboxCount: document.getElementById("outbox-count"),
  outboxRefused: document.getElementById("outbox-refused"),
  outboxRefusedList: document.getElementById("outbox-refused-list"),
  found: document.getElementById("found"),
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

export function writeSeq(seq) {
  state.lastSeq = seq;
  try {
    localStorage.setItem(SEQ_KEY, String(seq));
  } catch (error) {
    // Without storage the page still resumes from what it saw in this session.
  }
}

export function jobOf(assignment) {
  return assignment.job || {};
}

export function upsertAssignment(incoming) {
  if (!incoming || incoming.id === undefined) return null;
  const known = state.assignments.get(incoming.id);
  // Steps only go forward; an older copy (a replayed message racing a fresh
  // read of /me/) must not move the card back.
  if (known && rank(incoming.status) < rank(known.status)) return known;
  const merged = { ...known, ...incoming };
  state.assignments.set(incoming.id, merged);
  return merged;
}

export function updateJob(job) {
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

export function activeAssignments() {
  return [...state.assignments.values()]
    .filter((assignment) => ACTIVE.includes(assignment.status) && jobOf(assignment).status !== "cancelled")
    .sort((a, b) => String(b.dispatched_at).localeCompare(String(a.dispatched_at)));
}

// /me/ is the truth about which assignments exist; only a copy that a newer
// push already moved further is kept.
export function applyMe(me) {
  state.onDuty = Boolean(me.officer && me.officer.on_duty);
  state.feedSeq = Number(me.feed_seq) || 0;
  // A phone that never saw the feed starts from now: /me/ already shows
  // everything that matters.
  if (state.lastSeq === null) writeSeq(state.feedSeq);
  const fresh = new Map();
  for (const assignment of me.assignments_today || []) {
    const known = state.assignments.get(assignment.id);
    fresh.set(assignment.id, known && rank(known.status) > rank(assignment.status) ? known : assignment);
  }
  state.assignments = fresh;
  state.loaded = true;
}
