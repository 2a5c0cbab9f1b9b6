// Pieces the record forms on a card share (quick clearance, rescue).

import { h } from "../../../common/js/ui.js";
import { isoWithOffset } from "../outbox.js";
import { L } from "./state.js";

// The stamp's time of day set to hh:mm, on the latest day that does not put it in the future.
export function stampAt(hhmm, now = new Date()) {
  const [hours, minutes] = hhmm.split(":").map(Number);
  const at = new Date(now);
  at.setHours(hours, minutes, 0, 0);
  if (at > now) at.setDate(at.getDate() - 1);
  return at;
}

// A button that stamps record[field] with the phone's time now and shows it.
// Once stamped, the time can be set by hand (the officer records it a while
// after) or cleared (a tap by mistake): a stamp is never stuck.
export function nowButton(record, field, label) {
  const shown = h("span", { class: "qc-time" }, "");
  const time = h("input", {
    type: "time", class: "qc-stamp-time", name: field, step: 60, "aria-label": `${label} · ${L.stamp.time}`,
  });
  const edit = h("div", { class: "qc-stamp-edit", hidden: true },
    time,
    h("button", { type: "button", class: "btn qc-stamp-clear", "data-clear": field, onclick: () => set(null) }, L.stamp.clear),
  );
  function set(at) {
    record[field] = at ? isoWithOffset(at) : null;
    const hhmm = at ? record[field].slice(11, 16) : "";
    shown.textContent = at ? ` · ${hhmm}` : "";
    time.value = hhmm;
    edit.hidden = !at;
  }
  time.addEventListener("change", () => set(time.value ? stampAt(time.value) : null));
  const button = h("button", { type: "button", class: "btn btn-block qc-now", "data-time": field, onclick: () => set(new Date()) },
    label, shown);
  return h("div", { class: "qc-stamp", "data-stamp": field }, button, edit);
}

// One form node per assignment, the same node across card rebuilds, so what
// the officer typed survives a push or a refresh. openSet() is the state's
// set of assignments whose form is open.
export function keptForms(build, openSet) {
  const forms = new Map();
  function form(assignment) {
    if (!forms.has(assignment.id)) forms.set(assignment.id, build(assignment));
    return forms.get(assignment.id);
  }
  function open(assignment) {
    const node = form(assignment);
    node.hidden = false;
    openSet().add(assignment.id);
    return node;
  }
  function isOpen(assignment) {
    return openSet().has(assignment.id) && !forms.get(assignment.id)?.hidden;
  }
  return { form, open, isOpen };
}
