"""Settings come from the environment; production refuses unsafe defaults."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Each test starts manage.py in a process of its own, whatever the database under test.
pytestmark = pytest.mark.multiprocess

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3y-" + "x7Qp9vL2mZ8rT4wY6" * 4,
    "ALLOWED_HOSTS": "luchang.example.cn",
    "CSRF_TRUSTED_ORIGINS": "https://luchang.example.cn",
    "DATABASE_URL": "sqlite:////tmp/luchang-deploy-check.sqlite3",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_debug_off_without_secret_key_refuses_to_start():
    env = {**PRODUCTION}
    del env["SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_a_malformed_boolean_is_a_clear_error():
    result = manage("check", env={"DEBUG": "yes please"})
    assert result.returncode != 0
    assert "DEBUG must be true/false" in result.stderr


def test_redis_url_selects_the_redis_channel_layer():
    code = "from django.conf import settings; print(settings.CHANNEL_LAYERS['default']['BACKEND'])"
    result = manage("shell", "--no-imports", "-c", code, env={"REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert result.stdout.strip() == "channels_redis.core.RedisChannelLayer", result.stderr
    result = manage("shell", "--no-imports", "-c", code, env={})
    assert result.stdout.strip() == "channels.layers.InMemoryChannelLayer", result.stderr


def test_database_url_selects_postgresql_with_no_persistent_connections():
    code = "from django.conf import settings; d=settings.DATABASES['default']; print(d['ENGINE'], d['CONN_MAX_AGE'])"
    result = manage("shell", "--no-imports", "-c", code, env={"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test"})
    assert result.stdout.strip() == "django.db.backends.postgresql 0", result.stderr


def test_the_server_freezes_its_start_and_collects_young_garbage_less_often():
    # Full collections stalled every socket of a busy process (fieldapp/project/asgi.py).
    code = "import gc, fieldapp.project.asgi; print(gc.get_threshold()[0], gc.get_freeze_count() > 10000)"
    result = manage("shell", "--no-imports", "-c", code, env={})
    assert result.stdout.split() == ["50000", "True"], result.stderr
    result = manage("shell", "--no-imports", "-c", code, env={"GC_THRESHOLD_0": "1234"})
    assert result.stdout.split() == ["1234", "True"], result.stderr
