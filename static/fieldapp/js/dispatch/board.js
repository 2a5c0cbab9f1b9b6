// The board of open jobs (crew, actions) and the list of jobs ended today.

import { postJson } from "../../../common/js/http.js";
import { clock, duration, fill, h, isToday, url } from "../../../common/js/ui.js";
import { toggleCandidates } from "./candidates.js";
import { crewList, receiptInfo } from "./crew.js";
import { recordsDetail } from "./records.js";
import { timelineDetail } from "./timeline.js";
import { L, config, elements, errorText, hooks, notice, openJobs, panelFor, postReason, state, upsertJob } from "./state.js";

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
    const job = await postReason(url(config.urls.cancel, jobId), reason, error);
    if (job) {
      upsertJob(job);
      hooks.renderAll();
    }
  });
  return form;
}

function cancelPanel(jobId) {
  const panel = panelFor(jobId);
  if (!panel.cancel) panel.cancel = cancelForm(jobId);
  return panel.cancel;
}

function toggleCancel(jobId) {
  const form = cancelPanel(jobId);
  form.hidden = !form.hidden;
  if (!form.hidden) form.querySelector("input").focus();
}

async function closeJob(job) {
  const response = await postJson(url(config.urls.close, job.id), {}).catch(() => null);
  if (response && response.ok) {
    upsertJob(response.data);
    hooks.renderAll();
  } else {
    notice(response ? errorText(response) : L.networkError, true);
  }
}

// --- cards ---------------------------------------------------------------------------------

// Said in words (and a shape), not by colour alone.
function patrolBadge(job) {
  return job.found_on_patrol ? h("span", { class: "badge patrol", "data-found-on-patrol": "" }, L.foundOnPatrol) : null;
}

function jobCard(job) {
  const panel = panelFor(job.id);
  const priority = String(job.priority);
  const alarm = (job.assignments || []).some((assignment) => receiptInfo(assignment).kind === "alarm");
  return h("article", { class: `job prio-${priority}${alarm ? " has-alarm" : ""}`, "data-job": job.id, "data-number": job.number },
    h("div", { class: "job-head" },
      h("span", { class: "job-number" }, job.number),
      h("span", { class: "badge kind" }, config.kinds[job.kind] || job.kind),
      h("span", { class: `badge prio-${priority}` }, config.priorities[priority] || priority),
      patrolBadge(job),
      h("span", { class: "job-age", "data-since": job.reported_at || job.created_at }, clock(job.reported_at || job.created_at)),
    ),
    h("p", { class: "job-summary" }, job.summary),
    job.address ? h("p", { class: "job-address" }, job.address) : null,
    crewList(job),
    recordsDetail(job),
    timelineDetail(job),
    h("div", { class: "job-actions" },
      h("button", { type: "button", class: "btn btn-primary", "data-action": "candidates", onclick: () => toggleCandidates(job.id) }, L.findOfficers),
      h("button", { type: "button", class: "btn", "data-action": "cancel", onclick: () => toggleCancel(job.id) }, L.cancel),
      h("button", { type: "button", class: "btn btn-close", "data-action": "close", onclick: () => closeJob(job) }, L.close),
    ),
    panel.candidates,
    cancelPanel(job.id),
  );
}

// A card is rebuilt only when what it shows changed, and the list is only
// reordered when the order changed: a live update arriving between the
// dispatcher's mouse-down and mouse-up must not swallow the click.
const cards = new Map();
const emptyBoard = h("p", { class: "muted" }, L.noOpenJobs);

export function renderBoard() {
  // Taken first: a rebuilt card moves the kept forms into it, and moving a node drops its focus.
  const focused = document.activeElement;
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
    elements.board.replaceChildren(...wanted);
  }
  // The panels are reused DOM, so a focused checkbox or reason field keeps focus.
  if (focused && focused !== document.activeElement && document.contains(focused)) focused.focus({ preventScroll: true });
  for (const jobId of [...cards.keys()]) {
    const job = state.jobs.get(jobId);
    if (!job || job.status !== "open") {
      cards.delete(jobId);
      state.panels.delete(jobId);
    }
  }
}

function endedItem(job) {
  return h("li", { "data-job": job.id, "data-status": job.status },
    h("span", { class: "job-number" }, job.number),
    h("span", {}, `${config.jobStatuses[job.status] || job.status} ${clock(job.closed_at)}`),
    patrolBadge(job),
    h("span", {}, job.summary),
    h("span", { class: "final" }, (job.assignments || []).map((assignment) => `${assignment.officer.call_sign}: ${config.statuses[assignment.status] || assignment.status}`).join(", ")),
    // What was recorded stays readable after the job has left the board.
    recordsDetail(job),
    timelineDetail(job),
  );
}

// As on the board: an item is rebuilt only when its job changed, so a frame
// for another job leaves the dispatcher's focus and open photo where they are.
const endedItems = new Map();
const noneEnded = h("li", { class: "muted" }, L.none);
// A busy day ends hundreds of jobs: the latest are drawn, the rest on request.
const ENDED_SHOWN = 20;
let allEnded = false;
const showAllEnded = h("button", { type: "button", class: "show-all", onclick: () => { allEnded = true; renderClosed(); } });
const showAllItem = h("li", {}, showAllEnded);

export function renderClosed() {
  const ended = [...state.jobs.values()]
    .filter((job) => job.status !== "open" && isToday(job.closed_at))
    .sort((a, b) => String(b.closed_at).localeCompare(String(a.closed_at)));
  const drawn = allEnded ? ended : ended.slice(0, ENDED_SHOWN);
  const wanted = drawn.map((job) => {
    const signature = JSON.stringify(job);
    const known = endedItems.get(job.id);
    if (known && known.signature === signature) return known.node;
    const node = endedItem(job);
    endedItems.set(job.id, { signature, node });
    return node;
  });
  if (!wanted.length) wanted.push(noneEnded);
  if (drawn.length < ended.length) {
    showAllEnded.textContent = fill(L.showAllEnded, { count: ended.length });
    wanted.push(showAllItem);
  }
  const current = [...elements.closed.children];
  if (current.length !== wanted.length || current.some((node, index) => node !== wanted[index])) {
    elements.closed.replaceChildren(...wanted);
  }
  const shown = new Set(drawn.map((job) => job.id));
  for (const jobId of [...endedItems.keys()]) if (!shown.has(jobId)) endedItems.delete(jobId);
}

// The receipt deadline has no push of its own: a timer redraws the receipts
// (cheap) and the board only when a flag changes. onFlagChange runs then.
export function startReceiptClock(onFlagChange) {
  let lastAlarmKey = "";
  setInterval(() => {
    const key = openJobs().flatMap((job) => (job.assignments || []).map((assignment) => `${assignment.id}:${receiptInfo(assignment).kind}`)).join(",");
    if (key !== lastAlarmKey) {
      lastAlarmKey = key;
      renderBoard();
      onFlagChange();
      return;
    }
    for (const node of elements.board.querySelectorAll(".receipt.alarm > span:first-child")) {
      const item = node.closest("[data-assignment]");
      const job = state.jobs.get(Number(node.closest("[data-job]").dataset.job));
      const assignment = job && (job.assignments || []).find((entry) => String(entry.id) === item.dataset.assignment);
      if (assignment) node.textContent = fill(L.notReceived, { age: duration(receiptInfo(assignment).age, L) });
    }
  }, 1000);
}
