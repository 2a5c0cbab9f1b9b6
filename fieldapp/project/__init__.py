"""Project wiring: settings, ASGI, URLs and WebSocket routing. It imports the apps; no app imports it."""
