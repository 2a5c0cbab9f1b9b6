// Creating a job: the form beside the map where its place is picked.

import { postJson } from "../../../common/js/http.js";
import { fill } from "../../../common/js/ui.js";
import { toggleCandidates } from "./candidates.js";
import { clearPlace } from "./map.js";
import { L, config, elements, errorText, hooks, notice, upsertJob } from "./state.js";

function problemsOf(data, lat, lng) {
  const problems = [];
  if (!String(data.get("summary") || "").trim()) problems.push(L.summaryRequired);
  if (!data.get("lat") || !data.get("lng") || !Number.isFinite(lat) || !Number.isFinite(lng)) problems.push(L.mustPlace);
  return problems;
}

function showFormError(message) {
  elements.formError.textContent = message;
  elements.formError.hidden = false;
}

export function setupJobForm() {
  elements.form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(elements.form);
    elements.formError.hidden = true;
    const lat = Number(data.get("lat"));
    const lng = Number(data.get("lng"));
    const problems = problemsOf(data, lat, lng);
    if (problems.length) {
      showFormError(problems.join(" "));
      return;
    }
    const body = {
      kind: data.get("kind"),
      priority: Number(data.get("priority")),
      summary: String(data.get("summary")).trim(),
      address: String(data.get("address") || "").trim(),
      description: String(data.get("description") || "").trim(),
      source: data.get("source"),
      lat,
      lng,
    };
    const submit = elements.form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      const response = await postJson(config.urls.jobs, body);
      if (!response.ok) {
        showFormError((response.data && response.data.detail) || errorText(response));
        return;
      }
      const job = upsertJob(response.data);
      notice(fill(L.created, { number: job.number }));
      elements.form.reset();
      clearPlace();
      hooks.renderAll();
      // Creating a job is almost always followed by sending someone.
      toggleCandidates(job.id, true);
    } catch (error) {
      showFormError(L.networkError);
    } finally {
      submit.disabled = false;
    }
  });
}
