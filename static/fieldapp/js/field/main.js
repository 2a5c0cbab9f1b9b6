// The officer's page: duty, position sharing, the current assignment and the
// live feed from /ws/field/. The database is the truth; see feed.js.

import { getJson } from "../../../common/js/http.js";
import { showConnection } from "../../../common/js/ui.js";
import { setupAlertPaths, syncWakeLock } from "./alert_paths.js";
import { maybeAnnounce, setupAlertsQuestion, setupBanner, showCancelled } from "./banner.js";
import { render } from "./card.js";
import { createPositions, renderDuty, renderPosition, setupDutySwitch, syncPositionSharing } from "./duty.js";
import { connectionHistory, createFeedSocket } from "./feed.js";
import { foundItem, mountFoundForm } from "./found.js";
import { setupOutbox, showRefused } from "./outbox_view.js";
import { loadSnapshot, saveSnapshot, withPendingSteps } from "./pending.js";
import { L, activeAssignments, applyMe, config, elements, hooks, jobOf, state } from "./state.js";

// The position line says how long ago the last fix went out; redraw it now and then.
const POSITION_REDRAW_MS = 5000;

async function refresh() {
  // The jobs this phone shows as open: one the dispatcher cancelled meanwhile is told, with the reason.
  const wasOpen = activeAssignments().map((assignment) => assignment.id);
  try {
    const me = await getJson(config.urls.me);
    applyMe(me);
    state.fromServer = true;
    saveSnapshot(config, me);
    const cancelled = wasOpen.map((id) => state.assignments.get(id)).find((now) => now && jobOf(now).status === "cancelled");
    if (cancelled) showCancelled(jobOf(cancelled));
  } catch (error) {
    // Offline or the server is restarting: the socket will bring us back.
    // A page opened in a tunnel shows what the phone last knew, with the
    // taps waiting in the outbox on top.
    const kept = state.loaded ? null : loadSnapshot(config);
    if (!kept) return;
    applyMe(kept);
  }
  // A dispatch already accepted on the phone (the step waits in the outbox) is not news.
  for (const assignment of activeAssignments()) maybeAnnounce(withPendingSteps(assignment, state.outboxItems, config.steps));
  renderDuty();
  syncPositionSharing();
  render();
  // A refusal reads better once the job is known again (cancelled, and why).
  showRefused();
  syncWakeLock();
}

// The page reads /me/ once on load; after a reconnect the feed's "resumed"
// reads it again (feed.js).
const socket = createFeedSocket({
  onOpen: () => {
    state.opens += 1;
    positions.flush();
    state.outbox.kick();
  },
});
const positions = createPositions((frame) => socket.send(frame));

hooks.render = () => {
  render();
  syncWakeLock();
};
hooks.refresh = refresh;
hooks.lastFix = () => positions.lastFix;

setupOutbox();
setupBanner();
setupDutySwitch();
if (elements.found) {
  mountFoundForm(elements.found, {
    config,
    lastFix: () => positions.lastFix,
    queue: (report) => state.outbox.add(foundItem(report, { url: config.urls.found, label: L.found.pendingTitle })),
  });
}
renderPosition();
setInterval(renderPosition, POSITION_REDRAW_MS);
if (config.officerId !== null) {
  // The outbox first, so the first drawing already shows what waits on the phone.
  // The alerts question comes after the card is drawn, below it.
  state.outbox.ready.then(refresh).then(() => {
    setupAlertsQuestion();
    setupAlertPaths();
    socket.start();
  });
} else {
  setupAlertsQuestion();
  setupAlertPaths();
  showConnection(elements.connection, "offline", config.connection);
}

// For tests and field debugging: the live state, read-only in spirit.
window.luchangField = { state, socket, positions, connectionHistory, get outbox() { return state.outbox; } };
