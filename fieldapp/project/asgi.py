"""ASGI entry point: HTTP goes to Django, WebSockets through origin check and auth."""
from __future__ import annotations

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

from fieldapp.project.collector import tune_collector  # noqa: E402

# Last: what was loaded until here is frozen, and full passes come less often (collector.py).
tune_collector()
