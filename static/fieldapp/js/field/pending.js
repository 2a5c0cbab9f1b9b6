// The field page's side of the outbox: which taps become which items, how a
// card looks while its steps wait on the phone, and the last /me/ answer kept
// for a page opened in a tunnel.
//
// A card shows the server's assignment with the steps still queued for it
// laid on top ("已记录，待发送"). The next buttons come from the server's own
// table of steps (config.steps.after), so the page never builds the state
// machine again.

import { url } from "../../../common/js/ui.js";
import { Outbox, PENDING } from "../outbox.js";

export function createOutbox(config, handlers) {
  const timers = config.timers || {};
  const outbox = new Outbox({
    owner: config.officerId,
    baseMs: timers.outboxRetryBase,
    capMs: timers.outboxRetryCap,
    pollMs: timers.outboxPoll,
    ...handlers,
  });
  outbox.start();
  return outbox;
}

export function stepItem(config, assignment, to, body) {
  const job = assignment.job || {};
  return {
    kind: "step",
    url: url(config.urls.advance, assignment.id),
    json: { to, ...body },
    meta: { assignmentId: assignment.id, to },
    label: [config.actions[to] || to, job.number].filter(Boolean).join(" · "),
  };
}

export function dutyItem(config, onDuty) {
  return {
    kind: "duty",
    url: config.urls.duty,
    json: { on_duty: onDuty },
    meta: { onDuty },
    label: onDuty ? config.labels.onDuty : config.labels.offDuty,
  };
}

function pendingOf(items, kind) {
  return items.filter((item) => item.status === PENDING && item.kind === kind);
}

// The duty state the officer last asked for, or null when nothing waits.
export function wantedDuty(items) {
  const waiting = pendingOf(items, "duty");
  return waiting.length ? Boolean(waiting[waiting.length - 1].meta.onDuty) : null;
}

// The assignment as the card shows it: the server's copy, moved on by the
// steps still waiting in the outbox. `pending` marks a card that is ahead of
// the server.
export function withPendingSteps(assignment, items, steps) {
  const rank = steps.rank || {};
  let shown = assignment;
  for (const item of pendingOf(items, "step")) {
    if (item.meta.assignmentId !== assignment.id) continue;
    const to = item.meta.to;
    if ((rank[to] ?? 0) <= (rank[shown.status] ?? 0)) continue;
    const next = (steps.after || {})[to] || { next_step: null, next_steps: [] };
    shown = {
      ...shown,
      status: to,
      [`${to}_at`]: item.device_time,
      next_step: next.next_step,
      next_steps: next.next_steps,
      pending: true,
    };
  }
  return shown;
}

// Reports found on patrol that have not reached the server yet.
export function pendingFound(items) {
  return pendingOf(items, "found");
}

// --- the last /me/ answer, for a page opened without a network -------------------

function snapshotKey(config) {
  return `luchang.field.me.${config.officerId}`;
}

export function saveSnapshot(config, me) {
  try {
    localStorage.setItem(snapshotKey(config), JSON.stringify(me));
  } catch (error) {
    // Full or private storage: the page then starts empty offline, as before.
  }
}

export function loadSnapshot(config) {
  try {
    const raw = localStorage.getItem(snapshotKey(config));
    return raw ? JSON.parse(raw) : null;
  } catch (error) {
    return null;
  }
}
