// The officer's page: duty, position sharing, the current assignment and the
// live feed from /ws/field/. The database is the truth; see feed.js.

import { getJson } from "../../../common/js/http.js";
import { showConnection } from "../../../common/js/ui.js";
import { maybeAnnounce, setupAlertsQuestion, setupBanner } from "./banner.js";
import { render } from "./card.js";
import { createPositions, renderDuty, renderPosition, setupDutySwitch, syncPositionSharing } from "./duty.js";
import { connectionHistory, createFeedSocket } from "./feed.js";
import { activeAssignments, applyMe, config, elements, hooks, state } from "./state.js";

// The position line says how long ago the last fix went out; redraw it now and then.
const POSITION_REDRAW_MS = 5000;

async function refresh() {
  try {
    applyMe(await getJson(config.urls.me));
  } catch (error) {
    // Offline or the server is restarting: the socket will bring us back.
    return;
  }
  for (const assignment of activeAssignments()) maybeAnnounce(assignment);
  renderDuty();
  syncPositionSharing();
  render();
}

const socket = createFeedSocket({
  onOpen: () => {
    refresh();
    positions.flush();
  },
});
const positions = createPositions((frame) => socket.send(frame));

hooks.render = render;
hooks.refresh = refresh;
hooks.lastFix = () => positions.lastFix;

setupBanner();
setupAlertsQuestion();
setupDutySwitch();
renderPosition();
setInterval(renderPosition, POSITION_REDRAW_MS);
if (config.officerId !== null) {
  refresh().then(() => socket.start());
} else {
  showConnection(elements.connection, "offline", config.connection);
}

// For tests and field debugging: the live state, read-only in spirit.
window.luchangField = { state, socket, positions, connectionHistory };
