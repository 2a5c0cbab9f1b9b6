// A job's step timeline on the desk: reported, each officer's steps, the
// record's times, the end. The server builds it in time order (DeskJob
// `timeline`); it is shown as it comes, with the city's clock (common/js/ui.js).

import { clock, exactClock, fill, h } from "../../../common/js/ui.js";
import { L } from "./state.js";
import { keptDetails } from "./records.js";

const T = L.timeline;

function stepName(step) {
  return T.steps[step.step] || step.step;
}

export function timelineDetail(job) {
  const steps = job.timeline || [];
  if (!steps.length) return null;
  const latest = steps[steps.length - 1];
  const summary = h("span", { class: "digest" },
    h("strong", {}, fill(T.title, { n: steps.length })), " · ",
    h("span", { class: "muted" }, fill(T.latest, { step: stepName(latest), time: clock(latest.at) }), latest.call_sign ? ` ${latest.call_sign}` : ""),
  );
  const list = h("ol", { class: "timeline-list" }, steps.map((step) => h("li", { "data-step": step.step, "data-step-officer": step.officer_id ?? "" },
    // Minutes on the line; the seconds when the pointer rests on it (steps often share a minute).
    h("time", { datetime: step.at, title: exactClock(step.at) }, clock(step.at)),
    h("span", { class: `tl-step tl-${step.step}` }, stepName(step)),
    h("span", { class: "tl-who" }, step.call_sign || ""),
  )));
  return keptDetails(`${job.id}:timeline`, { class: "job-detail timeline-detail", "data-detail": "timeline" }, summary, list);
}
