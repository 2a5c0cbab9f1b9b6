"""Presence of ended post windows is stored once and read back: same rates, without the track.

The known data set (tests/test_roadwork_rates.py): one point, Monday covered by
15 minutes, Tuesday not (5 minutes).
"""
from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fieldapp import roadwork_services as services
from fieldapp.models import SettledPresence, TrackFix
from fieldapp.roadwork_selectors import rates_for_range
from tests.test_roadwork_rates import MONDAY, TUESDAY, load_known, moment


@pytest.fixture
def known(db, squad, officer, dispatcher):  # type: ignore[no-untyped-def]
    return load_known(squad, officer, dispatcher)


def visibility(rates):  # type: ignore[no-untyped-def]
    return (rates.visibility.part, rates.visibility.whole, rates.by_point[0].officer_minutes)


def test_a_first_read_stores_each_ended_window_and_a_second_reads_them_without_the_track(known):
    cold = rates_for_range(first=MONDAY, last=TUESDAY)
    assert visibility(cold) == (1, 2, 20.0)
    stored = SettledPresence.objects.order_by("start")
    assert [(row.visits, sorted(row.minutes_by_officer.values())) for row in stored] == [(1, [15.0]), (1, [5.0])]

    TrackFix.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        warm = rates_for_range(first=MONDAY, last=TUESDAY)
    assert visibility(warm) == visibility(cold)
    assert warm.visit_minutes == cold.visit_minutes
    assert (cold.visit_minutes.n, cold.visit_minutes.p50_s) == (2, 10 * 60)
    assert [row.rate.part for row in warm.by_point] == [1]
    assert not any("fieldapp_trackfix" in query["sql"] for query in queries.captured_queries)


def test_a_window_that_ended_moments_ago_is_counted_but_not_stored(known):
    now = moment(TUESDAY, "09:02")  # Tuesday's window ended 2 minutes ago: a fix may still be on its way
    rates = rates_for_range(first=MONDAY, last=TUESDAY, now=now)
    assert visibility(rates) == (1, 2, 20.0)
    assert [row.start for row in SettledPresence.objects.all()] == [moment(MONDAY, "07:00")]

    # A fix received late for Tuesday still counts, because Tuesday was not stored.
    TrackFix.objects.bulk_create(
        TrackFix(officer=known.officer, lat=known.lat, lng=known.lng, accuracy_m=5, at=moment(TUESDAY, "07:00") + timedelta(minutes=m))
        for m in range(6, 12)
    )
    later = rates_for_range(first=MONDAY, last=TUESDAY, now=now + timedelta(hours=1))
    assert visibility(later) == (2, 2, 26.0)
    assert SettledPresence.objects.count() == 2


def test_moving_the_point_is_never_answered_from_rows_of_its_old_place(known):
    assert visibility(rates_for_range(first=MONDAY, last=TUESDAY)) == (1, 2, 20.0)
    services.point_update(point_id=known.pk, lat=known.lat + 0.01)  # about 1.1 km north: nobody was there
    assert visibility(rates_for_range(first=MONDAY, last=TUESDAY)) == (0, 2, 0.0)
    services.point_update(point_id=known.pk, lat=known.lat)  # back: the first rows answer again
    assert visibility(rates_for_range(first=MONDAY, last=TUESDAY)) == (1, 2, 20.0)
    assert SettledPresence.objects.count() == 4


def test_changed_visit_rules_recompute_and_a_changed_threshold_reads_the_stored_minutes(known, settings):
    rates_for_range(first=MONDAY, last=TUESDAY)
    settings.ROADWORK_MAX_ACCURACY_M = 3  # every fix (5 m) is now too poor to count
    assert visibility(rates_for_range(first=MONDAY, last=TUESDAY)) == (0, 2, 0.0)
    settings.ROADWORK_MAX_ACCURACY_M = 100
    settings.ROADWORK_COVERED_MINUTES = 5  # judged on the stored minutes: Tuesday's 5 now cover it
    TrackFix.objects.all().delete()
    assert visibility(rates_for_range(first=MONDAY, last=TUESDAY)) == (2, 2, 20.0)


def test_two_readers_of_the_same_window_store_it_once(known):
    rates_for_range(first=MONDAY, last=TUESDAY)
    SettledPresence.objects.filter(start=moment(TUESDAY, "07:00")).delete()
    services.presence_fill(first=MONDAY, last=TUESDAY)
    services.presence_fill(first=MONDAY, last=TUESDAY)
    assert SettledPresence.objects.count() == 2


def test_prune_keeps_the_rates_of_days_whose_fixes_it_deletes(known):
    before = rates_for_range(first=MONDAY, last=TUESDAY)
    SettledPresence.objects.all().delete()  # as if the rates had never been read
    out = StringIO()
    call_command("prune_dispatch", "--track-days", "1", stdout=out)
    assert "post windows before pruning the track" in out.getvalue()
    assert SettledPresence.objects.filter(start__in=[moment(MONDAY, "07:00"), moment(TUESDAY, "07:00")]).count() == 2
    assert not TrackFix.objects.exists()
    assert visibility(rates_for_range(first=MONDAY, last=TUESDAY)) == visibility(before)


def test_the_nightly_command_stores_what_the_rates_will_read(known):
    days = str((timezone.localdate() - MONDAY).days + 1)
    out = StringIO()
    call_command("roadwork_presence", "--days", days, stdout=out)
    # Every ended weekday window since that Monday, the known two among them.
    windows = SettledPresence.objects.count()
    assert f"Stored the presence of {windows} post windows" in out.getvalue()
    assert windows >= 2 and SettledPresence.objects.filter(start=moment(TUESDAY, "07:00"), visits=1).exists()
    call_command("roadwork_presence", "--days", days, stdout=out)
    assert "Stored the presence of 0 post windows" in out.getvalue()


def test_admin_lists_stored_windows_and_never_edits_them(known, admin, client):
    rates_for_range(first=MONDAY, last=TUESDAY)
    row = SettledPresence.objects.order_by("start").first()
    client.force_login(admin)
    page = client.get("/admin/fieldapp/settledpresence/")
    assert page.status_code == 200 and "柳园路口" in page.content.decode()
    assert client.get("/admin/fieldapp/settledpresence/add/").status_code == 403
    assert client.post(f"/admin/fieldapp/settledpresence/{row.pk}/change/", {"visits": 9}).status_code == 403
    assert SettledPresence.objects.get(pk=row.pk).visits == 1
