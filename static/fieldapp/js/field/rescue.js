// The rescue (救助) record on the card of a citizen-needs-help job: what kind
// of help, how many people, who they were handed to, the outcome, the times
// and photos. Photos go into the outbox as they are taken; "保存" queues the
// record (complete), "稍后补录" keeps it to finish later. What "complete"
// needs is the server's rule; a refusal comes back with its reason.

import { h, url } from "../../../common/js/ui.js";
import { downscale, filenameFor } from "../photos.js";
import { keptForms, nowButton } from "./forms.js";
import { L, config, state } from "./state.js";

const R = () => config.rescue;

export function takesRescue(assignment) {
  const job = assignment.job || {};
  return Boolean(R()) && R().kinds.includes(job.kind);
}

// One choice out of a few, as big buttons.
function choices(name, options, onChoose) {
  const group = h("div", { class: "qc-agreement rescue-choices", role: "group", "data-choice": name });
  for (const [value, label] of Object.entries(options)) {
    group.append(h("button", {
      type: "button", class: "btn qc-answer", "data-value": value, "aria-pressed": "false",
      onclick: () => {
        for (const button of group.children) button.setAttribute("aria-pressed", String(button.dataset.value === value));
        onChoose(value);
      },
    }, label));
  }
  return group;
}

function buildForm(assignment) {
  const job = assignment.job || {};
  const T = L.rescue;
  const record = { kind: "", handed_to_kind: "", started_at: null, ended_at: null };
  const queue = (item) => state.outbox.add(item);
  const people = h("input", { type: "number", name: "people_helped", min: 1, max: 500, value: 1, inputmode: "numeric", "aria-label": T.people });
  const name = h("input", { type: "text", name: "handed_to_name", maxlength: 80, placeholder: T.handedToName, "aria-label": T.handedToName });
  const phone = h("input", { type: "tel", name: "handed_to_phone", maxlength: 20, placeholder: T.handedToPhone, "aria-label": T.handedToPhone });
  const outcome = h("input", { type: "text", name: "outcome", maxlength: 200, placeholder: T.outcome, "aria-label": T.outcome });
  const notes = h("textarea", { name: "notes", rows: 2, maxlength: 4000, placeholder: T.notes, "aria-label": T.notes });


  const photoMark = h("span", { class: "qc-photo-state" }, "");
  const photoInput = h("input", { type: "file", accept: "image/*", capture: "environment", class: "qc-photo-input", "data-slot": "extra" });
  photoInput.addEventListener("change", async () => {
    const original = photoInput.files[0];
    if (!original) return;
    const blob = await downscale(original);
    await queue({
      kind: "photo",
      url: url(config.urls.rescuePhotos, job.id),
      label: [L.qc.photo, T.title, job.number].filter(Boolean).join(" · "),
      meta: { jobId: job.id, slot: "extra" },
      form: { fields: { slot: "extra" }, files: [{ field: "image", blob, filename: filenameFor(original, blob) }] },
    });
    photoInput.value = "";
    photoMark.textContent = L.qc.photoKept;
  });

  function body(status) {
    const fields = {
      kind: record.kind,
      handed_to_kind: record.handed_to_kind,
      handed_to_name: name.value.trim(),
      handed_to_phone: phone.value.trim(),
      outcome: outcome.value.trim(),
      notes: notes.value.trim(),
      status,
    };
    const count = Number.parseInt(people.value, 10);
    if (Number.isFinite(count)) fields.people_helped = count;
    for (const field of ["started_at", "ended_at"]) if (record[field]) fields[field] = record[field];
    return fields;
  }

  async function save(status) {
    await queue({ kind: "record", method: "PATCH", url: url(config.urls.rescue, job.id), json: body(status),
      meta: { jobId: job.id, status }, label: [T.title, job.number].join(" · ") });
    form.hidden = true;
    state.rescueOpen.delete(assignment.id);
  }

  const form = h("section", { class: "qc-form rescue-form", "data-job": job.id, "aria-label": T.title },
    h("h3", {}, T.title),
    h("h4", {}, T.kind), choices("kind", R().helpKinds, (value) => { record.kind = value; }),
    h("h4", {}, T.people), people,
    h("h4", {}, T.handedTo), choices("handed_to_kind", R().handedTo, (value) => { record.handed_to_kind = value; }), name, phone,
    h("h4", {}, T.outcomeTitle), outcome,
    h("h4", {}, L.qc.timesTitle), nowButton(record, "started_at", T.started), nowButton(record, "ended_at", T.ended),
    h("label", { class: "btn qc-photo rescue-photo" }, photoInput, h("span", {}, T.photo), photoMark),
    notes,
    h("button", { type: "button", class: "btn btn-primary btn-block btn-huge rescue-save", onclick: () => save("complete") }, T.save),
    h("button", { type: "button", class: "btn btn-block rescue-later", onclick: () => save("later") }, T.later),
  );
  return form;
}

const kept = keptForms(buildForm, () => state.rescueOpen);
export const rescueForm = kept.form;
export const openRescue = kept.open;
export const isRescueOpen = kept.isOpen;
