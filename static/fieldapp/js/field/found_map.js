// The small map of the found-on-patrol form: the officer drags the marker (or
// taps the map) to correct the phone's last fix, then keeps the point.
//
// The map is an extra, never a requirement: Leaflet loads only when the
// officer opens it, and if Leaflet or the tiles cannot load (offline, weak
// network) the form says plainly that the last fix is used. The box has a
// fixed height before, while and after loading, so nothing below it moves.
// Points leave this module as WGS-84; the tiles may be GCJ-02 (settings).

import { h } from "../../../common/js/ui.js";
import { fromDisplay, loadLeaflet, toDisplay } from "../../../common/js/map.js";

// A few tiles failing is a weak network; this many is no tiles at all.
const TILE_ERRORS_BEFORE_NOTE = 3;

// The panel, ready to put in the form. open(point) shows it centred on a
// WGS-84 {lat, lng}; onUse({lat, lng}) gets the kept point; onClose() runs when
// the panel closes without one.
export function createFoundMap({ config, onUse, onClose }) {
  const L = config.labels.found;
  const settings = config.map;
  const box = h("div", { class: "found-map-box", "data-map": "loading" }, h("p", { class: "found-map-status" }, L.mapLoading));
  const note = h("p", { class: "found-map-note", "aria-live": "polite" }, L.mapHint);
  const use = h("button", { type: "button", class: "btn btn-primary btn-block found-map-use", disabled: true }, L.mapUse);
  const close = h("button", { type: "button", class: "btn btn-block found-map-close" }, L.mapClose);
  const panel = h("div", { class: "found-map", hidden: true }, box, note, use, close);
  const view = { map: null, marker: null, point: null };

  function place(displayLatLng) {
    view.marker.setLatLng(displayLatLng);
    const [lat, lng] = fromDisplay(displayLatLng.lat, displayLatLng.lng, settings.tilesGcj02);
    view.point = { lat, lng };
    box.dataset.moved = "true";
  }

  function unavailable(text) {
    box.dataset.map = "failed";
    box.replaceChildren(h("p", { class: "found-map-status bad" }, text));
    note.textContent = "";
    use.disabled = true;
  }

  async function build(centre) {
    let leaflet;
    try {
      leaflet = await loadLeaflet(settings.leafletJs, settings.leafletCss);
    } catch (error) {
      unavailable(L.mapUnavailable);
      return;
    }
    if (panel.hidden) return;
    box.replaceChildren();
    view.map = leaflet.map(box, { zoomControl: true, attributionControl: true }).setView(centre, settings.zoom);
    const tiles = leaflet.tileLayer(settings.tileUrl, { attribution: settings.attribution, maxZoom: 19 });
    let tileErrors = 0;
    tiles.on("tileerror", () => {
      tileErrors += 1;
      if (tileErrors === TILE_ERRORS_BEFORE_NOTE) {
        note.textContent = L.tilesFailed;
        note.classList.add("bad");
        box.dataset.tiles = "failed";
      }
    });
    tiles.addTo(view.map);
    view.marker = leaflet.marker(centre, { draggable: true, autoPan: true, keyboard: true, title: L.mapMarker }).addTo(view.map);
    view.marker.on("dragend", () => place(view.marker.getLatLng()));
    view.map.on("click", (event) => place(event.latlng));
    box.dataset.map = "ready";
    use.disabled = false;
  }

  function open(point) {
    panel.hidden = false;
    view.point = { lat: point.lat, lng: point.lng };
    delete box.dataset.moved;
    const centre = toDisplay({ wgs84: point }, settings.tilesGcj02);
    if (view.map) {
      view.map.invalidateSize();
      view.map.setView(centre, settings.zoom);
      view.marker.setLatLng(centre);
      use.disabled = false;
    } else {
      // Again after a failure too: the network may be back.
      box.dataset.map = "loading";
      box.replaceChildren(h("p", { class: "found-map-status" }, L.mapLoading));
      note.textContent = L.mapHint;
      note.classList.remove("bad");
      build(centre);
    }
    panel.scrollIntoView({ block: "nearest" });
  }

  function hide() {
    panel.hidden = true;
  }

  use.addEventListener("click", () => {
    if (!view.point) return;
    hide();
    onUse({ ...view.point });
  });
  close.addEventListener("click", () => {
    hide();
    onClose();
  });
  return { panel, open, hide };
}
