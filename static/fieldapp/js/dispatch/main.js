// The dispatcher's desk: the board of open jobs, candidates and dispatch, the
// map of officers and today's figures, all kept live over /ws/dispatch/.
//
// The desk feed is not stored: on every (re)connect the lists are fetched
// again, and frames are applied on top (upsert by id).

import { getJson } from "../../../common/js/http.js";
import { LiveSocket } from "../../../common/js/ws.js";
import { isToday, showConnection } from "../../../common/js/ui.js";
import { renderBoard, renderClosed, startReceiptClock } from "./board.js";
import { refreshOpenCandidates } from "./candidates.js";
import { loadFigures, renderFigures, scheduleFigures } from "./figures.js";
import { setupJobForm } from "./form.js";
import { maps, setupMaps } from "./map.js";
import { renderOfficers } from "./officers.js";
import { applyPositions, config, elements, hooks, jobFrameArrived, state, upsertAssignment, upsertJob, upsertOfficer } from "./state.js";

// The table shows how old each fix is; redraw it now and then without a frame.
const OFFICERS_REDRAW_MS = 15000;

function renderAll() {
  renderBoard();
  renderClosed();
  renderOfficers();
  renderFigures();
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
    for (const job of [...all.filter((item) => isToday(item.created_at) || isToday(item.closed_at)), ...open]) {
      if (previous.has(job.id) && !state.jobs.has(job.id)) state.jobs.set(job.id, previous.get(job.id));
      upsertJob(job);
    }
    state.officers = new Map(officers.map((officer) => [officer.id, officer]));
  } catch (error) {
    return;
  } finally {
    // The panels under the board appear once it is drawn, not pushed down by it (layout shift).
    document.querySelector(".dispatch-grid").removeAttribute("data-loading");
  }
  renderAll();
}

function onMessage(message) {
  switch (message.type) {
    case "job.changed":
      jobFrameArrived(message.job.id);
      upsertJob(message.job);
      scheduleFigures();
      break;
    case "assignment.changed":
      upsertAssignment(message.assignment);
      scheduleFigures();
      break;
    case "assignment.notified": {
      const job = state.jobs.get(message.job_id);
      const assignment = job && (job.assignments || []).find((item) => item.id === message.assignment_id);
      if (!assignment) return;
      assignment.notifications = message.notifications;
      break;
    }
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

hooks.renderAll = renderAll;
setupMaps();
setupJobForm();
// A receipt deadline passing changes the "not received" figure without any frame.
startReceiptClock(scheduleFigures);
setInterval(renderOfficers, OFFICERS_REDRAW_MS);
socket.start();

window.luchangDispatch = { state, socket, maps };
