// The dispatcher's desk: the board of open jobs, candidates and dispatch,
// the map of officers and today's figures, all kept live over /ws/dispatch/.
//
// The desk feed is not stored: on every (re)connect the lists are fetched
// again, and frames are applied on top (upsert by id).

import { getJson, postJson } from "../../common/js/http.js";
import { LiveSocket } from "../../common/js/ws.js";
import { distanceM } from "./position.js";
import { clock, duration, fill, h, isToday, pageConfig, secondsSince, showConnection, url } from "../../common/js/ui.js";

const config = pageConfig();
const L = config.labels;
const RECEIPT_TIMEOUT_MS = (config.receiptTimeoutS || 30) * 1000;
const STALE_S = config.staleFixS || 600;

const state = {
  jobs: new Map(), // every job we know of today, plus older open ones
  officers: new Map(),
  panels: new Map(), // per job: the DOM kept across re-renders (candidates, cancel form)
};

const elements = {
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

function officerLabel(officer) {
  if (!officer) return "";
  return [officer.call_sign, officer.name].filter(Boolean).join(" ");
}

function distanceText(metres) {
  if (metres === null || metres === undefined) return "";
  return metres < 1000 ? fill(L.distanceM, { m: Math.round(metres) }) : fill(L.distance, { km: (metres / 1000).toFixed(1) });
}

function fixAgeS(fix, now = Date.now()) {
  if (!fix) return null;
  return secondsSince(fix.at, now);
}

function isStale(fix) {
  const age = fixAgeS(fix);
  return age === null || age > STALE_S;
}

let noticeTimer = null;
function notice(message, bad = false) {
  elements.notice.textContent = message;
  elements.notice.classList.toggle("bad", bad);
  elements.notice.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { elements.notice.hidden = true; }, bad ? 15000 : 6000);
}

function errorText(response) {
  const detail = (response && response.data && response.data.detail) || (response && response.status) || "";
  return fill(L.error, { detail });
}

// --- data ---------------------------------------------------------------------------

// Frames and HTTP responses can arrive out of order (the phone's receipt may
// beat the response to the dispatch that caused it). Everything here only
// moves forward, so merging keeps the furthest state: a later step, a
// timestamp once set, a job once ended.
const RANK = { dispatched: 0, accepted: 1, en_route: 2, on_scene: 3, cleared: 4, declined: 4, withdrawn: 4 };

function mergeAssignment(known, incoming) {
  if (!known) return incoming;
  const older = (RANK[incoming.status] ?? 0) < (RANK[known.status] ?? 0);
  const merged = older ? { ...incoming, ...known } : { ...known, ...incoming };
  for (const [key, value] of Object.entries(known)) {
    if (key.endsWith("_at") && value && !merged[key]) merged[key] = value;
  }
  if (merged.received_at) merged.unreceived = false;
  return merged;
}

function upsertJob(job) {
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

function upsertAssignment(assignment) {
  const job = state.jobs.get(assignment.job_id);
  if (!job) {
    // A job we have not seen (created on another desk a moment ago): fetch it.
    getJson(url(config.urls.job, assignment.job_id)).then((fresh) => { upsertJob(fresh); renderAll(); }).catch(() => {});
    return;
  }
  const { job: _ignored, ...inner } = assignment;
  const list = job.assignments ? [...job.assignments] : [];
  const index = list.findIndex((item) => item.id === inner.id);
  if (index >= 0) list[index] = mergeAssignment(list[index], inner);
  else list.push(inner);
  job.assignments = list;
}

function upsertOfficer(officer) {
  const known = state.officers.get(officer.id);
  state.officers.set(officer.id, { ...known, ...officer });
}

function applyPositions(positions) {
  for (const position of positions || []) {
    const officer = state.officers.get(position.officer_id);
    if (!officer) continue;
    officer.fix = { lat: position.lat, lng: position.lng, accuracy_m: position.accuracy_m, at: position.at };
  }
}

async function reload() {
  try {
    const [open, all, officers] = await Promise.all([
      getJson(`${config.urls.jobs}?status=open`),
      getJson(`${config.urls.jobs}?status=all`),
      getJson(config.urls.officers),
    ]);
    // The lists are the truth about which jobs exist; a frame that arrived
    // while they loaded may still be newer for a job, so merge, not replace.
    const previous = state.jobs;
    state.jobs = new Map();
    for (const job of [...all.filter((item) => isToday(item.created_at)), ...open]) {
      if (previous.has(job.id) && !state.jobs.has(job.id)) state.jobs.set(job.id, previous.get(job.id));
      upsertJob(job);
    }
    state.officers = new Map(officers.map((officer) => [officer.id, officer]));
  } catch (error) {
    return;
  }
  renderAll();
}

// --- live feed ---------------------------------------------------------------------------

function onMessage(message) {
  switch (message.type) {
    case "job.changed":
      upsertJob(message.job);
      scheduleFigures();
      break;
    case "assignment.changed":
      upsertAssignment(message.assignment);
      scheduleFigures();
      break;
    case "officer.changed":
      upsertOfficer(message.officer);
      renderOfficers();
      refreshOpenCandidates();
      return;
    case "officer.positions":
      applyPositions(message.positions);
      renderOfficers();
      return;
    default:
      return;
  }
  renderAll();
}

const socket = new LiveSocket(config.urls.dispatchSocket, {
  onMessage,
  onOpen: () => {
    reload();
    loadFigures();
  },
  onStatus: (status) => showConnection(elements.connection, status, config.connection),
});

// --- the board -------------------------------------------------------------------------

function openJobs() {
  return [...state.jobs.values()]
    .filter((job) => job.status === "open")
    .sort((a, b) => (b.priority - a.priority) || String(b.created_at).localeCompare(String(a.created_at)));
}

function receiptInfo(assignment, now = Date.now()) {
  if (assignment.received_at) return { kind: "ok" };
  if (assignment.status !== "dispatched") return { kind: "none" };
  const dispatchedAt = Date.parse(assignment.dispatched_at);
  const deadline = assignment.receive_deadline ? Date.parse(assignment.receive_deadline) : dispatchedAt + RECEIPT_TIMEOUT_MS;
  if (now >= deadline || assignment.unreceived) return { kind: "alarm", age: Math.round((now - dispatchedAt) / 1000) };
  return { kind: "waiting" };
}

function stepTime(assignment) {
  const at = assignment[`${assignment.status}_at`];
  return at ? clock(at) : "";
}

function receiptNode(job, assignment) {
  const info = receiptInfo(assignment);
  const node = h("span", { class: `receipt ${info.kind}`, "data-receipt": info.kind });
  if (info.kind === "ok") node.append(`${L.received} ${clock(assignment.received_at)}`);
  else if (info.kind === "waiting") node.append(L.waiting);
  else if (info.kind === "alarm") {
    const officer = state.officers.get(assignment.officer.id) || {};
    node.append(h("span", {}, fill(L.notReceived, { age: duration(info.age, L) })));
    if (officer.phone) node.append(h("a", { class: "btn", href: `tel:${officer.phone}` }, fill(L.call, { phone: officer.phone })));
    node.append(h("button", { type: "button", class: "btn", onclick: () => withdraw(assignment) }, L.withdraw));
    node.append(h("button", { type: "button", class: "btn", onclick: () => toggleCandidates(job.id, true) }, L.sendOther));
  }
  return node;
}

function crewList(job) {
  const list = h("ul", { class: "crew" });
  const assignments = [...(job.assignments || [])].sort((a, b) => String(a.dispatched_at).localeCompare(String(b.dispatched_at)));
  if (!assignments.length) list.append(h("li", {}, h("span", { class: "none muted" }, L.nobodySent)));
  for (const assignment of assignments) {
    list.append(h("li", { "data-assignment": assignment.id, "data-officer": assignment.officer.id, "data-status": assignment.status },
      h("span", { class: "who" }, officerLabel(assignment.officer), assignment.forced ? h("span", { class: "muted" }, ` (${L.forced})`) : null),
      h("span", { class: `step step-${assignment.status}` }, config.statuses[assignment.status] || assignment.status, " ", h("small", {}, stepTime(assignment))),
      receiptNode(job, assignment),
    ));
  }
  return list;
}

function panelFor(jobId) {
  let panel = state.panels.get(jobId);
  if (!panel) {
    panel = {
      candidates: h("div", { class: "candidates", hidden: true, "data-panel": "candidates" }),
      cancel: cancelForm(jobId),
      selected: new Set(),
      open: false,
    };
    state.panels.set(jobId, panel);
  }
  return panel;
}

function jobCard(job) {
  const panel = panelFor(job.id);
  const priority = String(job.priority);
  const alarm = (job.assignments || []).some((assignment) => receiptInfo(assignment).kind === "alarm");
  const card = h("article", { class: `job prio-${priority}${alarm ? " has-alarm" : ""}`, "data-job": job.id, "data-number": job.number },
    h("div", { class: "job-head" },
      h("span", { class: "job-number" }, job.number),
      h("span", { class: "badge kind" }, config.kinds[job.kind] || job.kind),
      h("span", { class: `badge prio-${priority}` }, config.priorities[priority] || priority),
      h("span", { class: "job-age", "data-since": job.reported_at || job.created_at }, clock(job.reported_at || job.created_at)),
    ),
    h("p", { class: "job-summary" }, job.summary),
    job.address ? h("p", { class: "job-address" }, job.address) : null,
    crewList(job),
    h("div", { class: "job-actions" },
      h("button", { type: "button", class: "btn btn-primary", "data-action": "candidates", onclick: () => toggleCandidates(job.id) }, L.findOfficers),
      h("button", { type: "button", class: "btn", "data-action": "cancel", onclick: () => toggleCancel(job.id) }, L.cancel),
      h("button", { type: "button", class: "btn btn-close", "data-action": "close", onclick: () => closeJob(job) }, L.close),
    ),
    panel.candidates,
    panel.cancel,
  );
  return card;
}

// A card is rebuilt only when what it shows changed, and the list is only
// reordered when the order changed: a live update arriving between the
// dispatcher's mouse-down and mouse-up must not swallow the click.
const cards = new Map();
const emptyBoard = h("p", { class: "muted" }, L.noOpenJobs);

function renderBoard() {
  const jobs = openJobs();
  elements.openCount.textContent = `(${jobs.length})`;
  const wanted = jobs.map((job) => {
    const signature = JSON.stringify([job, (job.assignments || []).map((assignment) => receiptInfo(assignment).kind)]);
    const known = cards.get(job.id);
    if (known && known.signature === signature) return known.node;
    const node = jobCard(job);
    cards.set(job.id, { signature, node });
    return node;
  });
  if (!wanted.length) wanted.push(emptyBoard);
  const current = [...elements.board.children];
  if (current.length !== wanted.length || current.some((node, index) => node !== wanted[index])) {
    const focused = document.activeElement;
    elements.board.replaceChildren(...wanted);
    // The panels are reused DOM, so a focused checkbox or reason field keeps focus.
    if (focused && document.contains(focused)) focused.focus({ preventScroll: true });
  }
  for (const jobId of [...cards.keys()]) {
    const job = state.jobs.get(jobId);
    if (!job || job.status !== "open") {
      cards.delete(jobId);
      state.panels.delete(jobId);
    }
  }
}

function renderClosed() {
  const ended = [...state.jobs.values()]
    .filter((job) => job.status !== "open" && isToday(job.created_at))
    .sort((a, b) => String(b.closed_at).localeCompare(String(a.closed_at)));
  elements.closed.replaceChildren(...(ended.length ? ended.map((job) => h("li", { "data-job": job.id, "data-status": job.status },
    h("span", { class: "job-number" }, job.number),
    h("span", {}, `${config.jobStatuses[job.status] || job.status} ${clock(job.closed_at)}`),
    h("span", {}, job.summary),
    h("span", { class: "final" }, (job.assignments || []).map((assignment) => `${assignment.officer.call_sign}: ${config.statuses[assignment.status] || assignment.status}`).join(", ")),
  )) : [h("li", { class: "muted" }, L.none)]));
}

// --- candidates and dispatch ---------------------------------------------------------------

function toggleCandidates(jobId, forceOpen = false) {
  const panel = panelFor(jobId);
  panel.open = forceOpen || panel.candidates.hidden;
  panel.candidates.hidden = !panel.open;
  if (panel.open) loadCandidates(jobId);
}

function refreshOpenCandidates() {
  for (const [jobId, panel] of state.panels) if (panel.open) loadCandidates(jobId);
}

async function loadCandidates(jobId) {
  const panel = panelFor(jobId);
  let result;
  try {
    result = await getJson(`${url(config.urls.candidates, jobId)}?limit=8`);
  } catch (error) {
    panel.candidates.replaceChildren(h("p", { class: "inline-error" }, fill(L.error, { detail: error.message })));
    return;
  }
  renderCandidates(jobId, result);
}

function candidateRow(panel, officer, extra, busy) {
  const checkbox = h("input", {
    type: "checkbox", name: "officer", value: officer.id, "data-officer": officer.id,
    onchange: (event) => (event.target.checked ? panel.selected.add(officer.id) : panel.selected.delete(officer.id)),
  });
  checkbox.checked = panel.selected.has(officer.id);
  return h("li", {},
    h("label", {},
      checkbox,
      h("span", {}, h("span", { class: "name" }, officerLabel(officer)), officer.squad ? h("span", { class: "muted" }, ` · ${officer.squad.name}`) : null,
        busy ? h("span", { class: "busy-tag" }, ` · ${L.busy}`) : null),
      h("span", { class: "dist" }, distanceText(extra.distance)),
      h("span", { class: "age" }, extra.age === null ? L.noFix : fill(L.fixAge, { age: duration(extra.age, L) })),
    ));
}

function renderCandidates(jobId, result) {
  const panel = panelFor(jobId);
  const job = state.jobs.get(jobId);
  const onJob = new Set((job && job.assignments || []).map((assignment) => assignment.officer.id));
  const listed = new Set();
  const list = h("ul", { class: "candidate-list", "data-list": "candidates" });
  for (const candidate of result.candidates || []) {
    listed.add(candidate.officer.id);
    list.append(candidateRow(panel, candidate.officer, { distance: candidate.distance_m, age: candidate.fix_age_s }, false));
  }
  if (!(result.candidates || []).length) list.append(h("li", { class: "muted" }, L.noCandidates));

  // Busy officers close by are listed too: sending one needs "force".
  const busy = job ? [...state.officers.values()]
    .filter((officer) => officer.state === "busy" && officer.fix && !isStale(officer.fix) && !onJob.has(officer.id) && !listed.has(officer.id))
    .map((officer) => ({ officer, distance: distanceM(officer.fix, job), age: fixAgeS(officer.fix) }))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, 5) : [];
  const busyList = h("ul", { class: "candidate-list", "data-list": "busy" },
    busy.map((entry) => candidateRow(panel, entry.officer, entry, true)));

  const reasons = result.shortfall ? result.shortfall.reasons || [] : [];
  const force = h("input", { type: "checkbox", name: "force", "data-role": "force" });
  force.checked = Boolean(panel.force);
  force.addEventListener("change", () => { panel.force = force.checked; });
  const error = h("p", { class: "inline-error", role: "alert", hidden: true });
  const send = h("button", { type: "button", class: "btn btn-primary", "data-action": "dispatch" }, L.dispatchSelected);
  send.addEventListener("click", () => dispatchSelected(jobId, { force: force.checked, error, send }));
  panel.candidates.replaceChildren(...[
    list,
    reasons.length ? h("ul", { class: "shortfall" }, reasons.map((reason) => h("li", { "data-code": reason.code }, reason.detail))) : null,
    busy.length ? h("p", { class: "candidate-group" }, L.busyNearby) : null,
    busy.length ? busyList : null,
    h("label", { class: "force" }, force, L.force),
    error,
    h("div", { class: "row" },
      send,
      h("button", { type: "button", class: "btn", onclick: () => toggleCandidates(jobId) }, L.back),
    ),
  ].filter(Boolean));
}

async function dispatchSelected(jobId, { force, error, send }) {
  const panel = panelFor(jobId);
  const officers = [...panel.selected];
  error.hidden = true;
  if (!officers.length) {
    error.textContent = L.selectSomeone;
    error.hidden = false;
    return;
  }
  send.disabled = true;
  try {
    const response = await postJson(url(config.urls.dispatch, jobId), { officers, force });
    if (response.ok) {
      upsertJob(response.data.job);
      const names = (response.data.created || []).map((assignment) => officerLabel(assignment.officer)).join(", ");
      if (names) notice(fill(L.dispatched, { names }));
      panel.selected.clear();
      panel.force = false;
      panel.open = false;
      panel.candidates.hidden = true;
      renderAll();
    } else {
      error.textContent = (response.data && response.data.detail) || errorText(response);
      error.hidden = false;
      if (response.data && response.data.code === "officer_busy") error.append(" ", L.forceHint);
    }
  } catch (failure) {
    error.textContent = L.networkError;
    error.hidden = false;
  } finally {
    send.disabled = false;
  }
}

async function withdraw(assignment) {
  const response = await postJson(url(config.urls.withdraw, assignment.id), { reason: L.withdrawReason }).catch(() => null);
  if (!response) notice(L.networkError, true);
  else if (!response.ok) notice(errorText(response), true);
  else {
    upsertAssignment(response.data);
    renderAll();
  }
}

// --- cancel and close ---------------------------------------------------------------------

function cancelForm(jobId) {
  const reason = h("input", { type: "text", name: "reason", maxlength: 200, required: true, "aria-label": L.cancelReason, placeholder: L.cancelReason });
  const error = h("p", { class: "inline-error", role: "alert", hidden: true });
  const form = h("form", { class: "cancel-form", hidden: true, novalidate: true, "data-panel": "cancel" },
    reason, error,
    h("div", { class: "row" },
      h("button", { type: "submit", class: "btn btn-danger" }, L.confirmCancel),
      h("button", { type: "button", class: "btn", onclick: () => { form.hidden = true; } }, L.back),
    ),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    if (!reason.value.trim()) {
      error.textContent = L.reasonRequired;
      error.hidden = false;
      reason.focus();
      return;
    }
    const response = await postJson(url(config.urls.cancel, jobId), { reason: reason.value.trim() }).catch(() => null);
    if (response && response.ok) {
      upsertJob(response.data);
      renderAll();
    } else {
      error.textContent = response ? errorText(response) : L.networkError;
      error.hidden = false;
    }
  });
  return form;
}

function toggleCancel(jobId) {
  const panel = panelFor(jobId);
  panel.cancel.hidden = !panel.cancel.hidden;
  if (!panel.cancel.hidden) panel.cancel.querySelector("input").focus();
}

async function closeJob(job) {
  const response = await postJson(url(config.urls.close, job.id), {}).catch(() => null);
  if (response && response.ok) {
    upsertJob(response.data);
    renderAll();
  } else {
    notice(response ? errorText(response) : L.networkError, true);
  }
}

// --- officers: table and map ----------------------------------------------------------------

function officerState(officer) {
  return officer.state || (officer.on_duty ? (officer.available ? "available" : "busy") : "off_duty");
}

const stateLabel = { available: L.available, busy: L.busy, off_duty: L.offDuty };

function renderOfficers() {
  const officers = [...state.officers.values()].sort((a, b) => String(a.call_sign).localeCompare(String(b.call_sign)));
  elements.officerRows.replaceChildren(...(officers.length ? officers.map((officer) => {
    const status = officerState(officer);
    const age = fixAgeS(officer.fix);
    const stale = officer.fix && age > STALE_S;
    return h("tr", { "data-officer": officer.id, "data-state": status, class: stale ? "stale" : "" },
      h("td", {}, h("strong", {}, officer.call_sign), " ", officer.name),
      h("td", {}, h("span", { class: `state-badge state-${status}` }, stateLabel[status] || status)),
      h("td", {}, officer.fix ? (stale ? fill(L.stale, { age: duration(age, L) }) : fill(L.fixAge, { age: duration(age, L) })) : L.noFix),
      h("td", {}, officer.phone ? h("a", { href: `tel:${officer.phone}` }, officer.phone) : ""),
    );
  }) : [h("tr", {}, h("td", { colspan: 4 }, L.noOfficers))]));
  renderOfficerMap();
}

const maps = { officers: null, place: null, officerLayer: null, jobLayer: null, placeMarker: null, fitted: false };

function makeMap(elementId) {
  if (!window.L || !document.getElementById(elementId)) return null;
  const map = window.L.map(elementId, { zoomControl: true }).setView(config.map.center, config.map.zoom);
  window.L.tileLayer(config.map.tileUrl, { attribution: config.map.attribution, maxZoom: 19 }).addTo(map);
  return map;
}

function pinIcon(className, html) {
  return window.L.divIcon({ className, html, iconSize: [0, 0] });
}

function escapeText(text) {
  const span = document.createElement("span");
  span.textContent = text;
  return span.innerHTML;
}

// Markers are kept per officer and only moved or restyled: positions arrive
// every second and rebuilding hundreds of markers would flicker.
const officerMarkers = new Map();

function renderOfficerMap() {
  if (!maps.officers) return;
  const shapes = { available: "●", busy: "■", off_duty: "◆" };
  const points = [];
  const seen = new Set();
  for (const officer of state.officers.values()) {
    if (!officer.fix) continue;
    seen.add(officer.id);
    const status = officerState(officer);
    const age = fixAgeS(officer.fix);
    const stale = age > STALE_S;
    const label = stale ? `${officer.call_sign} · ${duration(age, L)}` : officer.call_sign;
    const shape = stale ? "○" : shapes[status] || "●";
    const look = `${status}|${stale}|${label}`;
    const point = [officer.fix.lat, officer.fix.lng];
    const icon = () => pinIcon(`officer-marker ${status}${stale ? " stale" : ""}`, `<span class="pin"><span class="shape">${shape}</span>${escapeText(label)}</span>`);
    let entry = officerMarkers.get(officer.id);
    if (!entry) {
      const marker = window.L.marker(point, { icon: icon(), title: officerLabel(officer), keyboard: false }).addTo(maps.officerLayer);
      entry = { marker, look };
      officerMarkers.set(officer.id, entry);
    } else {
      entry.marker.setLatLng(point);
      if (entry.look !== look) {
        entry.marker.setIcon(icon());
        entry.look = look;
      }
    }
    const element = entry.marker.getElement();
    if (element) element.title = `${officerLabel(officer)} · ${stateLabel[status] || status}`;
    points.push(point);
  }
  for (const [id, entry] of officerMarkers) {
    if (!seen.has(id)) {
      entry.marker.remove();
      officerMarkers.delete(id);
    }
  }
  maps.jobLayer.clearLayers();
  for (const job of openJobs()) {
    window.L.marker([job.lat, job.lng], {
      icon: pinIcon("job-marker", `<span class="pin">${escapeText(job.number.slice(-4))}</span>`),
      title: `${job.number} ${job.summary}`,
      keyboard: false,
    }).on("click", () => {
      const card = elements.board.querySelector(`.job[data-job="${job.id}"]`);
      if (card) card.scrollIntoView({ block: "center", behavior: "smooth" });
    }).addTo(maps.jobLayer);
    points.push([job.lat, job.lng]);
  }
  // Frame everybody once; afterwards the dispatcher owns the view.
  if (!maps.fitted && points.length) {
    maps.officers.fitBounds(points, { padding: [40, 40], maxZoom: 15 });
    maps.fitted = true;
  }
}

function setupMaps() {
  maps.officers = makeMap("officers-map");
  if (maps.officers) {
    maps.officerLayer = window.L.layerGroup().addTo(maps.officers);
    maps.jobLayer = window.L.layerGroup().addTo(maps.officers);
  }
  maps.place = makeMap("place-map");
  if (maps.place) {
    maps.place.on("click", (event) => setPlace(event.latlng.lat, event.latlng.lng));
  }
  const typed = () => {
    const lat = Number(elements.lat.value);
    const lng = Number(elements.lng.value);
    if (elements.lat.value && elements.lng.value && Number.isFinite(lat) && Number.isFinite(lng)) setPlace(lat, lng, false);
  };
  elements.lat.addEventListener("change", typed);
  elements.lng.addEventListener("change", typed);
}

function setPlace(lat, lng, fromMap = true) {
  if (fromMap) {
    elements.lat.value = lat.toFixed(6);
    elements.lng.value = lng.toFixed(6);
  }
  elements.placeHint.textContent = fill(L.placed, { lat: Number(lat).toFixed(5), lng: Number(lng).toFixed(5) });
  if (!maps.place) return;
  if (!maps.placeMarker) {
    maps.placeMarker = window.L.marker([lat, lng], {
      icon: pinIcon("job-marker", `<span class="pin">${escapeText(L.newJobPin)}</span>`),
      keyboard: false,
    }).addTo(maps.place);
  } else {
    maps.placeMarker.setLatLng([lat, lng]);
  }
}

// --- create a job ---------------------------------------------------------------------------

elements.form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = new FormData(elements.form);
  elements.formError.hidden = true;
  const lat = Number(data.get("lat"));
  const lng = Number(data.get("lng"));
  const problems = [];
  if (!String(data.get("summary") || "").trim()) problems.push(L.summaryRequired);
  if (!data.get("lat") || !data.get("lng") || !Number.isFinite(lat) || !Number.isFinite(lng)) problems.push(L.mustPlace);
  if (problems.length) {
    elements.formError.textContent = problems.join(" ");
    elements.formError.hidden = false;
    return;
  }
  const body = {
    kind: data.get("kind"),
    priority: Number(data.get("priority")),
    summary: String(data.get("summary")).trim(),
    address: String(data.get("address") || "").trim(),
    description: String(data.get("description") || "").trim(),
    source: data.get("source"),
    lat,
    lng,
  };
  const submit = elements.form.querySelector("button[type=submit]");
  submit.disabled = true;
  try {
    const response = await postJson(config.urls.jobs, body);
    if (!response.ok) {
      elements.formError.textContent = (response.data && response.data.detail) || errorText(response);
      elements.formError.hidden = false;
      return;
    }
    const job = upsertJob(response.data);
    notice(fill(L.created, { number: job.number }));
    elements.form.reset();
    elements.placeHint.textContent = L.placeOnMap;
    if (maps.placeMarker) {
      maps.placeMarker.remove();
      maps.placeMarker = null;
    }
    renderAll();
    // Creating a job is almost always followed by sending someone.
    toggleCandidates(job.id, true);
  } catch (error) {
    elements.formError.textContent = L.networkError;
    elements.formError.hidden = false;
  } finally {
    submit.disabled = false;
  }
});

// --- figures -----------------------------------------------------------------------------------
// The server counts the whole day (GET /api/v1/figures/); the job lists are capped and would
// miss the morning of a busy day. Changes ask for new figures at most every FIGURES_EVERY_MS.

const FIGURES_EVERY_MS = 5000;
const figuresElement = document.getElementById("figures");
const figuresUrl = (figuresElement && figuresElement.dataset.url) || "/api/v1/figures/";
let figures = null;
let figuresTimer = null;
let figuresLastAt = 0;

async function loadFigures() {
  figuresLastAt = Date.now();
  try {
    figures = await getJson(figuresUrl);
  } catch (error) {
    return; // keep the last figures; the next change or reconnect asks again
  }
  renderFigures();
}

function scheduleFigures() {
  if (figuresTimer !== null) return;
  const wait = Math.max(0, figuresLastAt + FIGURES_EVERY_MS - Date.now());
  figuresTimer = setTimeout(() => {
    figuresTimer = null;
    loadFigures();
  }, wait);
}

function renderFigures() {
  if (!figures) return;
  const set = (id, text, alarm = false) => {
    const node = document.getElementById(id);
    node.textContent = text;
    node.classList.toggle("alarm", alarm);
  };
  const medians = figures.median_s || {};
  set("fig-jobs", String(figures.jobs));
  set("fig-unreceived", String(figures.unreceived), figures.unreceived > 0);
  set("fig-accept", duration(medians.dispatch_accepted, L));
  set("fig-onscene", duration(medians.dispatch_on_scene, L));
  set("fig-clear", duration(medians.on_scene_cleared, L));
}

// --- render loop ----------------------------------------------------------------------------------

function renderAll() {
  renderBoard();
  renderClosed();
  renderOfficers();
  renderFigures();
}

// The 30-second receipt flag has no push of its own: a timer redraws the
// receipts (cheap) and the board only when a flag changes.
let lastAlarmKey = "";
setInterval(() => {
  const key = openJobs().flatMap((job) => (job.assignments || []).map((assignment) => `${assignment.id}:${receiptInfo(assignment).kind}`)).join(",");
  if (key !== lastAlarmKey) {
    lastAlarmKey = key;
    renderBoard();
    // A receipt deadline passing changes the "not received" figure without any frame.
    scheduleFigures();
    return;
  }
  for (const node of elements.board.querySelectorAll(".receipt.alarm > span:first-child")) {
    const item = node.closest("[data-assignment]");
    const job = state.jobs.get(Number(node.closest("[data-job]").dataset.job));
    const assignment = job && (job.assignments || []).find((entry) => String(entry.id) === item.dataset.assignment);
    if (assignment) node.textContent = fill(L.notReceived, { age: duration(receiptInfo(assignment).age, L) });
  }
}, 1000);
setInterval(renderOfficers, 15000);

setupMaps();
socket.start();

window.luchangDispatch = { state, socket };
