// The desk's congestion points: a map layer and the table, redrawn from the
// server's shapes every refreshMs (coverage, who is there, the flag).
import { getJson } from "../../../common/js/http.js";
import { h, pageConfig } from "../../../common/js/ui.js";

const config = pageConfig();
const body = document.getElementById("points-body");
const map = L.map("points-map").setView(config.map.center, config.map.zoom);
L.tileLayer(config.map.tileUrl, { attribution: config.map.attribution, maxZoom: 19 }).addTo(map);
const circles = new Map();
const COLOURS = { covered: "#1a7f37", uncovered: "#c0392b", flagged: "#d35400", none: "#7f8c8d" };

function drawMap(points) {
  for (const point of points) {
    let circle = circles.get(point.id);
    if (!circle) {
      circle = L.circle([point.lat, point.lng], { radius: point.radius_m }).addTo(map);
      circles.set(point.id, circle);
    }
    circle.setStyle({ color: COLOURS[point.coverage], fillOpacity: 0.25 });
    circle.bindTooltip(`${point.name} · ${point.coverage_text} · ${point.present_text}`);
    circle.getElement()?.setAttribute("data-coverage", point.coverage);
  }
  if (points.length && !drawMap.fitted) {
    map.fitBounds(L.featureGroup([...circles.values()]).getBounds().pad(0.2));
    drawMap.fitted = true;
  }
}

function drawRow(point) {
  const row = body.querySelector(`tr[data-point="${point.id}"]`);
  if (!row) return;
  const coverage = row.querySelector("[data-coverage]");
  coverage.dataset.coverage = point.coverage;
  coverage.replaceChildren(h("span", { class: `coverage coverage-${point.coverage}` }, point.coverage_text));
  row.querySelector("[data-present]").textContent = point.present_text;
  row.querySelector("[data-traffic]").textContent = point.traffic_label;
}

async function refresh() {
  try {
    const points = await getJson(config.urls.points);
    points.forEach(drawRow);
    drawMap(points);
  } catch (error) {
    // The next round tries again; the table keeps what it last showed.
  }
}

drawMap(config.points);
setInterval(refresh, config.refreshMs);
