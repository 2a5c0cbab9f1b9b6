"""Services: one transaction, row locks, positions that stay a sequence under concurrent writes."""
from __future__ import annotations

import threading
from datetime import datetime

import pytest
from django.db import connections

from common.errors import InvalidInput
from stations import hours
from stations.models import Slogan
from stations.services import (
    closure_create,
    playlist_move,
    slogan_create,
    slogan_delete,
    slogans_reorder,
    station_update,
)
from tests.helpers import make_station


@pytest.mark.django_db(transaction=True)
def test_concurrent_slogans_get_distinct_positions():
    station = make_station("shiyiyuan")
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def add(index: int) -> None:
        try:
            start.wait(timeout=10)
            slogan_create(station_id=station.pk, text=f"标语{index}")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=add, args=(index,)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(Slogan.objects.filter(station=station).values_list("position", flat=True)) == [1, 2, 3, 4, 5, 6]


@pytest.mark.django_db
def test_reorder_must_name_every_slogan_once(station):
    first = slogan_create(station_id=station.pk, text="一")
    second = slogan_create(station_id=station.pk, text="二")

    with pytest.raises(InvalidInput):
        slogans_reorder(station_id=station.pk, slogan_ids=[first.pk, first.pk])
    reordered = slogans_reorder(station_id=station.pk, slogan_ids=[second.pk, first.pk])
    slogan_delete(station_id=station.pk, slogan_id=second.pk)

    assert [s.text for s in reordered] == ["二", "一"]
    assert list(Slogan.objects.filter(station=station).values_list("text", "position")) == [("一", 1)]


@pytest.mark.django_db
def test_invalid_input_never_half_saves(station):
    with pytest.raises(InvalidInput):
        station_update(station_id=station.pk, closed_now=True, opening_hours="nonsense")
    with pytest.raises(InvalidInput):
        closure_create(station_id=station.pk, start_date=datetime(2026, 12, 2).date(), end_date=datetime(2026, 12, 1).date(), reason="x")
    with pytest.raises(InvalidInput):
        station_update(station_id=station.pk, amenities=["sauna"])

    station.refresh_from_db()
    assert station.closed_now is False
    assert not station.closures.exists()


@pytest.mark.django_db
def test_playlist_move_of_an_item_of_another_station_is_not_found(station):
    from stations.models import PlaylistItem

    with pytest.raises(PlaylistItem.DoesNotExist):
        playlist_move(station_id=station.pk, item_id=999_999, direction="up")


def test_midnight_closing_reads_24_00():
    now = datetime(2026, 11, 3, 20, 0)

    assert hours.status_text("open", datetime(2026, 11, 4, 0, 0), now) in ("营业中 · 24:00 关门", "Open · closes at 24:00")
