// Shared page bootstrap: registers the service worker that caches the app shell.
// Its URL and scope come from the page (base.html reverses them).
const script = document.querySelector("script[data-service-worker]");
if (script && "serviceWorker" in navigator && window.isSecureContext) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register(script.dataset.serviceWorker, { scope: script.dataset.scope }).catch(() => {
      // The app works without the worker; it only adds offline start-up.
    });
  });
}
