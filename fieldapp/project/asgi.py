"""ASGI entry point: HTTP goes to Django, WebSockets through origin check and auth."""
from __future__ import annotations

import gc
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fieldapp.project.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

# Django must be set up before anything imports models.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from common.websocket import SameOriginValidator, daphne_fails_with_close_frames  # noqa: E402
from fieldapp.project.routing import websocket_urlpatterns  # noqa: E402

daphne_fails_with_close_frames()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

from django.conf import settings  # noqa: E402

if settings.NOTIFY_WORKER_IN_PROCESS:
    # The escalation worker runs beside the server; with several processes the
    # stored timers' SKIP LOCKED claim hands each step to exactly one of them.
    from fieldapp.notify.worker import start_in_background  # noqa: E402

    start_in_background()

# Everything loaded so far (Django, the apps, the URL patterns, the translations) lives
# as long as the process. Frozen, the garbage collector's full passes leave it out: they
# run on the event loop, between every socket's frames, while a thousand sockets make
# short-lived objects.
gc.freeze()
# And they come less often. With 500 sockets on a process, a full pass took 40-100 ms, a
# few times a minute under position load, and stalled every socket's frames while it ran:
# the tail of dispatch -> phone (bench/bench_ingest.py, two Daphnes over Redis: p99 85 ->
# 30 ms). A young collection every GC_THRESHOLD_0 allocations instead of 700; the
# objects those passes free are mostly frames' dicts, so memory grows by little.
gc.set_threshold(settings.GC_THRESHOLD_0, *gc.get_threshold()[1:])
