// Citizens' finder: position (10 s at most), else an area picked from a list or the map;
// nearest stations first; list and a lazily loaded Leaflet map. The server already
// rendered a useful list, so everything here is an improvement, never a requirement.
import { loadLeaflet, toDisplay, fromDisplay } from "./map.js";

const config = JSON.parse(document.getElementById("finder-config").textContent);
const labels = config.labels;
const GEO_TIMEOUT_MS = config.geolocationTimeoutMs || 10000;

const status = document.getElementById("locate-status");
const locateButton = document.getElementById("locate-button");
const areas = document.getElementById("areas");
const list = document.getElementById("station-list");
const originText = document.getElementById("origin-text");
const filters = document.getElementById("filters");
const mapBox = document.getElementById("finder-map");
const mapNote = document.getElementById("map-note");
const listButton = document.getElementById("show-list");
const mapButton = document.getElementById("show-map");

let origin = config.origin; // {lat, lng, label, kind: "centre" | "area" | "position"}
let stations = config.stations;
let map = null;
let markers = null;
let originMarker = null;
let refreshTimer = null;

function setStatus(text, isError = false) {
  status.textContent = text;
  status.classList.toggle("is-error", isError);
}

function formatDistance(metres) {
  if (metres == null) return "";
  if (metres < 1000) return `${Math.round(metres / 10) * 10} ${labels.m}`;
  return `${(metres / 1000).toFixed(metres < 10000 ? 1 : 0)} ${labels.km}`;
}

function svgIcon(name, extraClass = "") {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", `ico ${extraClass}`.trim());
  svg.setAttribute("aria-hidden", "true");
  const use = document.createElementNS(ns, "use");
  use.setAttribute("href", `#i-${name}`);
  svg.append(use);
  return svg;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key === "class") node.className = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

function amenityKeys(station) {
  return (station.amenities || []).map((item) => (typeof item === "string" ? item : item.code));
}

function stationUrl(station) {
  return config.stationUrl.replace("__slug__", encodeURIComponent(station.slug));
}

// Nearest first, but never a closed station above an open one (same rule as the server).
const STATE_RANK = { open: 0, unknown: 1, closed: 2 };
function openFirst(list) {
  return list
    .map((station, index) => ({ station, index }))
    .sort((a, b) => (STATE_RANK[a.station.open_state] ?? 1) - (STATE_RANK[b.station.open_state] ?? 1) || a.index - b.index)
    .map((item) => item.station);
}

function navigable(station) {
  return station.open_state !== "closed";
}

function amapUrl(station) {
  const { lat, lng } = station.wgs84;
  return `https://uri.amap.com/marker?position=${lng},${lat}&coordinate=wgs84&callnative=1&name=${encodeURIComponent(station.name)}`;
}

function stationCard(station) {
  const state = station.open_state || "unknown";
  const card = el("li", { class: `station-card${state === "closed" ? " is-closed" : ""}`, "data-slug": station.slug, "data-state": state });
  card.append(
    el("h3", {}, el("a", { href: stationUrl(station) }, station.name), el("span", { class: "distance" }, formatDistance(station.distance_m))),
    el("p", { class: `state state-${state}` }, el("span", { class: "state-badge" }, station.hours_text || labels.states[state] || state)),
  );
  if (station.address) card.append(el("p", { class: "address" }, station.address));
  const keys = amenityKeys(station);
  if (keys.length) {
    const ul = el("ul", { class: "amenities", "aria-label": labels.amenities });
    for (const key of keys) ul.append(el("li", {}, svgIcon(key), config.amenityLabels[key] || key));
    card.append(ul);
  }
  const actions = el("div", { class: "card-actions" });
  if (navigable(station)) {
    actions.append(el("a", { class: "btn btn-primary", href: amapUrl(station), rel: "noopener" }, svgIcon("nav"), labels.navigate));
  }
  actions.append(el("a", { class: "btn btn-secondary", href: stationUrl(station) }, labels.details));
  card.append(actions);
  return card;
}

function renderList() {
  list.replaceChildren();
  if (!stations.length) {
    list.append(el("li", { class: "empty" }, labels.none));
  } else {
    for (const station of stations) list.append(stationCard(station));
  }
  originText.textContent = origin.kind === "position" ? labels.fromPosition : `${labels.from} ${origin.label}`;
  renderMarkers();
}

let fittedFor = "";

function renderMarkers() {
  if (!map) return;
  markers.clearLayers();
  const colours = { open: "#0b6b2b", closed: "#b00020", unknown: "#8a4b00" };
  for (const station of stations) {
    const [lat, lng] = toDisplay(station, config.tilesGcj02);
    const marker = L.circleMarker([lat, lng], { radius: 11, weight: 3, color: "#000", fillColor: colours[station.open_state] || colours.unknown, fillOpacity: 1 });
    const popup = el("div", {}, el("strong", {}, station.name), el("br"), `${labels.states[station.open_state] || ""} · ${station.hours_text || ""}`, el("br"), el("a", { href: stationUrl(station) }, labels.details));
    marker.bindPopup(popup);
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

function filterQuery() {
  const params = new URLSearchParams();
  const data = new FormData(filters);
  if (data.get("open_now")) params.set("open_now", "1");
  for (const amenity of data.getAll("amenity")) params.append("amenity", amenity);
  return params;
}

async function refresh() {
  const params = filterQuery();
  params.set("lat", origin.lat.toFixed(6));
  params.set("lng", origin.lng.toFixed(6));
  params.set("limit", String(config.limit));
  list.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(`${config.apiUrl}?${params}`, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(String(response.status));
    const body = await response.json();
    stations = openFirst(Array.isArray(body) ? body : body.results || []);
    renderList();
    scheduleRefresh();
  } catch (error) {
    setStatus(labels.offline, true);
  } finally {
    list.removeAttribute("aria-busy");
  }
}

// Open states change at known times; refresh then, and at least every 30 seconds
// so a manager's "closed now" reaches a phone that keeps the page open.
function scheduleRefresh() {
  clearTimeout(refreshTimer);
  let wait = 30000;
  for (const station of stations) {
    if (!station.next_change) continue;
    const due = Date.parse(station.next_change) - Date.now() + 2000;
    if (due > 0 && due < wait) wait = due;
  }
  refreshTimer = setTimeout(refresh, wait);
}

function useOrigin(next, { push = true } = {}) {
  origin = next;
  if (push) {
    const url = new URL(window.location.href);
    if (next.kind === "area") {
      url.searchParams.set("lat", next.lat.toFixed(5));
      url.searchParams.set("lng", next.lng.toFixed(5));
      url.searchParams.set("area", next.label);
    } else {
      for (const key of ["lat", "lng", "area"]) url.searchParams.delete(key);
    }
    history.replaceState(null, "", url);
  }
  for (const link of areas.querySelectorAll("a[data-lat]")) {
    link.setAttribute("aria-current", String(next.kind === "area" && link.dataset.label === next.label));
  }
  return refresh();
}

function showAreas() {
  areas.hidden = false;
}

// The browser's own timeout does not run while the permission prompt is open,
// so a second timer guarantees the page never waits longer than 10 seconds.
function locate() {
  if (!("geolocation" in navigator)) {
    setStatus(labels.noGeolocation, true);
    showAreas();
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
    if (!settle()) return;
    setStatus(message, true);
    showAreas();
  };
  const guard = setTimeout(() => fail(labels.timeout), GEO_TIMEOUT_MS + 500);
  navigator.geolocation.getCurrentPosition(
    (position) => {
      if (!settle()) return;
      setStatus(labels.located);
      useOrigin({ lat: position.coords.latitude, lng: position.coords.longitude, label: labels.yourPosition, kind: "position" });
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

function setView(which) {
  const wantMap = which === "map";
  listButton.setAttribute("aria-pressed", String(!wantMap));
  mapButton.setAttribute("aria-pressed", String(wantMap));
  list.hidden = wantMap;
  if (wantMap) showMap().then(() => mapBox.scrollIntoView({ block: "nearest" }));
  else if (!window.matchMedia("(min-width: 900px)").matches) mapBox.hidden = true;
}

areas.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-lat]");
  if (!link) return;
  event.preventDefault();
  setStatus(`${labels.from} ${link.dataset.label}`);
  useOrigin({ lat: Number(link.dataset.lat), lng: Number(link.dataset.lng), label: link.dataset.label, kind: "area" });
});
document.getElementById("pick-on-map").addEventListener("click", () => {
  setView("map");
  mapBox.scrollIntoView({ behavior: "smooth", block: "start" });
  setStatus(labels.tapMap);
});
filters.addEventListener("change", () => refresh());
filters.addEventListener("submit", (event) => {
  event.preventDefault();
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
if (origin.kind === "area") {
  showAreas();
  setStatus(`${labels.from} ${origin.label}`);
  scheduleRefresh();
} else {
  locate();
}
