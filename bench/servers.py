"""Servers a benchmark starts and stops itself, on loopback and free ports: Daphne (redis-server is tests/faults.py's)."""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Seconds a server has to exit after SIGTERM before it is killed.
STOP_WAIT_S = 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Daphne:
    """One Daphne process on the benchmark's database (its SQLite file too), ready when /healthz answers."""

    def __init__(self, redis_url: str | None = None, *, env: dict[str, str] | None = None, wait: bool = True) -> None:
        from django.db import connection

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        server_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        server_env.pop("REDIS_URL", None)
        if connection.vendor == "sqlite":
            server_env["DATABASE_URL"] = f"sqlite:///{connection.settings_dict['NAME']}"
        if redis_url:
            server_env["REDIS_URL"] = redis_url
            server_env["REDIS_PREFIX"] = f"bench-{os.getpid()}"
        self.log = tempfile.NamedTemporaryFile(prefix="bench-daphne-", suffix=".log", delete=False)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "fieldapp.project.asgi:application"],
            cwd=ROOT, env=server_env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        if wait:
            self.wait_ready()

    def wait_ready(self) -> None:
        """Return once /healthz answers; stop the process and raise when it does not within 30 s."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):
                    return
            except Exception:  # noqa: BLE001 - not listening yet
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("daphne did not start")

    def stop(self) -> None:
        if self.log.closed:  # stopped already
            return
        self.process.terminate()
        killed = False
        try:
            self.process.wait(timeout=STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            # Said out loud: a production server that outlives SIGTERM is killed by its supervisor too.
            self.process.kill()
            self.process.wait()
            killed = True
        self.log.close()
        lines = Path(self.log.name).read_text(errors="replace").splitlines()
        if killed:
            print(f"    daphne on port {self.port} was still running {STOP_WAIT_S} s after SIGTERM: killed"
                  + (f" (its last line: {lines[-1][:200]})" if lines else ""), flush=True)
        errors = [line for line in lines if "Error" in line]
        if errors:
            print(f"    daphne on port {self.port} logged errors, e.g.: {errors[-1]}", flush=True)
        os.unlink(self.log.name)


def get_times(url: str, count: int, *, headers: dict[str, str] | None = None) -> list[float]:
    """Seconds each of `count` GETs of url takes, a new connection each (as every other request here)."""
    samples = []
    for _ in range(count):
        request = urllib.request.Request(url, headers=headers or {})
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
        samples.append(time.perf_counter() - started)
    return samples


@contextlib.contextmanager
def two_daphnes_over_redis(title: str) -> Iterator[tuple[Daphne, Daphne] | None]:
    """Two Daphnes sharing a redis-server of this run's own (None when redis-server is not installed); all stopped after."""
    if shutil.which("redis-server") is None:
        print(f"  (redis-server is not installed: {title} is left out)", flush=True)
        yield None
        return
    from tests.faults import RedisServer  # the fault tests' own: a redis-server on a free port

    redis = RedisServer()
    print(f"  {title}: redis-server of its own on port {redis.port}, Daphnes A and B", flush=True)
    try:
        # Both start side by side: one core each.
        server_a = Daphne(redis.url, wait=False)
        try:
            server_b = Daphne(redis.url, wait=False)
            try:
                server_a.wait_ready()
                server_b.wait_ready()
                yield server_a, server_b
            finally:
                server_b.stop()
        finally:
            server_a.stop()
    finally:
        redis.stop()
