// The desk's state: today's jobs (and older open ones), the officers, and the
// per-job panels kept across re-renders. The desk feed is not stored: on every
// (re)connect the lists are fetched again, and frames are applied on top.

import { getJson, postJson } from "../../../common/js/http.js";
import { fill, pageConfig, secondsSince, url } from "../../../common/js/ui.js";

// The template adds the desk's own words (dispatch.html, #desk-config).
const desk = JSON.parse(document.getElementById("desk-config")?.textContent || "{}");
export const config = pageConfig();
export const L = { ...config.labels, ...desk.labels };
export const timers = config.timers;

// The transition table comes from the server (Assignment statuses and their order).
const RANK = config.steps.rank;

export function rank(status) {
  return RANK[status] ?? 0;
}

// Set by main.js, so modules can ask for a redraw without importing each other.
export const hooks = { renderAll: () => {} };

export const state = {
  jobs: new Map(), // every job we know of today, plus older open ones
  officers: new Map(),
  panels: new Map(), // per job: the DOM kept across re-renders (candidates, cancel form)
};

export const elements = {
  connection: document.getElementById("connection"),
  board: document.getElementById("board"),
  closed: document.getElementById("closed"),
  openCount: document.getElementById("open-count"),
  officerRows: document.getElementById("officer-rows"),
  notice: document.getElementById("notice"),
  form: document.getElementById("job-form"),
  formError: document.getElementById("job-form-error"),
  lat: document.getElementById("job-lat"),
  lng: document.getElementById("job-lng"),
  placeHint: document.getElementById("place-hint"),
};

// --- small helpers -------------------------------------------------------------

export function officerLabel(officer) {
  if (!officer) return "";
  return [officer.call_sign, officer.name].filter(Boolean).join(" ");
}

export function fixAgeS(fix, now = Date.now()) {
  if (!fix) return null;
  return secondsSince(fix.at, now);
}

export function isStale(fix) {
  const age = fixAgeS(fix);
  return age === null || age > config.staleFixS;
}

export function officerState(officer) {
  return officer.state || (officer.on_duty ? (officer.available ? "available" : "busy") : "off_duty");
}

export const stateLabel = { available: L.available, busy: L.busy, off_duty: L.offDuty };

// How long a notice stays up; a problem stays longer than good news.
const NOTICE_MS = 6000;
const BAD_NOTICE_MS = 15000;
let noticeTimer = null;

export function notice(message, bad = false) {
  elements.notice.textContent = message;
  elements.notice.classList.toggle("bad", bad);
  elements.notice.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { elements.notice.hidden = true; }, bad ? BAD_NOTICE_MS : NOTICE_MS);
}

export function errorText(response) {
  const detail = (response && response.data && response.data.detail) || (response && response.status) || "";
  return fill(L.error, { detail });
}

// A desk form's POST of {reason}: the server's answer, or null with the refusal shown in `error`.
export async function postReason(endpoint, reason, error) {
  error.hidden = true;
  const response = await postJson(endpoint, { reason: reason.value.trim() }).catch(() => null);
  if (response && response.ok) return response.data;
  error.textContent = response ? errorText(response) : L.networkError;
  error.hidden = false;
  return null;
}

export function panelFor(jobId) {
  let panel = state.panels.get(jobId);
  if (!panel) {
    panel = {
      candidates: document.createElement("div"),
      cancel: null, // built by the board on first use
      withdraw: null, // the open "withdraw this officer" form: { assignmentId, form }
      selected: new Set(),
      open: false,
      force: false,
    };
    panel.candidates.className = "candidates";
    panel.candidates.hidden = true;
    panel.candidates.dataset.panel = "candidates";
    state.panels.set(jobId, panel);
  }
  return panel;
}

export function openJobs() {
  return [...state.jobs.values()]
    .filter((job) => job.status === "open")
    .sort((a, b) => (b.priority - a.priority) || String(b.created_at).localeCompare(String(a.created_at)));
}

// --- merging ----------------------------------------------------------------------

// Frames and HTTP responses can arrive out of order (the phone's receipt may
// beat the response to the dispatch that caused it). Everything here only
// moves forward, so merging keeps the furthest state: a later step, a
// timestamp once set, a job once ended.
function mergeAssignment(known, incoming) {
  if (!known) return incoming;
  const older = rank(incoming.status) < rank(known.status);
  const merged = older ? { ...incoming, ...known } : { ...known, ...incoming };
  for (const [key, value] of Object.entries(known)) {
    if (key.endsWith("_at") && value && !merged[key]) merged[key] = value;
  }
  if (merged.received_at) merged.unreceived = false;
  return merged;
}

export function upsertJob(job) {
  if (!job || job.id === undefined) return null;
  const known = state.jobs.get(job.id);
  let merged = { ...known, ...job };
  if (known && known.status !== "open" && job.status === "open") {
    merged = { ...merged, status: known.status, closed_at: known.closed_at };
  }
  const byId = new Map((known && known.assignments || []).map((assignment) => [assignment.id, assignment]));
  for (const assignment of job.assignments || []) byId.set(assignment.id, mergeAssignment(byId.get(assignment.id), assignment));
  merged.assignments = [...byId.values()];
  state.jobs.set(job.id, merged);
  return merged;
}

// A job asked for again: the step timeline is built on the server, and an
// assignment frame does not carry it. One request per job at a time; a frame
// that arrives meanwhile makes the answer stale: a job frame is at least as
// new (its answer is dropped), another step asks once more.
const refreshing = new Map();

export function refreshJob(jobId) {
  const known = refreshing.get(jobId);
  if (known) {
    known.again = true;
    return;
  }
  const entry = { again: false, stale: false };
  refreshing.set(jobId, entry);
  getJson(url(config.urls.job, jobId))
    .then((fresh) => {
      if (entry.again || entry.stale) return;
      upsertJob(fresh);
      hooks.renderAll();
    })
    .catch(() => {})
    .finally(() => {
      refreshing.delete(jobId);
      if (entry.again) refreshJob(jobId);
    });
}

// Called for every job frame: an answer still on its way is older than it.
export function jobFrameArrived(jobId) {
  const pending = refreshing.get(jobId);
  if (pending) pending.stale = true;
}

export function upsertAssignment(assignment) {
  const job = state.jobs.get(assignment.job_id);
  // A job we have not seen (created on another desk a moment ago) is fetched;
  // a known one too, for its new timeline.
  refreshJob(assignment.job_id);
  if (!job) return;
  const { job: _ignored, ...inner } = assignment;
  const list = job.assignments ? [...job.assignments] : [];
  const index = list.findIndex((item) => item.id === inner.id);
  if (index >= 0) list[index] = mergeAssignment(list[index], inner);
  else list.push(inner);
  job.assignments = list;
}

export function upsertOfficer(officer) {
  const known = state.officers.get(officer.id);
  state.officers.set(officer.id, { ...known, ...officer });
}

export function applyPositions(positions) {
  for (const position of positions || []) {
    const officer = state.officers.get(position.officer_id);
    if (!officer) continue;
    officer.fix = { lat: position.lat, lng: position.lng, accuracy_m: position.accuracy_m, at: position.at };
  }
}
