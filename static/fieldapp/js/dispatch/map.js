// The desk's maps: officers and open jobs on one, the place of a new job on
// the other. Labels that would cover each other are moved apart (declutter).

import { duration, fill } from "../../../common/js/ui.js";
import { L, config, elements, fixAgeS, officerLabel, officerState, openJobs, state, stateLabel } from "./state.js";

const SHAPES = { available: "●", busy: "■", off_duty: "◆" };
const STALE_SHAPE = "○";
// Space left between two labels moved apart, in pixels.
const LABEL_GAP_PX = 2;

export const maps = { officers: null, place: null, officerLayer: null, jobLayer: null, placeMarker: null, fitted: false };

function makeMap(elementId) {
  if (!window.L || !document.getElementById(elementId)) return null;
  const map = window.L.map(elementId, { zoomControl: true }).setView(config.map.center, config.map.zoom);
  window.L.tileLayer(config.map.tileUrl, { attribution: config.map.attribution, maxZoom: 19 }).addTo(map);
  return map;
}

function pinIcon(className, html) {
  return window.L.divIcon({ className, html, iconSize: [0, 0] });
}

function escapeText(text) {
  const span = document.createElement("span");
  span.textContent = text;
  return span.innerHTML;
}

// Job labels stay on their stems; an officer label that would cover a job's
// label or another officer's is pushed down, just below what it would hide:
// a label a few pixels off its place beats one nobody can read. The boxes are
// measured once, then moved by arithmetic, so one pass costs one layout.
export function declutterLabels() {
  if (!maps.officers) return;
  const container = maps.officers.getContainer();
  const officerPins = [...container.querySelectorAll(".officer-marker .pin")];
  for (const pin of officerPins) pin.style.removeProperty("--dy");
  const placed = [...container.querySelectorAll(".job-marker .pin")].map((pin) => pin.getBoundingClientRect());
  const boxes = officerPins.map((pin) => pin.getBoundingClientRect());
  const order = boxes.map((_box, index) => index).sort((a, b) => (boxes[a].top - boxes[b].top) || (boxes[a].left - boxes[b].left));
  for (const index of order) {
    const box = boxes[index];
    let dy = 0;
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const top = box.top + dy;
      const bottom = box.bottom + dy;
      const hit = placed.find((other) => box.left < other.right && box.right > other.left && top < other.bottom && bottom > other.top);
      if (!hit) break;
      dy = hit.bottom + LABEL_GAP_PX - box.top;
    }
    placed.push({ left: box.left, right: box.right, top: box.top + dy, bottom: box.bottom + dy });
    if (dy) officerPins[index].style.setProperty("--dy", `${Math.ceil(dy)}px`);
  }
  // Says which zoom the labels were last sorted out for (tests wait on it).
  container.dataset.labelsZoom = String(maps.officers.getZoom());
}

// Markers are kept per officer and only moved or restyled: positions arrive
// every second and rebuilding hundreds of markers would flicker.
const officerMarkers = new Map();

export function renderOfficerMap() {
  if (!maps.officers) return;
  const points = [];
  const seen = new Set();
  for (const officer of state.officers.values()) {
    if (!officer.fix) continue;
    seen.add(officer.id);
    const status = officerState(officer);
    const age = fixAgeS(officer.fix);
    const stale = age > config.staleFixS;
    const label = stale ? `${officer.call_sign} · ${duration(age, L)}` : officer.call_sign;
    const shape = stale ? STALE_SHAPE : SHAPES[status] || SHAPES.available;
    const look = `${status}|${stale}|${label}`;
    const point = [officer.fix.lat, officer.fix.lng];
    const icon = () => pinIcon(`officer-marker ${status}${stale ? " stale" : ""}`, `<span class="pin"><span class="shape">${shape}</span>${escapeText(label)}</span>`);
    let entry = officerMarkers.get(officer.id);
    if (!entry) {
      const marker = window.L.marker(point, { icon: icon(), title: officerLabel(officer), keyboard: false }).addTo(maps.officerLayer);
      entry = { marker, look };
      officerMarkers.set(officer.id, entry);
    } else {
      entry.marker.setLatLng(point);
      if (entry.look !== look) {
        entry.marker.setIcon(icon());
        entry.look = look;
      }
    }
    const element = entry.marker.getElement();
    if (element) {
      element.title = `${officerLabel(officer)} · ${stateLabel[status] || status}`;
      element.dataset.officer = officer.id;
    }
    points.push(point);
  }
  for (const [id, entry] of officerMarkers) {
    if (!seen.has(id)) {
      entry.marker.remove();
      officerMarkers.delete(id);
    }
  }
  maps.jobLayer.clearLayers();
  for (const job of openJobs()) {
    const marker = window.L.marker([job.lat, job.lng], {
      icon: pinIcon("job-marker", `<span class="pin">${escapeText(job.number.slice(-4))}</span>`),
      title: `${job.number} ${job.summary}`,
      keyboard: false,
    }).on("click", () => {
      const card = elements.board.querySelector(`.job[data-job="${job.id}"]`);
      if (card) card.scrollIntoView({ block: "center", behavior: "smooth" });
    }).addTo(maps.jobLayer);
    const element = marker.getElement();
    if (element) element.dataset.job = job.id;
    points.push([job.lat, job.lng]);
  }
  // Frame everybody once; afterwards the dispatcher owns the view.
  if (!maps.fitted && points.length) {
    maps.officers.fitBounds(points, { padding: [40, 40], maxZoom: 15, animate: false });
    maps.fitted = true;
  }
  declutterLabels();
}

export function setPlace(lat, lng, fromMap = true) {
  if (fromMap) {
    elements.lat.value = lat.toFixed(6);
    elements.lng.value = lng.toFixed(6);
  }
  elements.placeHint.textContent = fill(L.placed, { lat: Number(lat).toFixed(5), lng: Number(lng).toFixed(5) });
  if (!maps.place) return;
  if (!maps.placeMarker) {
    maps.placeMarker = window.L.marker([lat, lng], {
      icon: pinIcon("job-marker", `<span class="pin">${escapeText(L.newJobPin)}</span>`),
      keyboard: false,
    }).addTo(maps.place);
  } else {
    maps.placeMarker.setLatLng([lat, lng]);
  }
}

export function clearPlace() {
  elements.placeHint.textContent = L.placeOnMap;
  if (maps.placeMarker) {
    maps.placeMarker.remove();
    maps.placeMarker = null;
  }
}

export function setupMaps() {
  maps.officers = makeMap("officers-map");
  if (maps.officers) {
    maps.officerLayer = window.L.layerGroup().addTo(maps.officers);
    maps.jobLayer = window.L.layerGroup().addTo(maps.officers);
    // Zooming changes how far apart markers are on screen.
    maps.officers.on("zoomend", declutterLabels);
  }
  maps.place = makeMap("place-map");
  if (maps.place) {
    maps.place.on("click", (event) => setPlace(event.latlng.lat, event.latlng.lng));
  }
  const typed = () => {
    const lat = Number(elements.lat.value);
    const lng = Number(elements.lng.value);
    if (elements.lat.value && elements.lng.value && Number.isFinite(lat) && Number.isFinite(lng)) setPlace(lat, lng, false);
  };
  elements.lat.addEventListener("change", typed);
  elements.lng.addEventListener("change", typed);
}
