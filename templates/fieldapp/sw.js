// Luchang service worker: caches the app shell so pages start without a network.
// Pages are fetched network-first (they carry live data); static files cache-first.
const CACHE = "luchang-shell-v2";
const SHELL = {{ shell|safe }};
// Paths the server names (reversed in fieldapp/project/pages.py).
const NETWORK_ONLY = {{ network_only|safe }};
const STATIC_PREFIX = {{ static_prefix|safe }};
const HOME = {{ home|safe }};
const FIELD = {{ field|safe }};
// app.3f2a9c0d1b7e.js: a name ManifestStaticFilesStorage gave (12 hex digits).
const HASHED = /\.[0-9a-f]{12}\.[a-z0-9]+$/;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith("luchang-shell-") && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (NETWORK_ONLY.some((prefix) => url.pathname.startsWith(prefix))) return;
  if (url.pathname.startsWith(STATIC_PREFIX) && !HASHED.test(url.pathname)) {
    // An unhashed static file (STATIC_MANIFEST off, as in development) may have changed, and an
    // old module from the cache beside new ones can stop the page starting: the network first,
    // the cache without one.
    event.respondWith(networkFirst(request, () => Response.error()));
    return;
  }
  if (url.pathname.startsWith(STATIC_PREFIX)) {
    // A hashed name never changes what it holds (modules import each other by hashed name,
    // common/staticfiles.py). Stale-while-revalidate: answer from the cache at once (weak
    // network), and refresh the copy behind it.
    event.respondWith(
      caches.open(CACHE).then((cache) => cache.match(request).then((hit) => {
        const refresh = fetch(request).then((response) => {
          if (response.ok) cache.put(request, response.clone());
          return response;
        });
        if (hit) {
          event.waitUntil(refresh.catch(() => undefined));
          return hit;
        }
        return refresh;
      }))
    );
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(networkFirst(request, () => caches.match(HOME)));
  }
});

// The network's answer, kept for later; without a network the kept copy, or `otherwise()`.
function networkFirst(request, otherwise) {
  return fetch(request).then((response) => {
    if (response.ok) {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(request, copy));
    }
    return response;
  }).catch(() => caches.match(request).then((hit) => hit || otherwise()));
}

// A Web Push (fieldapp/notify/webpush.py) while the page sleeps: the job's kind,
// summary and distance. Its link is opened on this origin, whatever host the server named.
self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (error) {
    message = {};
  }
  const link = new URL(message.url || FIELD, self.location.origin);
  event.waitUntil(self.registration.showNotification(message.title || "", {
    body: message.body || "",
    tag: `luchang-assignment-${message.assignment_id || ""}`,
    renotify: true,
    requireInteraction: true,
    data: { url: link.pathname + link.search },
  }));
});

// Tapping a "new job" notification brings the field page to the front.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = (event.notification.data && event.notification.data.url) || FIELD;
  const path = new URL(target, self.location.origin).pathname;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((client) => new URL(client.url).pathname === path);
      return open ? open.focus() : self.clients.openWindow(target);
    })
  );
});
