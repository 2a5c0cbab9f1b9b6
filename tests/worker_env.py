"""Loaded with `-p tests.worker_env`, before Django reads its settings.

Under pytest-xdist every worker is a process of its own, with its own test
database (see django_db_modify_db_settings). The Redis server is shared, so
each worker, and every Daphne it starts, also gets channel-layer keys of its
own: otherwise officer 1 of one worker's database would hear officer 1 of
another's.
"""
from __future__ import annotations

import os

# The test process and the servers it starts open a connection per use, as the
# tests were written for; a test about the pool turns it on for its own server.
# Pooled servers kept for the whole session would hold more connections than
# PostgreSQL allows for three workers' servers.
os.environ.setdefault("DATABASE_POOL", "false")
_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker:
    os.environ["REDIS_PREFIX"] = f"luchang-test-{_worker}"
