"""Scratch databases for benchmarks: each run measures in a child process on a
fresh SQLite file and a fresh PostgreSQL database, both removed afterwards.

The child runs as production does (DEBUG off: no query log, cached templates),
on plain HTTP, with a secret key of its own that the servers it starts share.
Under QUICK=1 a script runs on PostgreSQL only, or on SQLite when there is no
PostgreSQL. bench/run.py migrates one PostgreSQL database first (BENCH_PG_TEMPLATE)
and every scratch database is a copy of it, so a child's migrate has nothing to do;
the scripts that start from `manage.py demo` get a copy of a second one on which it
has run (BENCH_PG_DEMO_TEMPLATE).
"""
from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from report import QUICK

ROOT = Path(__file__).resolve().parent.parent
CHILD_TIMEOUT_S = 900
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PRODUCTION_ON_HTTP = {
    "DEBUG": "false", "SECURE_SSL_REDIRECT": "false", "BEHIND_PROXY": "false", "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false", "STATIC_MANIFEST": "false", "NOTIFY_WORKER_IN_PROCESS": "false",
    # WhiteNoise warns about a missing STATIC_ROOT; static files play no part here.
    "PYTHONWARNINGS": "ignore:No directory at:UserWarning",
    # No figure is a login; a PBKDF2 hash costs half a second per demo user.
    "PASSWORD_HASHERS": "django.contrib.auth.hashers.MD5PasswordHasher",
}


def run_child(script: str, label: str, database_url: str, *, env: dict[str, str] | None = None) -> int:
    """Re-run `script --child label` with DATABASE_URL pointing at the scratch database."""
    child_env = {**os.environ, **PRODUCTION_ON_HTTP, "DATABASE_URL": database_url,
                 "DJANGO_SETTINGS_MODULE": "fieldapp.project.settings", "SECRET_KEY": f"bench-{secrets.token_urlsafe(32)}",
                 **(env or {})}
    child_env.pop("REDIS_URL", None)
    print(f"\n[{label}]", flush=True)
    try:
        result = subprocess.run([sys.executable, script, "--child", label], cwd=ROOT, env=child_env,
                                timeout=CHILD_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        print(f"[{label}] gave up after {CHILD_TIMEOUT_S}s", flush=True)
        return 1
    return result.returncode


def run_on_scratch_databases(script: str, wanted: list[str], *, prefix: str, demo: bool = False) -> int:
    """Run the script's child on each wanted database ("sqlite", "postgres"); OR of their exit codes.

    With no database named: both, or under QUICK=1 PostgreSQL alone (SQLite when it is not there).
    With demo, a PostgreSQL database may come with `manage.py demo` done (from BENCH_PG_DEMO_TEMPLATE);
    the child then finds BENCH_DEMO_LOADED=1 and need not run it.
    """
    if not wanted:
        wanted = (["postgres"] if postgres_answers() else ["sqlite"]) if QUICK else ["sqlite", "postgres"]
    status = 0
    if "sqlite" in wanted:
        scratch = Path(tempfile.mkdtemp(prefix=f"{prefix}-"))
        try:
            status |= run_child(script, "sqlite", f"sqlite:///{scratch / 'bench.sqlite3'}")
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    if "postgres" in wanted:
        status |= _run_postgres(script, prefix=prefix, demo=demo)
    return status


def postgres_answers() -> bool:
    try:
        import psycopg

        psycopg.connect(PG_ADMIN_URL, connect_timeout=3).close()
    except Exception as exc:  # noqa: BLE001 - a laptop without PostgreSQL still gets the SQLite figures
        print(f"[postgres] not available at {PG_ADMIN_URL}: {exc}", flush=True)
        return False
    return True


def _run_postgres(script: str, *, prefix: str, demo: bool) -> int:
    try:
        import psycopg

        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001 - a laptop without PostgreSQL still gets the SQLite figures
        print(f"\n[postgres] not available at {PG_ADMIN_URL}: {exc}", flush=True)
        return 0
    name = f"{prefix.replace('-', '_')}_{os.getpid()}"
    template = os.environ.get("BENCH_PG_TEMPLATE")
    env = {}
    if demo and os.environ.get("BENCH_PG_DEMO_TEMPLATE"):
        template = os.environ["BENCH_PG_DEMO_TEMPLATE"]
        env["BENCH_DEMO_LOADED"] = "1"
    try:
        admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return run_child(script, "postgres", postgres_url(name), env=env)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def postgres_url(name: str) -> str:
    return f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"


def make_templates(*, demo: bool) -> dict[str, str]:
    """Databases to copy for this run: migrated (BENCH_PG_TEMPLATE) and, with demo, after `manage.py demo`
    too (BENCH_PG_DEMO_TEMPLATE). The variables to set for the scripts; none without PostgreSQL."""
    if not postgres_answers():
        return {}
    made = {}
    steps = [("BENCH_PG_TEMPLATE", "migrate", None)]
    if demo:
        steps.append(("BENCH_PG_DEMO_TEMPLATE", "demo", f"bench_template_{os.getpid()}"))
    for variable, command, template in steps:
        name = f"bench_template_{os.getpid()}" + ("_demo" if command == "demo" else "")
        if not _database_after(name, command, template=template):
            break
        made[variable] = name
    return made


def _database_after(name: str, command: str, *, template: str | None) -> bool:
    """Create database `name` (a copy of `template`) and run `manage.py command` on it; whether that worked."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as admin:
        admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    env = {**os.environ, "DATABASE_URL": postgres_url(name), "DJANGO_SETTINGS_MODULE": "fieldapp.project.settings",
           "PASSWORD_HASHERS": PRODUCTION_ON_HTTP["PASSWORD_HASHERS"]}
    env.pop("REDIS_URL", None)
    result = subprocess.run([sys.executable, "manage.py", command, "--verbosity", "0"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL)
    if result.returncode != 0:
        drop_database(name)
        return False
    return True


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
