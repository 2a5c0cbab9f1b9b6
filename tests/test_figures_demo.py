"""The demo history: plausible shapes, and nothing added when it runs again."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

from django.utils import timezone

from fieldapp.demo_history import history_generate
from fieldapp.models import DutyChange, Job, QuickClearance, Rescue, TrackFix


def test_history_has_peaks_records_and_shifts_and_runs_once(officer, other_officer, third_officer):
    # Three weekdays: a weekend day has fewer jobs, and the count below must not depend on today's date.
    past = (timezone.localdate() - timedelta(days=offset) for offset in range(1, 8))
    days = sorted(day for day in past if day.weekday() < 5)[-3:]
    officers = [officer, other_officer, third_officer]
    made = history_generate(days=days, officers=officers, jobs_per_day=40)
    again = history_generate(days=days, officers=officers, jobs_per_day=40)
    assert made.days == 3 and again.days == 0
    assert Job.objects.count() == made.jobs and made.jobs > 90
    assert set(Job.objects.values_list("status", flat=True)) == {"closed", "cancelled"}
    hours = Counter(timezone.localtime(at).hour for at in Job.objects.values_list("reported_at", flat=True))
    assert hours[8] + hours[18] > 4 * (hours[3] + hours[4])
    assert QuickClearance.objects.filter(lanes_open_at__isnull=False).exists()
    assert Job.objects.filter(kind__in=["accident", "breakdown"], quick_clearance__isnull=True).exists()
    assert Rescue.objects.exists()
    assert DutyChange.objects.filter(on_duty=True).count() == DutyChange.objects.filter(on_duty=False).count() > 0
    assert TrackFix.objects.exists()
