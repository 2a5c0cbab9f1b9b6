// Citizens' finder: position (a few seconds at most), else an area picked from a list or the map;
// open stations first, nearest first; list and a lazily loaded Leaflet map. The server already
// rendered a useful list from the query string, so everything here is an improvement, never a
// requirement. Cards arrive whole from the server (serializers.StationListOut): this script
// shows their fields and builds no link, distance or label of its own.
import { fill, h, pageConfig } from "../../common/js/ui.js";
import { loadLeaflet, toDisplay, fromDisplay } from "../../common/js/map.js";
import { farHint } from "./far_hint.js";

const config = pageConfig();
const labels = config.labels;
const GEO_TIMEOUT_MS = config.geolocationTimeoutMs;

const status = document.getElementById("locate-status");
const locateButton = document.getElementById("locate-button");
const areas = document.getElementById("areas");
const areaChosen = document.getElementById("area-chosen");
const list = document.getElementById("station-list");
const originText = document.getElementById("origin-text");
const filters = document.getElementById("filters");
const mapBox = document.getElementById("finder-map");
const mapNote = document.getElementById("map-note");
const mapFar = document.getElementById("map-far");
const listButton = document.getElementById("show-list");
const mapButton = document.getElementById("show-map");

let origin = config.origin; // {lat, lng, label, kind: "centre" | "area" | "position"}
let position = null; // the phone's own position, once shared: never put in the URL
let stations = config.stations;
let far = config.far; // null, or the hint that no open station is near (serializers.FarOut)
let map = null;
let markers = null;
let originMarker = null;
let refreshTimer = null;

function setStatus(text, isError = false) {
  status.textContent = text;
  status.classList.toggle("is-error", isError);
}

function svgIcon(name) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", "ico");
  svg.setAttribute("aria-hidden", "true");
  const use = document.createElementNS(ns, "use");
  use.setAttribute("href", `#i-${name}`);
  svg.append(use);
  return svg;
}

// The same markup as templates/stations/_station_card.html, from the same fields.
function stationCard(station) {
  const state = station.open_state;
  const closed = state === "closed";
  return h(
    "li",
    { class: `station-card${closed ? " is-closed" : ""}`, "data-slug": station.slug, "data-state": state },
    h("h3", {}, h("a", { class: "station-name", href: station.url }, station.name), station.distance_text ? h("span", { class: "distance" }, station.distance_text) : null),
    h("p", { class: `state state-${state}` }, h("span", { class: "state-badge" }, station.hours_text || station.state_label)),
    station.address ? h("p", { class: "address" }, station.address) : null,
    station.amenities.length
      ? h("ul", { class: "amenities", "aria-label": labels.amenities }, station.amenities.map((amenity) => h("li", {}, svgIcon(amenity.code), amenity.label)))
      : null,
    h(
      "div",
      { class: "card-actions" },
      h(
        "a",
        { class: `btn ${closed ? "btn-secondary" : "btn-primary"} btn-navigate`, rel: "noopener", href: station.navigation.amap },
        svgIcon("nav"),
        labels.navigate,
        station.opens_text ? h("span", { class: "btn-note" }, station.opens_text) : null,
      ),
      h("a", { class: "btn btn-secondary", href: station.url }, labels.details),
    ),
  );
}

function renderList() {
  // The hint comes first and is drawn with the cards, in one frame: nothing above the list moves.
  const hint = farHint(far, origin, config);
  const cards = stations.length ? stations.map(stationCard) : [h("li", { class: "empty" }, labels.none)];
  list.replaceChildren(...(hint ? [hint, ...cards] : cards));
  renderMapFar();
  originText.textContent = origin.kind === "position" ? labels.fromPosition : `${labels.from} ${origin.label}`;
  renderMarkers();
}

let fittedFor = "";

function renderMarkers() {
  if (!map) return;
  markers.clearLayers();
  const colours = { open: "#0b6b2b", closed: "#b00020", unknown: "#8a4b00" };
  for (const station of stations) {
    const marker = L.circleMarker(toDisplay(station, config.tilesGcj02), { radius: 11, weight: 3, color: "#000", fillColor: colours[station.open_state] || colours.unknown, fillOpacity: 1 });
    marker.bindPopup(h("div", {}, h("strong", {}, station.name), h("br"), station.hours_text || station.state_label, h("br"), h("a", { href: station.url }, labels.details)));
    marker.addTo(markers);
  }
  const here = toDisplay({ wgs84: origin }, config.tilesGcj02);
  if (originMarker) originMarker.setLatLng(here);
  else originMarker = L.circleMarker(here, { radius: 8, weight: 3, color: "#0a3a82", fillColor: "#ffcc00", fillOpacity: 1 }).addTo(map);
  // Show the origin and the nearest few stations together, once per origin:
  // a periodic refresh must not undo the citizen's panning.
  const key = `${origin.lat},${origin.lng}`;
  const points = [here, ...stations.slice(0, 5).map((station) => toDisplay(station, config.tilesGcj02))];
  if (key !== fittedFor && points.length > 1) {
    map.fitBounds(points, { padding: [32, 32], maxZoom: 15 });
    fittedFor = key;
  }
}

// --- the choices, in the URL ------------------------------------------------------
// The same keys the server reads (views.public.finder_query): a link can be shared,
// a reload or Back shows the same list, and the server renders it without JS.

function choiceParams() {
  const params = new URLSearchParams();
  if (origin.kind === "area") {
    params.set("lat", origin.lat.toFixed(5));
    params.set("lng", origin.lng.toFixed(5));
    params.set("area", origin.label);
  }
  if (filters.elements.open_now.checked) params.set("open_now", "1");
  for (const box of filters.querySelectorAll("input[name=amenity]:checked")) params.append("amenity", box.value);
  return params;
}

function writeUrl({ push = false } = {}) {
  const query = choiceParams().toString();
  const next = `${window.location.pathname}${query ? `?${query}` : ""}`;
  if (next === `${window.location.pathname}${window.location.search}`) return;
  if (push) history.pushState(null, "", next);
  else history.replaceState(null, "", next);
}

function readUrl() {
  const params = new URLSearchParams(window.location.search);
  const lat = Number.parseFloat(params.get("lat"));
  const lng = Number.parseFloat(params.get("lng"));
  if (Number.isFinite(lat) && Number.isFinite(lng)) origin = { lat, lng, label: params.get("area") || labels.pointOnMap, kind: "area" };
  else origin = position || config.centre;
  filters.elements.open_now.checked = params.get("open_now") === "1";
  const amenities = new Set(params.getAll("amenity"));
  for (const box of filters.querySelectorAll("input[name=amenity]")) box.checked = amenities.has(box.value);
  showChosenArea();
}

function showChosenArea() {
  areaChosen.textContent = origin.kind === "area" ? fill(labels.areaChosen, { area: origin.label }) : labels.pickArea;
  for (const link of areas.querySelectorAll("a[data-lat]")) {
    link.setAttribute("aria-current", String(origin.kind === "area" && link.dataset.label === origin.label));
  }
}

// Only the newest choice may draw the list: two quick taps on a slow network
// must not end with the first tap's answer shown under the second tap's filters.
let inFlight = null;

async function refresh() {
  inFlight?.abort();
  const request = new AbortController();
  inFlight = request;
  const params = choiceParams();
  params.set("lat", origin.lat.toFixed(6));
  params.set("lng", origin.lng.toFixed(6));
  params.delete("area");
  params.set("limit", String(config.limit));
  params.set("open_first", "1");
  list.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(`${config.apiUrl}?${params}`, {
      headers: { Accept: "application/json" }, signal: request.signal,
    });
    if (!response.ok) throw new Error(String(response.status));
    const answer = await response.json();
    stations = answer.results;
    far = answer.far;
    renderList();
    scheduleRefresh();
  } catch (error) {
    if (request.signal.aborted) return;
    setStatus(labels.offline, true);
  } finally {
    if (inFlight === request) {
      inFlight = null;
      list.removeAttribute("aria-busy");
    }
  }
}

// Open states change at known times; refresh then, and at least every refreshMs
// so a manager's "closed now" reaches a phone that keeps the page open.
function scheduleRefresh() {
  clearTimeout(refreshTimer);
  let wait = config.refreshMs;
  for (const station of stations) {
    if (!station.next_change) continue;
    const due = Date.parse(station.next_change) - Date.now() + 2000;
    if (due > 0 && due < wait) wait = due;
  }
  refreshTimer = setTimeout(refresh, wait);
}

function useOrigin(next, { push = true } = {}) {
  origin = next;
  writeUrl({ push });
  showChosenArea();
  return refresh();
}

// The browser's own timeout does not run while the permission prompt is open,
// so a second timer guarantees the page never waits longer than GEO_TIMEOUT_MS.
// A failure only says so: the area picker is already on the page, so nothing moves.
function locate() {
  if (!("geolocation" in navigator)) {
    setStatus(labels.noGeolocation, true);
    return;
  }
  setStatus(labels.locating);
  locateButton.disabled = true;
  let settled = false;
  const settle = () => {
    if (settled) return false;
    settled = true;
    locateButton.disabled = false;
    clearTimeout(guard);
    return true;
  };
  const fail = (message) => {
    if (settle()) setStatus(message, true);
  };
  const guard = setTimeout(() => fail(labels.timeout), GEO_TIMEOUT_MS + 500);
  navigator.geolocation.getCurrentPosition(
    (fix) => {
      if (!settle()) return;
      setStatus(labels.located);
      position = {
        lat: fix.coords.latitude, lng: fix.coords.longitude, accuracy: fix.coords.accuracy, label: labels.yourPosition, kind: "position",
      };
      useOrigin(position, { push: false });
    },
    (error) => fail(error.code === 1 ? labels.denied : labels.timeout),
    { enableHighAccuracy: false, timeout: GEO_TIMEOUT_MS, maximumAge: 120000 },
  );
}

async function showMap() {
  mapBox.hidden = false;
  if (map) {
    map.invalidateSize();
    return;
  }
  try {
    await loadLeaflet(config.leafletJs, config.leafletCss);
  } catch (error) {
    mapNote.textContent = labels.mapUnavailable;
    return;
  }
  map = L.map(mapBox, { zoomControl: true }).setView(toDisplay({ wgs84: origin }, config.tilesGcj02), 13);
  const tiles = L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 });
  let tileErrors = 0;
  tiles.on("tileerror", () => {
    tileErrors += 1;
    if (tileErrors === 3) mapNote.textContent = labels.tilesFailed;
  });
  tiles.addTo(map);
  markers = L.layerGroup().addTo(map);
  // A tap on the map is another way to pick where you are.
  map.on("click", (event) => {
    const [lat, lng] = fromDisplay(event.latlng.lat, event.latlng.lng, config.tilesGcj02);
    setStatus(labels.pickedOnMap);
    useOrigin({ lat, lng, label: labels.pointOnMap, kind: "area" });
  });
  renderMarkers();
}

// The phone's map view hides the list: the far hint's words go above the map instead.
function renderMapFar() {
  mapFar.textContent = far ? far.text : "";
  mapFar.hidden = !far || !list.hidden;
}

function setView(which) {
  const wantMap = which === "map";
  listButton.setAttribute("aria-pressed", String(!wantMap));
  mapButton.setAttribute("aria-pressed", String(wantMap));
  list.hidden = wantMap;
  renderMapFar();
  if (wantMap) showMap().then(() => mapBox.scrollIntoView({ block: "nearest" }));
  else if (!window.matchMedia("(min-width: 900px)").matches) mapBox.hidden = true;
}

areas.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-lat]");
  if (!link) return;
  event.preventDefault();
  // Fold the list of areas away: the stations come right after it.
  areas.open = false;
  setStatus(`${labels.from} ${link.dataset.label}`);
  useOrigin({ lat: Number(link.dataset.lat), lng: Number(link.dataset.lng), label: link.dataset.label, kind: "area" });
});
// The far hint's "pick your area" opens the picker where it is, above the list.
list.addEventListener("click", (event) => {
  if (!event.target.closest("a[data-pick-area]")) return;
  event.preventDefault();
  areas.open = true;
  areas.scrollIntoView({ behavior: "smooth", block: "start" });
  areas.querySelector("summary").focus({ preventScroll: true });
});
document.getElementById("pick-on-map").addEventListener("click", () => {
  areas.open = false;
  setView("map");
  mapBox.scrollIntoView({ behavior: "smooth", block: "start" });
  setStatus(labels.tapMap);
});
filters.addEventListener("change", () => {
  writeUrl();
  refresh();
});
filters.addEventListener("submit", (event) => {
  event.preventDefault();
  writeUrl();
  refresh();
});
window.addEventListener("popstate", () => {
  readUrl();
  refresh();
});
locateButton.addEventListener("click", locate);
listButton.addEventListener("click", () => setView("list"));
mapButton.addEventListener("click", () => setView("map"));
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") refresh();
});

document.documentElement.classList.add("js");
if (window.matchMedia("(min-width: 900px)").matches) showMap();
if (origin.kind === "area") scheduleRefresh();
else locate();
