// Today's figures. The server counts the whole day (GET /api/v1/figures/); the
// job lists are capped and would miss the morning of a busy day. Changes ask
// for new figures at most every timers.figureThrottle milliseconds.

import { getJson } from "../../../common/js/http.js";
import { duration } from "../../../common/js/ui.js";
import { L, config, timers } from "./state.js";

let figures = null;
let figuresTimer = null;
let figuresLastAt = 0;

export async function loadFigures() {
  figuresLastAt = Date.now();
  try {
    figures = await getJson(config.urls.figures);
  } catch (error) {
    return; // keep the last figures; the next change or reconnect asks again
  }
  renderFigures();
}

export function scheduleFigures() {
  if (figuresTimer !== null) return;
  const wait = Math.max(0, figuresLastAt + timers.figureThrottle - Date.now());
  figuresTimer = setTimeout(() => {
    figuresTimer = null;
    loadFigures();
  }, wait);
}

export function renderFigures() {
  if (!figures) return;
  const set = (id, text, alarm = false) => {
    const node = document.getElementById(id);
    node.textContent = text;
    node.classList.toggle("alarm", alarm);
  };
  const medians = figures.median_s || {};
  set("fig-jobs", String(figures.jobs));
  set("fig-unreceived", String(figures.unreceived), figures.unreceived > 0);
  set("fig-accept", duration(medians.dispatch_accepted, L));
  set("fig-onscene", duration(medians.dispatch_on_scene, L));
  set("fig-clear", duration(medians.on_scene_cleared, L));
}
