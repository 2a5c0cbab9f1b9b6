// A job the officer found on patrol, started in two taps: what it is, then
// "report". A note and a photo are optional; the place is the phone's last fix,
// which the officer may correct on a small map (found_map.js) or leave as it is.
//
// The report goes into the outbox like every other tap, so it is kept in a
// tunnel and sent once the signal is back; the server answers with the
// officer's new assignment, already on scene.

import { duration, fill, h } from "../../../common/js/ui.js";
import { downscale, filenameFor } from "../photos.js";
import { createFoundMap } from "./found_map.js";

// The form, built into `container`. lastFix() gives the newest fix or null;
// queue({kind, note, file, fix}) puts the report in the outbox.
export function mountFoundForm(container, { config, lastFix, queue }) {
  const L = config.labels.found;
  // corrected: the WGS-84 {lat, lng} kept from the map, or null for the last fix.
  const state = { kind: null, busy: false, corrected: null };
  const open = h("button", { type: "button", class: "btn btn-secondary btn-block btn-huge found-open", "aria-expanded": "false" }, L.open);
  const kinds = h("div", { class: "found-kinds", role: "group", "aria-label": L.kindQuestion },
    config.foundKinds.map((kind) => h("button", {
      type: "button", class: "btn found-kind", "data-kind": kind, "aria-pressed": "false", onclick: () => choose(kind),
    }, config.kinds[kind] || kind)),
  );
  const note = h("textarea", { name: "note", rows: 2, maxlength: 1000, "aria-label": L.note, placeholder: L.note });
  const photo = h("input", { type: "file", name: "photo", accept: "image/*", capture: "environment", class: "found-photo-input" });
  const photoLabel = h("label", { class: "btn btn-block found-photo" }, photo, h("span", { class: "found-photo-text" }, L.photo));
  const where = h("p", { class: "found-where", "aria-live": "polite" });
  const submit = h("button", { type: "button", class: "btn btn-primary btn-block btn-huge found-submit", disabled: true }, L.submit);
  const cancel = h("button", { type: "button", class: "btn btn-block found-cancel" }, L.cancel);
  const adjust = h("button", { type: "button", class: "btn btn-block found-adjust", "aria-expanded": "false" }, L.adjust);
  const map = createFoundMap({
    config,
    onUse: (point) => {
      state.corrected = point;
      closeMap();
    },
    onClose: closeMap,
  });
  const details = h("div", { class: "found-details", hidden: true }, note, photoLabel, where, adjust, map.panel, submit);
  const sheet = h("div", { class: "found-sheet card", hidden: true },
    h("h2", { class: "found-title" }, L.kindQuestion), kinds, details, cancel);
  container.replaceChildren(open, sheet);

  function closeMap() {
    map.hide();
    adjust.hidden = false;
    adjust.setAttribute("aria-expanded", "false");
    showWhere();
    adjust.focus({ preventScroll: true });
  }

  function showWhere() {
    const fix = lastFix();
    adjust.disabled = !fix && !state.corrected;
    if (state.corrected) {
      where.textContent = L.corrected;
      where.classList.remove("bad");
    } else if (!fix) {
      where.textContent = L.noFix;
      where.classList.add("bad");
    } else {
      const age = duration(Math.round((Date.now() - Date.parse(fix.at)) / 1000), config.labels);
      where.textContent = fill(L.position, { accuracy: Math.round(fix.accuracy), age });
      where.classList.remove("bad");
    }
    submit.disabled = state.busy || !state.kind || !(fix || state.corrected);
  }

  function choose(kind) {
    state.kind = kind;
    for (const button of kinds.children) button.setAttribute("aria-pressed", String(button.dataset.kind === kind));
    details.hidden = false;
    showWhere();
    submit.focus({ preventScroll: false });
  }

  function reset() {
    state.kind = null;
    state.busy = false;
    state.corrected = null;
    map.hide();
    adjust.hidden = false;
    adjust.setAttribute("aria-expanded", "false");
    note.value = "";
    photo.value = "";
    photoLabel.querySelector(".found-photo-text").textContent = L.photo;
    for (const button of kinds.children) button.setAttribute("aria-pressed", "false");
    details.hidden = true;
    sheet.hidden = true;
    open.hidden = false;
    open.setAttribute("aria-expanded", "false");
  }

  open.addEventListener("click", () => {
    sheet.hidden = false;
    open.hidden = true;
    open.setAttribute("aria-expanded", "true");
    sheet.scrollIntoView({ block: "start", behavior: "smooth" });
  });
  cancel.addEventListener("click", reset);
  adjust.addEventListener("click", () => {
    const point = state.corrected || lastFix();
    if (!point) return;
    adjust.hidden = true;
    adjust.setAttribute("aria-expanded", "true");
    map.open(point);
  });
  photo.addEventListener("change", () => {
    photoLabel.querySelector(".found-photo-text").textContent = photo.files.length ? L.photoChosen : L.photo;
  });
  submit.addEventListener("click", async () => {
    const fix = placeToReport();
    if (!state.kind || !fix || state.busy) return;
    state.busy = true;
    submit.disabled = true;
    const original = photo.files[0] || null;
    const blob = original ? await downscale(original) : null;
    await queue({
      kind: state.kind,
      note: note.value.trim(),
      fix,
      file: blob ? { blob, filename: filenameFor(original, blob) } : null,
    });
    reset();
  });
  // The corrected point, or the last fix as it is. A point set by hand has no
  // GPS accuracy, so none is sent with it.
  function placeToReport() {
    const fix = lastFix();
    if (!state.corrected) return fix;
    return { lat: state.corrected.lat, lng: state.corrected.lng };
  }

  const timer = setInterval(() => {
    if (!details.hidden) showWhere();
  }, 5000);
  return { reset, stop: () => clearInterval(timer) };
}

// The outbox item for a report: multipart, so a photo can ride along.
export function foundItem({ kind, note, fix, file }, { url, label }) {
  const fields = { kind, lat: fix.lat, lng: fix.lng, note };
  if (Number.isFinite(fix.accuracy)) fields.accuracy = fix.accuracy;
  return {
    kind: "found",
    url,
    label,
    meta: { kind, note },
    form: { fields, files: file ? [{ field: "photo", blob: file.blob, filename: file.filename }] : [] },
  };
}
