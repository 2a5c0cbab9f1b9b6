// A job's field records on the desk: the quick clearance (checklist outcome,
// photos, vehicles, times), the rescue and the photos of a job found on
// patrol. The server sends them in the job (DeskJob `records`); this module
// only shows them, in a collapsible detail that stays open across live redraws.

import { clock, fill, h } from "../../../common/js/ui.js";
import { L, officerLabel } from "./state.js";

const R = L.records;

// Which details the dispatcher opened ("<job id>:<part>"): a card is rebuilt
// on every change of its job, and an open detail must stay open.
const openDetails = new Set();

export function keptDetails(key, attributes, summary, ...body) {
  const details = h("details", { ...attributes, open: openDetails.has(key) }, h("summary", {}, summary), ...body);
  details.addEventListener("toggle", () => (details.open ? openDetails.add(key) : openDetails.delete(key)));
  return details;
}

// --- photos ------------------------------------------------------------------------------

let viewer = null;

function photoViewer() {
  if (viewer) return viewer;
  const title = h("h2", { id: "photo-viewer-title" });
  const image = h("img", { alt: "" });
  const close = h("button", { type: "button", class: "btn", "data-action": "close-photo" }, R.closeImage);
  const dialog = h("dialog", { id: "photo-viewer", class: "photo-viewer", "aria-labelledby": "photo-viewer-title" },
    h("div", { class: "photo-viewer-head" }, title, close), image);
  close.addEventListener("click", () => dialog.close());
  // A click on the dimmed backdrop (the dialog itself, outside its content) closes it too.
  dialog.addEventListener("click", (event) => { if (event.target === dialog) dialog.close(); });
  dialog.addEventListener("close", () => image.removeAttribute("src"));
  document.body.append(dialog);
  viewer = { dialog, title, image };
  return viewer;
}

function openPhoto(photo, caption) {
  const { dialog, title, image } = photoViewer();
  title.textContent = caption;
  image.alt = caption;
  image.src = photo.image_url;
  dialog.showModal();
}

function thumbnails(photos, jobNumber) {
  if (!photos.length) return h("p", { class: "muted rec-line" }, R.noPhotos);
  let extras = 0;
  return h("ul", { class: "thumbs" }, photos.map((photo) => {
    // The named slots say what the photo shows; the others are numbered.
    const slot = photo.slot === "extra" ? fill(R.photoNumber, { n: (extras += 1) }) : R.slots[photo.slot] || photo.slot;
    const caption = `${jobNumber} · ${slot}`;
    // A real link: a middle click still opens the full image in a tab of its own.
    return h("li", {},
      h("a", {
        class: "thumb", href: photo.image_url, "data-photo": photo.id, "data-slot": photo.slot,
        "aria-label": fill(R.openPhoto, { slot }),
        onclick: (event) => {
          if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
          event.preventDefault();
          openPhoto(photo, caption);
        },
      },
      h("img", { src: photo.thumbnail_url, alt: "", loading: "lazy", width: 96, height: 72 }),
      h("span", { class: "thumb-label" }, slot)));
  }));
}

// --- pieces ------------------------------------------------------------------------------

function timeOrNone(iso) {
  return iso ? h("time", { datetime: iso }, clock(iso)) : L.none;
}

function facts(entries) {
  return h("dl", { class: "rec-facts" }, entries.filter(Boolean).map(([term, value, name]) =>
    h("div", { "data-fact": name }, h("dt", {}, term), h("dd", {}, value))));
}

function outcomeNode(record) {
  if (record.outcome) {
    return h("span", { class: `outcome outcome-${record.outcome}`, "data-outcome": record.outcome }, R.outcomes[record.outcome] || record.outcome);
  }
  return h("span", { class: "outcome outcome-undecided", "data-outcome": "" },
    fill(R.undecided, { n: (record.unanswered_items || []).length }));
}

function recordedBy(record) {
  return h("p", { class: "muted rec-line rec-by" },
    fill(R.recordedBy, { officer: officerLabel(record.officer) }), " · ",
    h("span", { "data-record-status": record.status }, R.statuses[record.status] || record.status));
}

function notes(text) {
  return text ? facts([[R.notes, text, "notes"]]) : null;
}

// --- quick clearance ---------------------------------------------------------------------

function partiesTable(record) {
  const parties = record.parties || [];
  if (!parties.length) return h("p", { class: "muted rec-line" }, R.noParties);
  return h("table", { class: "parties" },
    h("thead", {}, h("tr", {}, [R.plate, R.vehicleType, R.insurer, R.responsibility].map((name) => h("th", { scope: "col" }, name)))),
    h("tbody", {}, parties.map((party) => h("tr", { "data-plate": party.plate },
      h("td", { class: "plate" }, party.plate),
      h("td", {}, party.vehicle_type || L.none),
      h("td", {}, party.insurer || L.none),
      h("td", {}, party.responsibility ? R.responsibilities[party.responsibility] || party.responsibility : L.none),
    ))));
}

function quickClearanceSection(record, jobNumber) {
  const failing = record.failing_items || [];
  const missing = record.missing_slots || [];
  const photos = record.photos || [];
  const tow = record.tow_called === null || record.tow_called === undefined ? L.none : (record.tow_called ? R.towCalled : R.towNotCalled);
  // Under the ordinary procedure the case goes on elsewhere: only what was recorded is shown, no empty slots.
  const ordinary = record.outcome === "ordinary";
  const times = [
    record.agreement ? [R.agreement, R.agreements[record.agreement] || record.agreement, "agreement"] : null,
    !ordinary || record.vehicles_moved_at ? [R.vehiclesMoved, timeOrNone(record.vehicles_moved_at), "vehicles_moved"] : null,
    !ordinary || record.lanes_open_at ? [R.lanesOpen, timeOrNone(record.lanes_open_at), "lanes_open"] : null,
    !ordinary || record.tow_called !== null ? [R.tow, tow, "tow"] : null,
  ].filter(Boolean);
  return h("section", { class: "record", "data-record": "quick_clearance", "data-outcome": record.outcome || "" },
    h("h3", {}, R.quickClearance, " ", outcomeNode(record)),
    failing.length ? h("div", { class: "rec-failing" }, h("strong", {}, R.failing),
      h("ul", {}, failing.map((item) => h("li", { "data-item": item }, R.checklist[item] || item)))) : null,
    !ordinary || photos.length ? thumbnails(photos, jobNumber) : null,
    missing.length && !ordinary
      ? h("p", { class: "rec-missing" }, fill(R.photosMissing, { slots: missing.map((slot) => R.slots[slot] || slot).join("、") }))
      : null,
    !ordinary || (record.parties || []).length ? partiesTable(record) : null,
    times.length ? facts(times) : null,
    notes(record.notes),
    recordedBy(record),
  );
}

function quickClearanceDigest(record) {
  const photos = (record.photos || []).length;
  const parties = (record.parties || []).length;
  return [
    outcomeNode(record),
    photos ? fill(R.photoCount, { n: photos }) : null,
    parties ? fill(R.partyCount, { n: parties }) : null,
    record.lanes_open_at ? `${R.lanesOpen} ${clock(record.lanes_open_at)}` : null,
    R.statuses[record.status] || record.status,
  ];
}

// --- rescue ------------------------------------------------------------------------------

function handedTo(record) {
  if (!record.handed_to_kind) return L.none;
  const kind = R.handedTo[record.handed_to_kind] || record.handed_to_kind;
  const who = [record.handed_to_name, record.handed_to_phone].filter(Boolean).join(" ");
  return who ? fill(R.handedToWho, { kind, who }) : kind;
}

function rescueSection(record, jobNumber) {
  return h("section", { class: "record", "data-record": "rescue" },
    h("h3", {}, R.rescue, " ", record.kind ? h("span", { class: "outcome outcome-rescue" }, R.rescueKinds[record.kind] || record.kind) : null),
    facts([
      [R.kind, record.kind ? R.rescueKinds[record.kind] || record.kind : L.none, "kind"],
      [R.peopleHelped, record.people_helped ?? L.none, "people_helped"],
      [R.handedToTitle, handedTo(record), "handed_to"],
      [R.outcome, record.outcome || L.none, "outcome"],
      [R.started, timeOrNone(record.started_at), "started"],
      [R.ended, timeOrNone(record.ended_at), "ended"],
    ]),
    notes(record.notes),
    (record.photos || []).length ? thumbnails(record.photos, jobNumber) : null,
    recordedBy(record),
  );
}

function rescueDigest(record) {
  return [
    record.kind ? R.rescueKinds[record.kind] || record.kind : null,
    record.people_helped ? `${R.peopleHelped} ${record.people_helped}` : null,
    record.handed_to_kind ? R.handedTo[record.handed_to_kind] || record.handed_to_kind : null,
    R.statuses[record.status] || record.status,
  ];
}

// --- the detail ------------------------------------------------------------------------

function digest(title, parts) {
  const items = parts.filter((part) => part !== null && part !== undefined && part !== "");
  return h("span", { class: "digest" }, h("strong", {}, title), items.flatMap((part) => [" · ", part]));
}

// Null when the job has no record and no photo yet.
export function recordsDetail(job) {
  const { quick_clearance: quick, rescue, job_photos: jobPhotos = [] } = job.records || {};
  if (!quick && !rescue && !jobPhotos.length) return null;
  const summary = h("span", { class: "digests" },
    quick ? digest(R.quickClearance, quickClearanceDigest(quick)) : null,
    rescue ? digest(R.rescue, rescueDigest(rescue)) : null,
    !quick && !rescue ? digest(R.jobPhotos, [fill(R.photoCount, { n: jobPhotos.length })]) : null,
  );
  // With one part only, its heading would repeat the summary line: it is kept for screen readers only.
  const parts = [quick, rescue, jobPhotos.length].filter(Boolean).length;
  return keptDetails(`${job.id}:records`, { class: `job-detail records-detail${parts === 1 ? " single" : ""}`, "data-detail": "records" }, summary,
    quick ? quickClearanceSection(quick, job.number) : null,
    rescue ? rescueSection(rescue, job.number) : null,
    jobPhotos.length ? h("section", { class: "record", "data-record": "job_photos" }, h("h3", {}, R.jobPhotos), thumbnails(jobPhotos, job.number)) : null,
  );
}
