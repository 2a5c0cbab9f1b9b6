"""Loaded with `-p tests.worker_env`, before Django reads its settings.

Under pytest-xdist every worker is a process of its own, with its own test
database (see django_db_modify_db_settings). The Redis server is shared, so
each worker, and every Daphne it starts, also gets channel-layer keys of its
own: otherwise officer 1 of one worker's database would hear officer 1 of
another's.
"""
from __future__ import annotations

import os

_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker:
    os.environ["REDIS_PREFIX"] = f"luchang-test-{_worker}"
