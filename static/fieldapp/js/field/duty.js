// Going on and off duty, and sharing the position while on duty.

import { postJson } from "../../../common/js/http.js";
import { duration, fill } from "../../../common/js/ui.js";
import { PositionSharer } from "../position.js";
import { subscribeOnDuty } from "./alert_paths.js";
import { dutyItem, wantedDuty } from "./pending.js";
import { hideError } from "./steps.js";
import { L, config, elements, hooks, state, timers } from "./state.js";

const BAD_POSITION_STATES = ["denied", "unavailable", "timeout", "unsupported", "inaccurate"];

let positions = null;

// The duty the officer last tapped, even when the server has not heard of it yet.
export function onDutyShown() {
  const wanted = wantedDuty(state.outboxItems);
  return wanted === null ? state.onDuty : wanted;
}

export function renderDuty() {
  const onDuty = onDutyShown();
  const waiting = wantedDuty(state.outboxItems) !== null;
  elements.duty.disabled = !state.loaded;
  elements.duty.setAttribute("aria-checked", String(onDuty));
  elements.duty.toggleAttribute("data-pending", waiting);
  elements.dutyState.textContent = onDuty ? L.onDuty : L.offDuty;
  elements.dutyHint.textContent = waiting ? L.outbox.stepPending : onDuty ? L.goOffDuty : L.goOnDuty;
  // Only an officer on duty can start a job found on patrol.
  if (elements.found) elements.found.hidden = !(state.loaded && onDuty);
}

export function renderPosition() {
  const current = state.position;
  const template = L.position[current.state] || "";
  const age = current.at ? duration(Math.round((Date.now() - current.at) / 1000), L) : "";
  elements.positionStatus.textContent = fill(template, { age, accuracy: current.fix ? current.fix.accuracy : "" });
  elements.positionStatus.classList.toggle("bad", BAD_POSITION_STATES.includes(current.state));
  elements.positionStatus.dataset.state = current.state;
}

export function syncPositionSharing() {
  if (!positions) return;
  // Sharing starts once the server has the officer on duty (it refuses fixes
  // before), and stops at the tap that goes off duty.
  const onDuty = state.onDuty && onDutyShown();
  if (onDuty && !positions.active) positions.start();
  if (!onDuty && positions.active) positions.stop();
}

// sendLive(frame) sends over the socket and says whether it could.
export function createPositions(sendLive) {
  async function sendFix(fix) {
    const body = { lat: fix.lat, lng: fix.lng, accuracy: fix.accuracy, at: fix.at };
    if (sendLive({ type: "position", ...body })) return true;
    try {
      const response = await postJson(config.urls.position, body, { retries: 0 });
      return response.ok;
    } catch (error) {
      return false;
    }
  }
  positions = new PositionSharer({
    send: sendFix,
    timeoutMs: timers.geolocationTimeout,
    onState: (positionState) => {
      if (positionState.state === "unsent" && state.position.state === "sent") {
        state.position = { ...state.position, pending: true };
      } else {
        state.position = positionState;
      }
      renderPosition();
    },
  });
  return positions;
}

export function setupDutySwitch() {
  // The switch flips at once; the outbox tells the server, now or when the
  // network is back, and a refusal is listed with its reason.
  elements.duty.addEventListener("click", async () => {
    const wanted = !onDutyShown();
    // Web Push is asked for on this tap (the gesture a prompt needs), never on load.
    if (wanted) subscribeOnDuty();
    elements.duty.disabled = true;
    hideError();
    await state.outbox.add(dutyItem(config, wanted));
    renderDuty();
    syncPositionSharing();
    hooks.render();
  });
}
