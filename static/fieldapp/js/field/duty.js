// Going on and off duty, and sharing the position while on duty.

import { postJson } from "../../../common/js/http.js";
import { duration, fill } from "../../../common/js/ui.js";
import { PositionSharer } from "../position.js";
import { hideError, showError } from "./steps.js";
import { L, config, elements, hooks, state, timers } from "./state.js";

const BAD_POSITION_STATES = ["denied", "unavailable", "timeout", "unsupported", "inaccurate"];

let positions = null;

export function renderDuty() {
  elements.duty.disabled = false;
  elements.duty.setAttribute("aria-checked", String(state.onDuty));
  elements.dutyState.textContent = state.onDuty ? L.onDuty : L.offDuty;
  elements.dutyHint.textContent = state.onDuty ? L.goOffDuty : L.goOnDuty;
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
  if (state.onDuty && !positions.active) positions.start();
  if (!state.onDuty && positions.active) positions.stop();
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
  elements.duty.addEventListener("click", async () => {
    const wanted = !state.onDuty;
    elements.duty.disabled = true;
    hideError();
    try {
      const response = await postJson(config.urls.duty, { on_duty: wanted });
      if (!response.ok) {
        showError(response.data.detail || L.failed);
      } else {
        state.onDuty = Boolean(response.data.on_duty);
      }
    } catch (error) {
      showError(L.failed);
    }
    renderDuty();
    syncPositionSharing();
    hooks.render();
  });
}
