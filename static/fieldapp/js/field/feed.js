// The live feed from /ws/field/. Pushes only nudge: every message carries a
// seq, is acknowledged and deduplicated, and after any reconnect the page asks
// for everything after the last seq it saw and re-reads /api/v1/me/.

import { LiveSocket } from "../../../common/js/ws.js";
import { showConnection } from "../../../common/js/ui.js";
import { maybeAnnounce, showBanner, showCancelled, summaryOf } from "./banner.js";
import {
  L, activeAssignments, config, elements, hooks, jobOf, state, updateJob, upsertAssignment, writeSeq,
} from "./state.js";

// Jobs cancelled while the phone was away that it still showed as open: told once the replay is over.
const cancelledAway = [];

function resume(socket, feedSeq) {
  // A phone that saw seq 40 of a feed now at 12 is talking to a reset
  // database: start again from what the server has.
  if (state.lastSeq === null || state.lastSeq > feedSeq) writeSeq(Math.min(state.lastSeq ?? feedSeq, feedSeq));
  state.replaying = true;
  state.replayed = 0;
  socket.send({ type: "resume", after: state.lastSeq });
}

function handle(message) {
  switch (message.type) {
    case "resumed":
      // Replayed frames are snapshots from when they happened; now that they
      // are acknowledged, read the present from the database. The page's
      // first session needs no second read when nothing was replayed: the
      // /me/ of the page load is still the present.
      state.replaying = false;
      if (cancelledAway.length) showCancelled(cancelledAway.splice(0).pop());
      if (state.opens > 1 || state.replayed > 0 || !state.fromServer) hooks.refresh();
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
    case "job.cancelled": {
      const job = { ...message.job, status: "cancelled" };
      // A replayed cancel is news only for a job this phone still shows as open.
      const wasOpen = activeAssignments().some((assignment) => jobOf(assignment).id === job.id);
      updateJob(job);
      if (!state.replaying) showCancelled(job);
      else if (wasOpen) cancelledAway.push(job);
      break;
    }
    default:
      return;
  }
  hooks.render();
}

function onMessage(message, socket) {
  if (message.type === "hello") {
    resume(socket, Number(message.feed_seq) || 0);
    return;
  }
  if (message.type === "error") {
    if (message.code === "off_duty") hooks.refresh();
    return;
  }
  if (message.type === "resumed") {
    // Frames handled on an earlier connection whose ack the server never
    // stored (it went down first): ack them again, or they stay "not received".
    for (const seq of message.ack_again || []) socket.send({ type: "ack", seq });
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
  if (state.replaying) state.replayed += 1;
  writeSeq(seq);
  handle(message);
}

export const connectionHistory = [];

// onOpen: the server greets with "hello" and waits for "resume" before
// sending any feed frame; meanwhile the page re-reads the truth.
export function createFeedSocket({ onOpen }) {
  return new LiveSocket(config.urls.fieldSocket, {
    onMessage,
    onOpen,
    onStatus: (status) => {
      connectionHistory.push(status);
      showConnection(elements.connection, status, config.connection);
    },
  });
}
