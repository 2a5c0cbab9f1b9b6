// Shared page bootstrap: registers the service worker that caches the app shell.
if ("serviceWorker" in navigator && window.isSecureContext) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
      // The app works without the worker; it only adds offline start-up.
    });
  });
}
