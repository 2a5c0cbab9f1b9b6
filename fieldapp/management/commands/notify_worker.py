"""Run the escalation worker in the foreground (several may run; each due step goes to one).

It also runs the housekeeping a Daphne runs beside its worker (fieldapp/housekeeping.py): the road-work
windows are stored as they end.
"""
from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from fieldapp import housekeeping
from fieldapp.notify.worker import serve, worker_name


class Command(BaseCommand):
    help = "Send due dispatch notifications (SMS, voice, WeCom, Web Push) until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--name", default="", help="Worker name stored on the steps it claims.")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        name = options["name"] or worker_name()
        self.stdout.write(f"notify worker {name}", ending="\n")
        self.stdout.flush()
        housekeeping.start_in_background(stop)
        serve(stop=stop, name=name)
