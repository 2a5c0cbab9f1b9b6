// What the officer sees of the outbox: "待发送 N 项" beside the connection
// state, and each refused item with the server's reason and a dismiss button.
//
// Nothing here decides anything; outbox.js holds the items and the page
// passes them in.

import { fill, h } from "../../common/js/ui.js";
import { PENDING, REFUSED } from "./outbox.js";

export function showPendingCount(element, items, labels) {
  if (!element) return;
  const count = items.filter((item) => item.status === PENDING).length;
  element.hidden = count === 0;
  element.dataset.count = String(count);
  element.textContent = count ? fill(labels.pending, { n: count }) : "";
}

// One row per refused item, oldest first; rows are rebuilt only when the set
// of refused items changed, so a dismiss button is never swapped under a finger.
export function showRefused(section, list, items, labels, onDismiss) {
  if (!section || !list) return;
  const refused = items.filter((item) => item.status === REFUSED);
  const signature = refused.map((item) => item.id).join(",");
  section.hidden = refused.length === 0;
  if (list.dataset.signature === signature) return;
  list.dataset.signature = signature;
  list.replaceChildren(...refused.map((item) => h("li", { class: "refused-item", "data-outbox": item.id, "data-kind": item.kind },
    h("p", { class: "refused-what" }, item.label || labels.kinds[item.kind] || item.kind),
    h("p", { class: "refused-reason" }, item.reason || labels.refusedNoReason),
    h("button", {
      type: "button",
      class: "btn btn-block refused-dismiss",
      "data-action": "dismiss",
      onclick: (event) => {
        event.currentTarget.disabled = true;
        onDismiss(item.id);
      },
    }, labels.dismiss),
  )));
}

// The steps of one assignment still waiting in the outbox, in tap order.
export function pendingSteps(items, assignmentId) {
  return items
    .filter((item) => item.status === PENDING && item.kind === "step" && item.meta && item.meta.assignmentId === assignmentId)
    .map((item) => item.meta.to);
}
