// The officers on a job card: each one's step, the phone's receipt, the alerts
// sent to it, and a way to take the officer off the job (withdraw).

import { clock, duration, fill, h, url } from "../../../common/js/ui.js";
import { toggleCandidates } from "./candidates.js";
import { L, config, hooks, officerLabel, panelFor, postReason, state, upsertAssignment } from "./state.js";

// The steps an officer can still be taken off (fieldapp.services.assignment_withdraw takes any active one).
const ACTIVE = new Set(["dispatched", "accepted", "en_route", "on_scene"]);

export function receiptInfo(assignment, now = Date.now()) {
  if (assignment.received_at) return { kind: "ok" };
  if (assignment.status !== "dispatched") return { kind: "none" };
  const dispatchedAt = Date.parse(assignment.dispatched_at);
  const deadline = assignment.receive_deadline ? Date.parse(assignment.receive_deadline) : dispatchedAt + config.receiveWithinS * 1000;
  if (now >= deadline || assignment.unreceived) return { kind: "alarm", age: Math.round((now - dispatchedAt) / 1000) };
  return { kind: "waiting" };
}

function stepTime(assignment) {
  const at = assignment[`${assignment.status}_at`];
  return at ? clock(at) : "";
}

// --- withdraw ------------------------------------------------------------------------------

// One form per job, under the officer it is for. It is kept across re-renders
// (as the cancel form is), so a live update does not wipe the reason being typed.
function withdrawForm(jobId, assignment) {
  const who = officerLabel(assignment.officer);
  // A phone that never confirmed gives the reason the alarm has always sent; otherwise the dispatcher may say why.
  const reason = h("input", {
    type: "text", name: "reason", maxlength: 200, "aria-label": L.withdrawReasonOptional, placeholder: L.withdrawReasonOptional,
    value: assignment.received_at ? "" : L.withdrawReason,
  });
  const error = h("p", { class: "inline-error", role: "alert", hidden: true });
  const confirm = h("button", { type: "submit", class: "btn btn-danger", "data-action": "confirm-withdraw" }, fill(L.withdrawOfficer, { officer: who }));
  const form = h("form", { class: "withdraw-form", novalidate: true, "data-panel": "withdraw", "data-assignment": assignment.id },
    reason,
    h("div", { class: "row" },
      confirm,
      h("button", { type: "button", class: "btn", onclick: () => closeWithdraw(jobId) }, L.back),
    ),
    error,
  );
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeWithdraw(jobId);
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    // A second click while the first is on its way would only come back as "already ended".
    confirm.disabled = true;
    const withdrawn = await postReason(url(config.urls.withdraw, assignment.id), reason, error);
    confirm.disabled = false;
    if (withdrawn) {
      panelFor(jobId).withdraw = null;
      upsertAssignment(withdrawn);
      hooks.renderAll();
    }
  });
  return form;
}

function rowOf(jobId, assignmentId) {
  return document.querySelector(`.job[data-job="${jobId}"] li[data-assignment="${assignmentId}"]`);
}

function closeWithdraw(jobId) {
  const panel = panelFor(jobId);
  if (!panel.withdraw) return;
  const row = rowOf(jobId, panel.withdraw.assignmentId);
  panel.withdraw.form.remove();
  panel.withdraw = null;
  for (const button of row ? row.querySelectorAll("[data-action=withdraw]") : []) button.setAttribute("aria-expanded", "false");
  row?.querySelector("[data-action=withdraw]")?.focus();
}

function toggleWithdraw(jobId, assignment) {
  const panel = panelFor(jobId);
  if (panel.withdraw && panel.withdraw.assignmentId === assignment.id) {
    closeWithdraw(jobId);
    return;
  }
  if (panel.withdraw) closeWithdraw(jobId);
  panel.withdraw = { assignmentId: assignment.id, form: withdrawForm(jobId, assignment) };
  const row = rowOf(jobId, assignment.id);
  if (!row) return;
  row.append(panel.withdraw.form);
  for (const button of row.querySelectorAll("[data-action=withdraw]")) button.setAttribute("aria-expanded", "true");
  panel.withdraw.form.querySelector("input").focus();
}

function withdrawButton(jobId, assignment, open) {
  return h("button", {
    type: "button", class: "btn withdraw", "data-action": "withdraw", "aria-expanded": open ? "true" : "false",
    "aria-label": fill(L.withdrawOfficer, { officer: officerLabel(assignment.officer) }),
    onclick: () => toggleWithdraw(jobId, assignment),
  }, L.withdraw);
}

// --- receipt and alerts --------------------------------------------------------------------

function receiptNode(job, assignment, info, open) {
  const node = h("span", { class: `receipt ${info.kind}`, "data-receipt": info.kind });
  if (info.kind === "ok") node.append(`${L.received} ${clock(assignment.received_at)}`);
  else if (info.kind === "waiting") node.append(L.waiting);
  else if (info.kind === "alarm") {
    const officer = state.officers.get(assignment.officer.id) || {};
    node.append(h("span", {}, fill(L.notReceived, { age: duration(info.age, L) })));
    if (officer.phone) node.append(h("a", { class: "btn", href: `tel:${officer.phone}` }, fill(L.call, { phone: officer.phone })));
    node.append(withdrawButton(job.id, assignment, open));
    node.append(h("button", { type: "button", class: "btn", onclick: () => toggleCandidates(job.id, true) }, L.sendOther));
  }
  return node;
}

// Each try to reach the officer as "短信 · 日志 · 已发送 16:17": the plan's step, the channel that acted, the result.
function attemptsLine(assignment) {
  const attempts = assignment.notifications || [];
  if (!attempts.length) return null;
  return h("ul", { class: "notified muted", "data-notified": attempts.length, "aria-label": L.attempts },
    attempts.map((attempt) => h("li", { class: `attempt attempt-${attempt.result}`, "data-step": attempt.step, "data-channel": attempt.channel, title: attempt.reason || null },
      [L.attemptSteps[attempt.step] || attempt.step, L.attemptChannels[attempt.channel] || attempt.channel, L.attemptResults[attempt.result] || attempt.result].join(" · "),
      " ", h("time", { datetime: attempt.at }, clock(attempt.at)))));
}

export function crewList(job) {
  const list = h("ul", { class: "crew" });
  const assignments = [...(job.assignments || [])].sort((a, b) => String(a.dispatched_at).localeCompare(String(b.dispatched_at)));
  if (!assignments.length) list.append(h("li", {}, h("span", { class: "none muted" }, L.nobodySent)));
  const panel = panelFor(job.id);
  if (panel.withdraw && !assignments.some((assignment) => assignment.id === panel.withdraw.assignmentId && ACTIVE.has(assignment.status))) {
    // The officer ended meanwhile (cleared, declined, withdrawn elsewhere): nothing left to withdraw.
    panel.withdraw = null;
  }
  for (const assignment of assignments) {
    const info = receiptInfo(assignment);
    const open = panel.withdraw && panel.withdraw.assignmentId === assignment.id ? panel.withdraw.form : null;
    list.append(h("li", { "data-assignment": assignment.id, "data-officer": assignment.officer.id, "data-status": assignment.status },
      h("span", { class: "who" }, officerLabel(assignment.officer), assignment.forced ? h("span", { class: "muted" }, ` (${L.forced})`) : null),
      h("span", { class: `step step-${assignment.status}` }, config.statuses[assignment.status] || assignment.status, " ", h("small", {}, stepTime(assignment))),
      receiptNode(job, assignment, info, Boolean(open)),
      // The alarm carries its own withdraw; every other active officer has one at the end of the row.
      ACTIVE.has(assignment.status) && info.kind !== "alarm" ? withdrawButton(job.id, assignment, Boolean(open)) : null,
      attemptsLine(assignment),
      open,
    ));
  }
  return list;
}
