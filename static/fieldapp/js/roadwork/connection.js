// The connection bar of the road-work phone pages: the /field/ page's bar
// (_connection.html), told here by this page's own reach of the server, as
// these pages hold no live socket. The browser's online/offline events, the
// answers to the page's requests and, while the page is visible and
// otherwise quiet, a light probe (/healthz) set it.

import { showConnection } from "../../../common/js/ui.js";

// One failure may be a blip on a weak signal; a second in a row is offline.
const OFFLINE_AFTER_FAILURES = 2;

export function watchConnection({ labels, probeUrl, probeMs }) {
  const element = document.getElementById("connection");
  let failures = 0;
  let lastHeardMs = 0;
  const set = (status) => showConnection(element, status, labels);

  const connection = {
    // The server answered a request of this page (any status: it was reached).
    heard() {
      failures = 0;
      lastHeardMs = Date.now();
      set("online");
    },
    // A request of this page did not reach the server.
    lost() {
      failures += 1;
      set(navigator.onLine === false || failures >= OFFLINE_AFTER_FAILURES ? "offline" : "reconnecting");
    },
    async probe() {
      if (navigator.onLine === false) {
        failures = OFFLINE_AFTER_FAILURES;
        set("offline");
        return;
      }
      try {
        const response = await fetch(probeUrl, { cache: "no-store", credentials: "same-origin" });
        if (response.ok) connection.heard();
        else connection.lost();
      } catch (error) {
        connection.lost();
      }
    },
  };

  window.addEventListener("offline", () => set("offline"));
  window.addEventListener("online", () => connection.probe());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") connection.probe();
  });
  setInterval(() => {
    if (document.visibilityState === "visible" && Date.now() - lastHeardMs >= probeMs) connection.probe();
  }, probeMs);
  connection.probe();
  return connection;
}
