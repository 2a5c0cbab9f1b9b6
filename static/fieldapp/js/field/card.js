// The current assignment's card and today's list. The server sends the job's
// navigation links and the steps the officer may take; the card only shows them.

import { clock, fill, h } from "../../../common/js/ui.js";
import { cancelledText } from "./banner.js";
import { clearanceForm, isClearanceOpen, needsQuickClearance, openClearance } from "./clearance.js";
import { onDutyShown } from "./duty.js";
import { isRescueOpen, openRescue, rescueForm, takesRescue } from "./rescue.js";
import { pendingFound, withPendingSteps } from "./pending.js";
import { advance, isCooling, nextSteps, primaryStep } from "./steps.js";
import { L, activeAssignments, config, elements, jobOf, state } from "./state.js";

const MAP_APPS = ["amap", "baidu", "geo"];

function navigationBlock(job) {
  const links = job.navigation;
  if (!links) return null;
  return h("div", {},
    h("p", { class: "navigate-title" }, L.navigate),
    h("div", { class: "navigate" }, MAP_APPS.filter((app) => links[app]).map((app) => h("a", {
      class: "btn btn-secondary",
      href: links[app],
      // A geo: link hands over to the phone's map app; the others open a page.
      target: app === "geo" ? null : "_blank",
      rel: app === "geo" ? null : "noopener",
      "data-map": app,
    }, L[app]))),
  );
}

function declineForm(assignment) {
  const details = h("details", { class: "decline-form" });
  const reason = h("input", { type: "text", name: "reason", maxlength: 200, "aria-label": L.declineReason, placeholder: L.declineReason });
  details.append(
    h("summary", { class: "btn decline-btn" }, config.actions.declined),
    h("div", { class: "row" }, reason),
    h("div", { class: "row" },
      h("button", {
        type: "button",
        class: "btn btn-danger",
        "data-step": "declined",
        onclick: () => advance(assignment, "declined", reason.value.trim() ? { reason: reason.value.trim() } : {}),
      }, config.actions.declined),
    ),
  );
  return details;
}

// "处置完毕" on an accident or breakdown opens its quick-clearance record first.
function takeStep(assignment, step) {
  if (step === "cleared" && needsQuickClearance(assignment)) {
    const form = openClearance(assignment);
    render();
    form.scrollIntoView({ block: "start", behavior: "smooth" });
    return;
  }
  advance(assignment, step);
}

function assignmentCard(assignment) {
  const job = jobOf(assignment);
  const step = primaryStep(assignment);
  const canDecline = nextSteps(assignment).includes("declined");
  const stepBusy = step && state.busy.has(`${assignment.id}:${step}`);
  const cooling = isCooling(assignment);
  const priority = job.priority !== undefined ? String(job.priority) : "";
  // The time the current step was taken (on the phone, for a step still waiting).
  const since = assignment[`${assignment.status}_at`] || assignment.dispatched_at;
  const card = h("article", {
    class: `assignment${assignment.status === "dispatched" ? " is-new" : ""}`,
    "data-assignment": assignment.id,
    "data-status": assignment.status,
    "data-pending": assignment.pending ? "" : null,
  },
    h("div", { class: "assignment-head" },
      h("span", { class: "badge kind" }, config.kinds[job.kind] || job.kind || ""),
      priority ? h("span", { class: `badge prio-${priority}` }, config.priorities[priority] || priority) : null,
      h("span", { class: "assignment-number" }, job.number || ""),
    ),
    h("p", { class: "assignment-summary" }, job.summary || ""),
    job.address ? h("p", { class: "assignment-address" }, job.address) : null,
    job.description ? h("p", { class: "assignment-description" }, job.description) : null,
    h("p", { class: "assignment-status" },
      config.statuses[assignment.status] || assignment.status,
      since ? ` · ${fill(L.since, { time: clock(since) })}` : "",
      assignment.pending ? h("span", { class: "pending-mark" }, L.outbox.stepPending) : null),
    step ? h("button", {
      type: "button",
      class: "btn btn-primary btn-block btn-huge step-btn",
      "data-step": step,
      disabled: stepBusy || cooling,
      onclick: () => takeStep(assignment, step),
    }, stepBusy ? L.sending : config.actions[step] || step) : null,
    navigationBlock(job),
  );
  // Skipping ahead (an officer who forgot "on my way" and is already there)
  // stays possible, but out of the way of the one obvious step.
  const skips = nextSteps(assignment).filter((other) => other !== step && other !== "declined");
  if (skips.length) {
    card.append(h("details", { class: "more-steps" },
      h("summary", { class: "btn" }, L.otherSteps),
      h("div", { class: "row" }, skips.map((other) => h("button", {
        type: "button", class: "btn btn-secondary", "data-step": other, onclick: () => takeStep(assignment, other),
      }, config.actions[other] || other))),
    ));
  }
  if (canDecline) card.append(declineForm(assignment));
  if (isClearanceOpen(assignment)) card.append(clearanceForm(assignment));
  if (takesRescue(assignment) && !assignment.pending) {
    if (isRescueOpen(assignment)) card.append(rescueForm(assignment));
    else card.append(h("button", { type: "button", class: "btn btn-secondary btn-block rescue-open", onclick: () => {
      openRescue(assignment);
      render();
    } }, L.rescue.open));
  }
  return card;
}

// A job reported from patrol that has not reached the server yet.
function foundCard(item) {
  return h("article", { class: "assignment found-pending", "data-outbox": item.id, "data-pending": "" },
    h("div", { class: "assignment-head" },
      h("span", { class: "badge kind" }, config.kinds[item.meta.kind] || item.meta.kind || ""),
      h("span", { class: "assignment-number" }, L.found.pendingTitle),
    ),
    item.meta.note ? h("p", { class: "assignment-summary" }, item.meta.note) : null,
    h("p", { class: "assignment-status" },
      fill(L.since, { time: clock(item.device_time) }),
      h("span", { class: "pending-mark" }, L.outbox.stepPending)),
  );
}

// The server's copy with the steps still waiting on the phone laid on top.
function shown(assignment) {
  return withPendingSteps(assignment, state.outboxItems, config.steps);
}

// Taken off a job because the dispatcher cancelled it: say that, and why, rather than "withdrawn".
function stateOf(assignment) {
  const job = jobOf(assignment);
  if (assignment.status === "withdrawn" && job.status === "cancelled") return cancelledText(job);
  return config.statuses[assignment.status] || assignment.status;
}

function renderToday() {
  elements.today.closest("section").hidden = false;
  const all = [...state.assignments.values()].map(shown)
    .sort((a, b) => String(b.dispatched_at).localeCompare(String(a.dispatched_at)));
  elements.today.replaceChildren();
  if (!all.length) {
    elements.today.append(h("li", { class: "muted" }, h("span", {}, ""), h("span", {}, L.noJobsToday)));
    return;
  }
  for (const assignment of all) {
    const job = jobOf(assignment);
    elements.today.append(h("li", { "data-assignment": assignment.id, "data-status": assignment.status },
      h("span", { class: "time" }, clock(assignment.dispatched_at)),
      h("span", { class: "what" }, [job.number, config.kinds[job.kind] || job.kind, job.summary].filter(Boolean).join(" · ")),
      h("span", { class: "state" }, stateOf(assignment)),
    ));
  }
}

// Cards are rebuilt only when what they show changed, so a refresh landing
// between a gloved finger's touch-down and lift-off does not eat the tap,
// and an open decline form keeps what was typed.
const cards = new Map();
const foundCards = new Map();

function foundCardNode(item) {
  if (!foundCards.has(item.id)) foundCards.set(item.id, foundCard(item));
  return foundCards.get(item.id);
}

export function render() {
  if (!state.loaded) return;
  // A card whose last step waits on the phone stays until the server has it.
  const active = activeAssignments().map(shown);
  const wanted = active.map((assignment) => {
    const busy = nextSteps(assignment).filter((step) => state.busy.has(`${assignment.id}:${step}`));
    const forms = [isClearanceOpen(assignment), isRescueOpen(assignment)];
    const signature = JSON.stringify([assignment, busy, isCooling(assignment), forms]);
    const known = cards.get(assignment.id);
    if (known && known.signature === signature) return known.node;
    const node = assignmentCard(assignment);
    cards.set(assignment.id, { signature, node });
    return node;
  });
  for (const id of [...cards.keys()]) if (!active.some((assignment) => assignment.id === id)) cards.delete(id);
  const found = pendingFound(state.outboxItems);
  for (const id of [...foundCards.keys()]) if (!found.some((item) => item.id === id)) foundCards.delete(id);
  wanted.unshift(...found.map(foundCardNode));
  if (!wanted.length) wanted.push(h("p", { class: "card empty" }, onDutyShown() ? L.noAssignment : L.offDutyHint));
  const current = [...elements.current.children];
  if (current.length !== wanted.length || current.some((node, index) => node !== wanted[index])) {
    elements.current.replaceChildren(...wanted);
  }
  renderToday();
}
