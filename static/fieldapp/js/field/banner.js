// The banner and the alerts for a new, withdrawn or cancelled job.

import { fill } from "../../../common/js/ui.js";
import * as alerts from "../alerts.js";
import { L, config, elements, jobOf, state } from "./state.js";

export function summaryOf(assignment) {
  const job = jobOf(assignment);
  const kind = config.kinds[job.kind] || job.kind || "";
  return [kind, job.summary, job.address].filter(Boolean).join(" · ");
}

// "任务已撤销：<the dispatcher's reason>", wherever the phone learns of a cancelled job.
export function cancelledText(job) {
  return job && job.cancel_reason ? fill(L.jobCancelledBecause, { reason: job.cancel_reason }) : L.jobCancelled;
}

export function showCancelled(job) {
  showBanner(cancelledText(job), summaryOf({ job }), false);
}

export function showBanner(title, body, urgent) {
  elements.bannerTitle.textContent = title;
  elements.bannerBody.textContent = body;
  elements.banner.classList.toggle("urgent", urgent);
  elements.bannerShow.textContent = urgent ? L.show : L.ok;
  elements.banner.hidden = false;
}

export function hideBanner() {
  elements.banner.hidden = true;
}

export function maybeAnnounce(assignment) {
  if (assignment.status !== "dispatched" || state.announced.has(assignment.id)) return;
  state.announced.add(assignment.id);
  const title = `${L.newAssignment} ${jobOf(assignment).number || ""}`.trim();
  showBanner(title, summaryOf(assignment), true);
  alerts.announce(title, summaryOf(assignment));
}

export function setupBanner() {
  elements.bannerShow.addEventListener("click", () => {
    hideBanner();
    const card = elements.current.querySelector(".assignment");
    if (card) {
      card.scrollIntoView({ block: "start", behavior: "smooth" });
      const button = card.querySelector(".step-btn");
      if (button) button.focus({ preventScroll: true });
    }
  });
}

export function setupAlertsQuestion() {
  alerts.unlockAudioOnFirstGesture();
  if (!alerts.shouldAsk()) return;
  elements.alertsAsk.hidden = false;
  document.getElementById("alerts-enable").addEventListener("click", async () => {
    elements.alertsAsk.hidden = true;
    await alerts.enableAlerts();
  });
  document.getElementById("alerts-later").addEventListener("click", () => {
    alerts.rememberAsked();
    elements.alertsAsk.hidden = true;
  });
}
