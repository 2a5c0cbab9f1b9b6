from __future__ import annotations

from io import StringIO

from django.core.management import call_command


def test_models_and_migrations_agree(db):
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_demo_command_is_idempotent_and_prints_the_logins(db):
    from django.contrib.auth import get_user_model

    from fieldapp.models import Officer, Squad

    first, second = StringIO(), StringIO()
    call_command("demo", stdout=first)
    counts = (get_user_model().objects.count(), Officer.objects.count(), Squad.objects.count())
    call_command("demo", stdout=second)
    assert (get_user_model().objects.count(), Officer.objects.count(), Squad.objects.count()) == counts
    assert Officer.objects.count() >= 6
    assert Officer.objects.values("squad").distinct().count() == 4
    assert set(Squad.objects.values_list("name", flat=True)) >= {"市医院中队", "灯塔中队", "湖西中队", "北顺中队", "汽车西站交管服务网点"}
    for username in ("officer1", "dispatcher", "station", "admin"):
        assert username in second.getvalue()
    assert "luchang-demo" in second.getvalue()
