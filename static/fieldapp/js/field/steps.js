// Taking a step on an assignment: one Idempotency-Key per step, retried on a
// bad network, and a short cool-down so a double tap cannot take two steps.

import { newIdempotencyKey, postJson } from "../../../common/js/http.js";
import { url } from "../../../common/js/ui.js";
import { hideBanner } from "./banner.js";
import { L, config, elements, hooks, state, timers, upsertAssignment } from "./state.js";

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

export async function advance(assignment, to, extra = {}) {
  const keyName = `${assignment.id}:${to}`;
  if (state.busy.has(keyName)) return;
  if (!state.stepKeys.has(keyName)) state.stepKeys.set(keyName, newIdempotencyKey());
  state.busy.add(keyName);
  hideError();
  hooks.render();
  const body = { to, at: new Date().toISOString(), ...extra };
  const fix = hooks.lastFix();
  if (fix && Date.now() - Date.parse(fix.at) < STEP_FIX_MAX_AGE_MS) {
    body.lat = fix.lat;
    body.lng = fix.lng;
    body.accuracy = fix.accuracy;
  }
  try {
    const response = await postJson(url(config.urls.advance, assignment.id), body, { key: state.stepKeys.get(keyName), retries: 4 });
    if (response.ok) {
      upsertAssignment(response.data && response.data.id !== undefined ? response.data : { ...assignment, status: to });
      hideBanner();
      // The next step's button appears where the finger just was: a
      // double tap with gloves must not also record the step after.
      state.cooling.set(assignment.id, Date.now() + timers.stepCoolDown);
      setTimeout(() => hooks.render(), timers.stepCoolDown + 50);
    } else {
      showError(response.data.detail || L.failed);
      // A 409 means the database disagrees with this page: read it again.
      state.stepKeys.delete(keyName);
      hooks.refresh();
    }
  } catch (error) {
    // Still unsent after the retries; the key is kept, so tapping again is safe.
    showError(L.failed);
  } finally {
    state.busy.delete(keyName);
    hooks.render();
  }
}
