"""The Redis channel layer carries a message between two separate processes."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from tests.helpers import REDIS_TEST_URL, redis_available, require

pytestmark = pytest.mark.multiprocess

ROOT = Path(__file__).resolve().parent.parent

RECEIVER = textwrap.dedent(
    """
    import asyncio, sys
    import django
    django.setup()
    from channels.layers import get_channel_layer

    async def main():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(sys.argv[1], channel)
        print("READY", flush=True)
        message = await asyncio.wait_for(layer.receive(channel), timeout=20)
        print("GOT", message["text"], flush=True)

    asyncio.run(main())
    """
)

SENDER = textwrap.dedent(
    """
    import asyncio, sys
    import django
    django.setup()
    from channels.layers import get_channel_layer

    async def main():
        await get_channel_layer().group_send(sys.argv[1], {"type": "probe", "text": sys.argv[2]})

    asyncio.run(main())
    """
)


def test_redis_layer_carries_a_group_message_between_processes():
    require(redis_available(), f"Redis at {REDIS_TEST_URL}")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "fieldapp.project.settings", "REDIS_URL": REDIS_TEST_URL,
           "REDIS_PREFIX": f"luchang-test-{uuid.uuid4().hex[:8]}"}
    group = "probe.group"
    text = f"你好-{uuid.uuid4().hex}"
    receiver = subprocess.Popen([sys.executable, "-c", RECEIVER, group], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert receiver.stdout.readline().strip() == "READY"
        subprocess.run([sys.executable, "-c", SENDER, group, text], cwd=ROOT, env=env, check=True, timeout=30)
        out, err = receiver.communicate(timeout=30)
    finally:
        receiver.kill()
    assert out.strip() == f"GOT {text}", err
    assert receiver.returncode == 0
