"""Things the fault tests break on purpose: a Redis of their own, and a phone that follows the feed contract.

Nothing here touches the shared Redis or PostgreSQL servers: a fault test
starts its own redis-server on a free loopback port and stops it itself.
"""
from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable
from typing import Any

import websockets

from tests.live import ARTIFACTS, LiveServer, free_port, process_stop

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def wait_until(check: Callable[[], Any], what: str, timeout: float = 20, every: float = 0.05) -> Any:
    """Poll `check` until it returns something true, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class RedisServer:
    """A redis-server of the test's own on a free port, with nothing saved to disk."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None
        ARTIFACTS.mkdir(exist_ok=True)
        self.log_path = ARTIFACTS / f"redis-{self.port}.log"
        self.start()

    def start(self) -> None:
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                stdout=log, stderr=subprocess.STDOUT,
            )
        wait_until(self.answers, f"redis-server on port {self.port}", timeout=10)

    def answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except Exception:  # noqa: BLE001
            return False

    def clients(self) -> int:
        import redis

        return int(redis.Redis(port=self.port).info("clients")["connected_clients"])

    def stop(self) -> None:
        if self.process is None:
            return
        process_stop(self.process)
        self.process = None

    def restart(self) -> None:
        """Stop and start again on the same port: every pooled connection is dead, the data gone."""
        self.stop()
        self.start()


async def in_thread(function: Callable[[], Any]) -> Any:
    """Run ORM code from an async test, closing the thread's database connection after it.

    A connection left open in an executor thread would keep the test database
    from being dropped at the end of the session.
    """
    from django.db import connection

    def run() -> Any:
        try:
            return function()
        finally:
            connection.close()

    return await asyncio.to_thread(run)


class TcpProxy:
    """Forwards a free loopback port to `target_port`; `refuse()` closes the port and cuts every connection.

    A server pointed at the proxy sees its database go away while the real
    one, shared with other tests, runs on untouched.
    """

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self.listener.accept()
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                return
            with self.lock:
                self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def refuse(self) -> None:
        # shutdown() first: a bare close() leaves the port listening while accept() blocks on it.
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        with self.lock:
            for end in self.sockets:
                try:
                    end.shutdown(socket.SHUT_RDWR)
                    end.close()
                except OSError:
                    pass


def http_get(url: str, timeout: float = 10, *, token: str | None = None) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        body = error.read()
        try:
            return error.code, json.loads(body)
        except ValueError:
            return error.code, {"body": body.decode(errors="replace")[:500]}


def post_json(url: str, body: dict[str, Any], token: str, timeout: float = 30) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {"body": error.read().decode(errors="replace")[:500]}


class Phone:
    """An officer's phone on /ws/field/, as the field page behaves: resume after the last seq, ack everything.

    `frames` holds every feed frame in the order it arrived, across reconnects,
    so a test can count each seq exactly once.
    """

    def __init__(self, cookie: str) -> None:
        self.cookie = cookie
        self.last_seq = 0
        self.frames: list[dict[str, Any]] = []
        self.acked: list[int] = []
        self.socket: Any = None
        self.resumed: dict[str, Any] | None = None

    async def connect(self, server: LiveServer, *, timeout: float = 10, **options: Any) -> dict[str, Any]:
        self.socket = await websockets.connect(
            f"{server.ws_url}/ws/field/", origin=server.url,
            additional_headers={"Cookie": f"sessionid={self.cookie}"}, open_timeout=timeout, **options,
        )
        hello = json.loads(await asyncio.wait_for(self.socket.recv(), timeout))
        assert hello["type"] == "hello", hello
        await self.socket.send(json.dumps({"type": "resume", "after": self.last_seq}))
        while True:
            frame = await self.next_frame(timeout)
            if frame["type"] == "resumed":
                self.resumed = frame
                for seq in frame.get("ack_again", []):
                    await self.ack(seq)
                return frame

    async def ack(self, seq: int) -> None:
        await self.socket.send(json.dumps({"type": "ack", "seq": seq}))
        self.acked.append(seq)

    async def next_frame(self, timeout: float = 10) -> dict[str, Any]:
        """The next frame; a feed frame is recorded and acked first, as the page does."""
        frame = json.loads(await asyncio.wait_for(self.socket.recv(), timeout))
        if "seq" in frame:
            self.frames.append(frame)
            await self.ack(frame["seq"])
            self.last_seq = max(self.last_seq, frame["seq"])
        return frame

    async def connect_with_retries(self, servers: list[LiveServer], *, deadline_s: float = 30) -> dict[str, Any]:
        """Reconnect as LiveSocket does (short backoff here), to whichever server answers."""
        deadline = time.monotonic() + deadline_s
        attempt = 0
        while True:
            server = servers[attempt % len(servers)]
            try:
                return await self.connect(server, timeout=5)
            except (TimeoutError, OSError, websockets.WebSocketException, AssertionError):
                attempt += 1
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(min(1.0, 0.05 * 2**attempt))

    async def follow(self, servers: list[LiveServer], until: Callable[[], Awaitable[bool]], *,
                     deadline_s: float = 60) -> None:
        """Read frames, reconnecting when the socket dies, until `await until()` holds."""
        deadline = time.monotonic() + deadline_s
        while not await until():
            if time.monotonic() > deadline:
                raise AssertionError(f"phone gave up; saw seqs {[f['seq'] for f in self.frames]}")
            try:
                await self.next_frame(timeout=1)
            except TimeoutError:
                continue
            except websockets.ConnectionClosed:
                await self.connect_with_retries(servers, deadline_s=max(1.0, deadline - time.monotonic()))

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()

    def seqs(self) -> list[int]:
        return [frame["seq"] for frame in self.frames]
