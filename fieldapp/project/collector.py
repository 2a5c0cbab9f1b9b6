"""How a server process sets Python's garbage collector up once it has loaded: asgi.py calls it.

Everything loaded by then (Django, the apps, the URL patterns, the translations) lives as
long as the process. Frozen, the collector's full passes leave it out: they run on the
event loop, between every socket's frames, while a thousand sockets make short-lived
objects. And they come less often: with 500 sockets on a process, a full pass took
40-100 ms a few times a minute under position load and stalled every socket while it ran
(bench/bench_ingest.py, two Daphnes over Redis, dispatch -> phone p99 85 -> 28 ms). A young
pass runs every GC_THRESHOLD_0 allocations instead of Python's 700; what those passes free
is mostly frames' dicts, so memory grows by little.

The benchmarks' in-process figures call it too, so that they time the Django stack in a
process set up as the server's is.
"""
from __future__ import annotations

import gc

from django.conf import settings


def tune_collector() -> None:
    gc.freeze()
    gc.set_threshold(settings.GC_THRESHOLD_0, *gc.get_threshold()[1:])
