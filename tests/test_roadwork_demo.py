"""manage.py demo_roadwork (called by manage.py demo) adds the road work demo and stays idempotent."""
from __future__ import annotations

import io

from django.core.management import call_command

from fieldapp.models import CongestionPoint, Hazard, HazardEvent, OutreachEvent, RoadArea, TrackFix, TrafficSample
from fieldapp.roadwork_selectors import hazard_list

MODELS = (RoadArea, CongestionPoint, Hazard, HazardEvent, OutreachEvent, TrackFix, TrafficSample)


def test_demo_roadwork_twice_adds_nothing_the_second_time(db):
    call_command("demo", stdout=io.StringIO())
    counts = {model.__name__: model.objects.count() for model in MODELS}
    assert counts["RoadArea"] == 3 and counts["CongestionPoint"] == 10 and counts["Hazard"] == 12
    assert counts["TrackFix"] > 0 and counts["TrafficSample"] > 0 and counts["OutreachEvent"] == 5
    assert set(Hazard.objects.values_list("status", flat=True)) == set(Hazard.Status.values)
    assert any(hazard.overdue for hazard in hazard_list())
    call_command("demo_roadwork", stdout=io.StringIO())
    assert {model.__name__: model.objects.count() for model in MODELS} == counts
