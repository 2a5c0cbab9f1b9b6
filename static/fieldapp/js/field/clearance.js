// The quick-clearance (快处快撤) record on the card of an accident or breakdown.
//
// "处置完毕" on such a job opens this form instead of ending the job. Each
// photo goes into the outbox the moment it is taken (photos first, the
// rest later); "完成" queues the record and then the clear, and "稍后补录"
// marks the record to finish later and clears. The outbox sends them in that
// order, so the server always has the photos before the record and the
// record before the clear. The rules (what "complete" needs) are the
// server's; the phone checks them first (clearance_rules.js) and queues
// nothing while an item is missing, marking each one beside it. What the
// server still refuses comes back with its reason in the outbox list.

import { getJson } from "../../../common/js/http.js";
import { fill, h, url } from "../../../common/js/ui.js";
import { PENDING } from "../outbox.js";
import { downscale, filenameFor } from "../photos.js";
import { quickClearanceProblems } from "./clearance_rules.js";
import { keptForms, nowButton } from "./forms.js";
import { stepItem } from "./pending.js";
import { L, config, state } from "./state.js";

const Q = () => config.quickClearance;

export function needsQuickClearance(assignment) {
  const job = assignment.job || {};
  return Boolean(Q()) && Q().kinds.includes(job.kind);
}

function yesNo(name, onChange) {
  const group = h("div", { class: "qc-yesno", role: "group", "data-item": name });
  for (const [value, label] of [[true, L.qc.yes], [false, L.qc.no]]) {
    group.append(h("button", {
      type: "button", class: "btn qc-answer", "data-answer": String(value), "aria-pressed": "false",
      onclick: () => {
        for (const button of group.children) button.setAttribute("aria-pressed", String(button.dataset.answer === String(value)));
        onChange(value);
      },
    }, label));
  }
  return group;
}

function partyRow(index) {
  const row = h("fieldset", { class: "qc-party", "data-party": index },
    h("legend", {}, fill(L.qc.party, { n: index + 1 })),
    h("input", { type: "text", name: "plate", maxlength: 16, placeholder: L.qc.plate, "aria-label": L.qc.plate, autocapitalize: "characters" }),
    h("input", { type: "text", name: "vehicle_type", maxlength: 32, placeholder: L.qc.vehicleType, "aria-label": L.qc.vehicleType }),
    h("input", { type: "text", name: "insurer", maxlength: 64, placeholder: L.qc.insurer, "aria-label": L.qc.insurer }),
    h("select", { name: "responsibility", class: "qc-responsibility", "aria-label": L.qc.responsibility, hidden: true },
      h("option", { value: "" }, L.qc.responsibility),
      Object.entries(Q().responsibilities).map(([value, label]) => h("option", { value }, label))),
  );
  return row;
}

function buildForm(assignment) {
  const job = assignment.job || {};
  const record = { checklist: {}, agreement: "", vehicles_moved_at: null, lanes_open_at: null, tow_called: null };
  const queue = (item) => state.outbox.add(item);
  const recordUrl = url(config.urls.quickClearance, job.id);
  const photosUrl = url(config.urls.quickClearancePhotos, job.id);
  const ordinary = h("p", { class: "qc-ordinary", role: "status", hidden: true }, L.qc.ordinary);

  const checklist = h("div", { class: "qc-checklist" }, Q().checklist.map(({ name, label }) => h("div", { class: "qc-item", "data-item": name },
    h("p", { class: "qc-question" }, label),
    yesNo(name, (value) => {
      record.checklist[name] = value;
      ordinary.hidden = !Object.values(record.checklist).includes(false);
    }),
  )));

  async function addPhoto(slot, input, mark) {
    const original = input.files[0];
    if (!original) return;
    const blob = await downscale(original);
    await queue({
      kind: "photo",
      url: photosUrl,
      label: [L.qc.photo, Q().slotLabels[slot], job.number].filter(Boolean).join(" · "),
      meta: { jobId: job.id, slot },
      form: { fields: { slot }, files: [{ field: "image", blob, filename: filenameFor(original, blob) }] },
    });
    input.value = "";
    recheck();
  }

  const photos = h("div", { class: "qc-photos" }, [...Q().slots, "extra"].map((slot) => {
    const mark = h("span", { class: "qc-photo-state" }, "");
    const input = h("input", { type: "file", accept: "image/*", capture: "environment", class: "qc-photo-input", "data-slot": slot });
    input.addEventListener("change", () => addPhoto(slot, input, mark));
    return h("label", { class: "btn qc-photo", "data-slot": slot }, input, h("span", {}, Q().slotLabels[slot]), mark);
  }));

  const parties = h("div", { class: "qc-parties" }, partyRow(0), partyRow(1));
  const addParty = h("button", { type: "button", class: "btn btn-block qc-add-party",
    onclick: () => parties.append(partyRow(parties.children.length)) }, L.qc.addParty);

  const agreement = h("div", { class: "qc-agreement", role: "group" }, Object.entries(Q().agreements).map(([value, label]) => h("button", {
    type: "button", class: "btn qc-answer", "data-agreement": value, "aria-pressed": "false",
    onclick: () => {
      record.agreement = value;
      for (const button of agreement.children) button.setAttribute("aria-pressed", String(button.dataset.agreement === value));
      for (const select of parties.querySelectorAll(".qc-responsibility")) select.hidden = value !== "finding";
    },
  }, label)));

  const tow = h("div", { class: "qc-tow" }, h("p", { class: "qc-question" }, L.qc.towCalled),
    yesNo("tow_called", (value) => { record.tow_called = value; }));
  const notes = h("textarea", { name: "notes", rows: 2, maxlength: 4000, placeholder: L.qc.notes, "aria-label": L.qc.notes });
  const movedButton = nowButton(record, "vehicles_moved_at", L.qc.vehiclesMoved);
  const lanesButton = nowButton(record, "lanes_open_at", L.qc.lanesOpen);
  const notSaved = h("p", { class: "errors qc-not-saved", role: "alert", hidden: true }, "");

  // The rows the body sends (a row left blank is not a vehicle), with their nodes for marking.
  function partyRows() {
    const finding = record.agreement === Q().rules.finding;
    return [...parties.querySelectorAll(".qc-party")].map((row) => ({
      row,
      party: {
        plate: row.querySelector("[name=plate]").value.trim(),
        vehicle_type: row.querySelector("[name=vehicle_type]").value.trim(),
        insurer: row.querySelector("[name=insurer]").value.trim(),
        responsibility: finding ? row.querySelector("[name=responsibility]").value || null : null,
      },
    })).filter(({ party }) => party.plate || party.vehicle_type || party.insurer);
  }

  function body(status) {
    const partyList = partyRows().map(({ party }) => party);
    const fields = { ...record.checklist, parties: partyList, notes: notes.value.trim(), status };
    for (const name of ["agreement", "vehicles_moved_at", "lanes_open_at", "tow_called"]) {
      if (record[name] !== null && record[name] !== "") fields[name] = record[name];
    }
    return fields;
  }

  // The photo slots the server has or will have: read from it when the form
  // opens online, sent from this page, or waiting in the outbox.
  const serverSlots = new Set();
  if (navigator.onLine !== false) {
    getJson(recordUrl).then((saved) => {
      for (const slot of Q().slots) if (!(saved.missing_slots || []).includes(slot)) serverSlots.add(slot);
      recheck();
    }).catch(() => {
      // No record yet (404) or no network: what this phone queued is what counts.
    });
  }

  function slotsFilled() {
    const filled = new Set(serverSlots);
    for (const slot of state.photosSent.get(job.id) || []) filled.add(slot);
    for (const item of state.outboxItems) {
      if (item.kind === "photo" && item.status === PENDING && item.meta.jobId === job.id) filled.add(item.meta.slot);
    }
    return filled;
  }

  // "✓ kept" on each slot the server has or will have; a photo it refused is not kept.
  function markPhotos() {
    const filled = slotsFilled();
    for (const label of photos.querySelectorAll(".qc-photo")) {
      const taken = filled.has(label.dataset.slot);
      label.toggleAttribute("data-taken", taken);
      label.querySelector(".qc-photo-state").textContent = taken ? L.qc.photoKept : "";
    }
  }

  function problemsOf(status) {
    const rows = partyRows();
    const problems = quickClearanceProblems({
      answers: record.checklist,
      parties: rows.map(({ party }) => party),
      agreement: record.agreement,
      vehicles_moved_at: record.vehicles_moved_at,
      lanes_open_at: record.lanes_open_at,
      tow_called: record.tow_called,
      status,
    }, slotsFilled(), Q());
    return { problems, rows };
  }

  // Where each missing item is marked: right after the control it is about.
  function anchorOf(where, rows) {
    const party = /^parties\[(\d+)\]\.(plate|responsibility)$/.exec(where);
    if (party) {
      const row = rows[Number(party[1])].row;
      return row.querySelector(party[2] === "plate" ? "[name=plate]" : "[name=responsibility]");
    }
    if (where.startsWith("photos.")) return photos.querySelector(`.qc-photo[data-slot="${where.slice(7)}"]`);
    return {
      checklist, parties, agreement, tow_called: tow, vehicles_moved_at: movedButton, lanes_open_at: lanesButton,
    }[where];
  }

  // Marks every missing item beside it; returns the first mark, or null when nothing is missing.
  function showProblems(status) {
    for (const mark of form.querySelectorAll(".qc-problem")) mark.remove();
    for (const node of form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
    for (const node of form.querySelectorAll("[data-missing]")) delete node.dataset.missing;
    const { problems, rows } = problemsOf(status);
    let first = null;
    for (const [where, messages] of problems) {
      const anchor = anchorOf(where, rows);
      if (!anchor) continue;
      const mark = h("p", { class: "errors qc-problem", "data-problem": where }, messages.join(" "));
      // A photo's mark goes inside its big button, so it stays beside that slot in the grid.
      if (where.startsWith("photos.")) anchor.append(mark);
      else if (where === "checklist") anchor.before(mark);
      else anchor.after(mark);
      anchor.dataset.missing = "";
      if (anchor.matches("input, select")) anchor.setAttribute("aria-invalid", "true");
      first = first || mark;
    }
    if (problems.has("checklist")) {
      for (const item of checklist.querySelectorAll(".qc-item")) {
        const answer = record.checklist[item.dataset.item];
        if (answer !== true && answer !== false) item.dataset.missing = "";
      }
    }
    notSaved.hidden = problems.size === 0;
    notSaved.textContent = status === Q().rules.complete ? Q().rules.messages.notSaved : Q().rules.messages.notSavedLater;
    return first;
  }

  // After a refused tap, the marks follow what the officer fixes.
  let checkedStatus = null;
  function recheck() {
    markPhotos();
    if (checkedStatus !== null) showProblems(checkedStatus);
  }

  let saving = false;
  async function save(status, clear) {
    // A second gloved tap while the first is being queued must not queue twice.
    if (saving) return;
    checkedStatus = status;
    const first = showProblems(status);
    if (first) {
      first.scrollIntoView({ block: "center", behavior: "smooth" });
      return;
    }
    checkedStatus = null;
    saving = true;
    try {
      await queue({ kind: "record", method: "PATCH", url: recordUrl, json: body(status), meta: { jobId: job.id, status },
        label: [L.qc.title, job.number].join(" · ") });
      if (clear) await queue(stepItem(config, assignment, "cleared", {}));
      if (clear) form.hidden = true;
    } finally {
      saving = false;
    }
  }

  const form = h("section", { class: "qc-form", "data-job": job.id, "aria-label": L.qc.title },
    h("h3", {}, L.qc.title),
    h("h4", {}, L.qc.checklistTitle), checklist, ordinary,
    h("h4", {}, L.qc.photosTitle), h("p", { class: "qc-hint" }, L.qc.photosHint), photos,
    h("h4", {}, L.qc.partiesTitle), parties, addParty,
    h("h4", {}, L.qc.agreementTitle), agreement,
    h("h4", {}, L.qc.timesTitle), movedButton, lanesButton, tow,
    notes,
    notSaved,
    h("button", { type: "button", class: "btn btn-primary btn-block btn-huge qc-complete", onclick: () => save("complete", true) }, L.qc.complete),
    h("button", { type: "button", class: "btn btn-block qc-later", onclick: () => save("later", true) }, L.qc.later),
  );
  form.addEventListener("click", recheck);
  form.addEventListener("input", recheck);
  markPhotos();
  return form;
}

const kept = keptForms(buildForm, () => state.clearanceOpen);
export const clearanceForm = kept.form;
export const openClearance = kept.open;
export const isClearanceOpen = kept.isOpen;
