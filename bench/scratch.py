"""Scratch databases for benchmarks: each run measures in a child process on a
fresh SQLite file and a fresh PostgreSQL database, both removed afterwards."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD_TIMEOUT_S = 900
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def run_child(script: str, label: str, database_url: str) -> int:
    """Re-run `script --child label` with DATABASE_URL pointing at the scratch database."""
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "fieldapp.project.settings", "DEBUG": "true"}
    env.pop("REDIS_URL", None)
    print(f"\n[{label}]", flush=True)
    try:
        result = subprocess.run([sys.executable, script, "--child", label], cwd=ROOT, env=env, timeout=CHILD_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        print(f"[{label}] gave up after {CHILD_TIMEOUT_S}s", flush=True)
        return 1
    return result.returncode


def run_on_scratch_databases(script: str, wanted: list[str], *, prefix: str) -> int:
    """Run the script's child on each wanted database ("sqlite", "postgres"); OR of their exit codes."""
    status = 0
    if "sqlite" in wanted:
        scratch = Path(tempfile.mkdtemp(prefix=f"{prefix}-"))
        try:
            status |= run_child(script, "sqlite", f"sqlite:///{scratch / 'bench.sqlite3'}")
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    if "postgres" in wanted:
        status |= _run_postgres(script, prefix=prefix)
    return status


def _run_postgres(script: str, *, prefix: str) -> int:
    try:
        import psycopg

        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001 - a laptop without PostgreSQL still gets the SQLite figures
        print(f"\n[postgres] not available at {PG_ADMIN_URL}: {exc}", flush=True)
        return 0
    name = f"{prefix.replace('-', '_')}_{os.getpid()}"
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        return run_child(script, "postgres", f"{base}/{name}")
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
