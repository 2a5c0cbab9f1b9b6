// Pieces the record forms on a card share (quick clearance, rescue).

import { h } from "../../../common/js/ui.js";
import { isoWithOffset } from "../outbox.js";

// A button that stamps record[field] with the phone's time now and shows it.
export function nowButton(record, field, label) {
  const shown = h("span", { class: "qc-time" }, "");
  return h("button", { type: "button", class: "btn btn-block qc-now", "data-time": field, onclick: () => {
    record[field] = isoWithOffset();
    shown.textContent = ` · ${record[field].slice(11, 16)}`;
  } }, label, shown);
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
