// Taking a step on an assignment: queued in the outbox with its own
// Idempotency-Key and the time of the tap, and a short cool-down so a double
// tap cannot take two steps.

import { hideBanner } from "./banner.js";
import { stepItem } from "./pending.js";
import { L, config, elements, hooks, state, timers } from "./state.js";

// A fix older than this is not attached to a step.
const STEP_FIX_MAX_AGE_MS = 120000;

export function nextSteps(assignment) {
  return Array.isArray(assignment.next_steps) ? assignment.next_steps : [];
}

export function primaryStep(assignment) {
  if (assignment.next_step !== undefined) return assignment.next_step;
  return nextSteps(assignment).find((step) => step !== "declined") || null;
}

export function isCooling(assignment) {
  return (state.cooling.get(assignment.id) || 0) > Date.now();
}

export function showError(message) {
  elements.actionError.textContent = message;
  elements.actionError.hidden = false;
}

export function hideError() {
  elements.actionError.hidden = true;
}

// The step is kept on the phone first (the outbox), so a tap in a tunnel is
// never lost; the card moves on at once and says it waits to be sent.
export async function advance(assignment, to, extra = {}) {
  const keyName = `${assignment.id}:${to}`;
  if (state.busy.has(keyName)) return;
  state.busy.add(keyName);
  hideError();
  const body = { ...extra };
  const fix = hooks.lastFix();
  if (fix && Date.now() - Date.parse(fix.at) < STEP_FIX_MAX_AGE_MS) {
    body.lat = fix.lat;
    body.lng = fix.lng;
    body.accuracy = fix.accuracy;
  }
  try {
    await state.outbox.add(stepItem(config, assignment, to, body));
    hideBanner();
    // The next step's button appears where the finger just was: a
    // double tap with gloves must not also record the step after.
    state.cooling.set(assignment.id, Date.now() + timers.stepCoolDown);
    setTimeout(() => hooks.render(), timers.stepCoolDown + 50);
  } catch (error) {
    // Only a phone that cannot store anything ends here.
    showError(L.failed);
  } finally {
    state.busy.delete(keyName);
    hooks.render();
  }
}
