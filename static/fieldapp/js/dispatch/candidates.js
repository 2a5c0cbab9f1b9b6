// Candidates for a job and sending them. The server ranks the officers and
// words the distances (GET candidates: candidates, busy_nearby, shortfall).

import { getJson, postJson } from "../../../common/js/http.js";
import { duration, fill, h, url } from "../../../common/js/ui.js";
import { L, config, errorText, hooks, notice, officerLabel, panelFor, state, upsertJob } from "./state.js";

const CANDIDATE_LIMIT = 8;

export function toggleCandidates(jobId, forceOpen = false) {
  const panel = panelFor(jobId);
  panel.open = forceOpen || panel.candidates.hidden;
  panel.candidates.hidden = !panel.open;
  if (panel.open) loadCandidates(jobId);
}

export function refreshOpenCandidates() {
  for (const [jobId, panel] of state.panels) if (panel.open) loadCandidates(jobId);
}

async function loadCandidates(jobId) {
  const panel = panelFor(jobId);
  let result;
  try {
    result = await getJson(`${url(config.urls.candidates, jobId)}?limit=${CANDIDATE_LIMIT}`);
  } catch (error) {
    panel.candidates.replaceChildren(h("p", { class: "inline-error" }, fill(L.error, { detail: error.message })));
    return;
  }
  renderCandidates(jobId, result);
}

function candidateRow(panel, candidate, busy) {
  const { officer } = candidate;
  const checkbox = h("input", {
    type: "checkbox", name: "officer", value: officer.id, "data-officer": officer.id,
    onchange: (event) => (event.target.checked ? panel.selected.add(officer.id) : panel.selected.delete(officer.id)),
  });
  checkbox.checked = panel.selected.has(officer.id);
  const age = candidate.fix_age_s ?? null;
  return h("li", {},
    h("label", {},
      checkbox,
      h("span", {}, h("span", { class: "name" }, officerLabel(officer)), officer.squad ? h("span", { class: "muted" }, ` · ${officer.squad.name}`) : null,
        busy ? h("span", { class: "busy-tag" }, ` · ${L.busy}`) : null),
      h("span", { class: "dist" }, candidate.distance_text || ""),
      h("span", { class: "age" }, age === null ? L.noFix : fill(L.fixAge, { age: duration(age, L) })),
    ));
}

function renderCandidates(jobId, result) {
  const panel = panelFor(jobId);
  const candidates = result.candidates || [];
  const busy = result.busy_nearby || [];
  const list = h("ul", { class: "candidate-list", "data-list": "candidates" },
    candidates.map((candidate) => candidateRow(panel, candidate, false)));
  if (!candidates.length) list.append(h("li", { class: "muted" }, L.noCandidates));
  // Busy officers close by are listed too: sending one needs "force".
  const busyList = h("ul", { class: "candidate-list", "data-list": "busy" }, busy.map((candidate) => candidateRow(panel, candidate, true)));

  const reasons = result.shortfall ? result.shortfall.reasons || [] : [];
  const force = h("input", { type: "checkbox", name: "force", "data-role": "force" });
  force.checked = Boolean(panel.force);
  force.addEventListener("change", () => { panel.force = force.checked; });
  const error = h("p", { class: "inline-error", role: "alert", hidden: true });
  const send = h("button", { type: "button", class: "btn btn-primary", "data-action": "dispatch" }, L.dispatchSelected);
  send.addEventListener("click", () => dispatchSelected(jobId, { force: force.checked, error, send }));
  panel.candidates.replaceChildren(...[
    list,
    reasons.length ? h("ul", { class: "shortfall" }, reasons.map((reason) => h("li", { "data-code": reason.code }, reason.detail))) : null,
    busy.length ? h("p", { class: "candidate-group" }, L.busyNearby) : null,
    busy.length ? busyList : null,
    h("label", { class: "force" }, force, L.force),
    error,
    h("div", { class: "row" },
      send,
      h("button", { type: "button", class: "btn", onclick: () => toggleCandidates(jobId) }, L.back),
    ),
  ].filter(Boolean));
}

async function dispatchSelected(jobId, { force, error, send }) {
  const panel = panelFor(jobId);
  const officers = [...panel.selected];
  error.hidden = true;
  if (!officers.length) {
    error.textContent = L.selectSomeone;
    error.hidden = false;
    return;
  }
  send.disabled = true;
  try {
    const response = await postJson(url(config.urls.dispatch, jobId), { officers, force });
    if (response.ok) {
      upsertJob(response.data.job);
      const names = (response.data.created || []).map((assignment) => officerLabel(assignment.officer)).join(", ");
      if (names) notice(fill(L.dispatched, { names }));
      panel.selected.clear();
      panel.force = false;
      panel.open = false;
      panel.candidates.hidden = true;
      hooks.renderAll();
    } else {
      error.textContent = (response.data && response.data.detail) || errorText(response);
      error.hidden = false;
      if (response.data && response.data.code === "officer_busy") error.append(" ", L.forceHint);
    }
  } catch (failure) {
    error.textContent = L.networkError;
    error.hidden = false;
  } finally {
    send.disabled = false;
  }
}
