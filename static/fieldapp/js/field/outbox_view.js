// What the officer sees of the outbox: "待发送 N 项" beside the connection
// state, and each refused item with the server's reason and a dismiss button.
// The server's answer to a sent item becomes the page's copy.

import { fill, h } from "../../../common/js/ui.js";
import { PENDING, REFUSED } from "../outbox.js";
import { cancelledText, hideBanner } from "./banner.js";
import { renderDuty, syncPositionSharing } from "./duty.js";
import { createOutbox, wantedDuty } from "./pending.js";
import { L, config, elements, hooks, state, upsertAssignment } from "./state.js";

function showPendingCount() {
  const element = elements.outboxCount;
  if (!element) return;
  const count = state.outboxItems.filter((item) => item.status === PENDING).length;
  element.hidden = count === 0;
  element.dataset.count = String(count);
  const text = count ? fill(L.outbox.pending, { n: count }) : "";
  if (!(count && state.outbox && state.outbox.needsLogin)) {
    element.textContent = text;
    return;
  }
  // The login page brings the officer back here, where the outbox sends on its own.
  element.replaceChildren(`${text} · `, h("a", { class: "outbox-login", href: config.urls.login }, L.outbox.login));
}

// The job an item was about, as the phone last read it.
function jobOfItem(item) {
  const meta = item.meta || {};
  const assignments = [...state.assignments.values()];
  const assignment = meta.assignmentId !== undefined
    ? state.assignments.get(meta.assignmentId)
    : assignments.find((each) => (each.job || {}).id === meta.jobId);
  return assignment ? assignment.job || null : null;
}

// The server says only that the assignment ended ("已撤回"); when the job
// was cancelled the officer is told so, with the dispatcher's reason.
function refusedReason(item) {
  const job = jobOfItem(item);
  if (item.code === "assignment_ended" && job && job.status === "cancelled") return cancelledText(job);
  return item.reason || L.outbox.refusedNoReason;
}

// One row per refused item, oldest first; rows are rebuilt only when the set
// of refused items (or what they say) changed, so a dismiss button is never
// swapped under a finger.
export function showRefused() {
  const section = elements.outboxRefused;
  const list = elements.outboxRefusedList;
  if (!section || !list) return;
  const refused = state.outboxItems.filter((item) => item.status === REFUSED);
  const signature = JSON.stringify(refused.map((item) => [item.id, refusedReason(item)]));
  section.hidden = refused.length === 0;
  if (list.dataset.signature === signature) return;
  list.dataset.signature = signature;
  list.replaceChildren(...refused.map((item) => h("li", { class: "refused-item", "data-outbox": item.id, "data-kind": item.kind },
    h("p", { class: "refused-what" }, item.label || L.outbox.kinds[item.kind] || item.kind),
    h("p", { class: "refused-reason" }, refusedReason(item)),
    h("button", {
      type: "button",
      class: "btn btn-block refused-dismiss",
      "data-action": "dismiss",
      onclick: (event) => {
        event.currentTarget.disabled = true;
        state.outbox.dismiss(item.id);
      },
    }, L.outbox.dismiss),
  )));
}

function onSent(item, data) {
  const answer = data && data.id !== undefined ? data : null;
  if ((item.kind === "step" || item.kind === "found") && answer) upsertAssignment(answer);
  if (item.kind === "step") hideBanner();
  if (item.kind === "photo" && item.meta && item.meta.slot) {
    if (!state.photosSent.has(item.meta.jobId)) state.photosSent.set(item.meta.jobId, new Set());
    state.photosSent.get(item.meta.jobId).add(item.meta.slot);
  }
  // The server's duty state counts once nothing newer waits on the phone.
  const others = state.outboxItems.filter((other) => other.id !== item.id);
  if (item.kind === "duty" && data && "on_duty" in data && wantedDuty(others) === null) {
    state.onDuty = Boolean(data.on_duty);
  }
  renderDuty();
  syncPositionSharing();
  hooks.render();
}

export function setupOutbox() {
  state.outbox = createOutbox(config, {
    onChange: (items) => {
      state.outboxItems = items;
      showPendingCount();
      showRefused();
      renderDuty();
      syncPositionSharing();
      hooks.render();
    },
    onSent,
    // The server disagrees with this phone (the job was cancelled meanwhile):
    // read the truth again; the item stays listed with the reason.
    onRefused: () => hooks.refresh(),
  });
  return state.outbox;
}
