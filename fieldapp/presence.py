"""Presence at the points per post window, read from the position track, with ended windows kept.

The rules are fieldapp/roadwork.py's. A window's presence depends only on the
track fixes from one join gap before it to its end: a visit that covers the
window's start has a fix in that gap, and nothing earlier changes what falls
inside the window. So each window is computed on its own, and once it has
ended and SETTLE has passed (the ingest writes an accepted fix within a tick)
no fix can still change it: it is stored as a SettledPresence row and read
back from there. A month of a city's rates then reads a few thousand rows
instead of walking millions of fixes; only windows never computed before (or
computed for another radius, centre or rule) go back to the track.

Storing is a cache of the track, filled on first read and by
`manage.py roadwork_presence` (which `prune_dispatch` runs before deleting
fixes, so the rates of a range older than the track stay right).
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce

from common.geo import bounding_box
from common.moments import values_with_moments
from fieldapp import roadwork as rw
from fieldapp.models import CongestionPoint, SettledPresence, TrackFix
from stations import hours

# A window this long after its end can no longer gain a fix: the ingest writes within a tick.
SETTLE = timedelta(minutes=5)

# A fix this far beyond a point's radius is still fetched: it ends a visit when the officer
# left and came back within the join gap. Farther away, the join gap alone ends the visit.
NEAR_PADDING_M = 500


@dataclass(frozen=True)
class Tally:
    """One window's presence, the facts it was made from, and the minutes of each visit inside it."""

    presence: rw.WindowPresence
    facts: rw.WindowFacts
    visit_minutes: list[float]


Key = tuple[int, datetime, datetime]  # point id, window start, window end


def place_of(point: CongestionPoint) -> rw.Place:
    return rw.Place(point.lat, point.lng, point.radius_m)


def basis_of(point: CongestionPoint, rules: rw.Rules) -> str:
    """What a stored window depends on besides the fixes: the point's place and the visit rules."""
    return (f"{point.lat:.6f},{point.lng:.6f},{point.radius_m}"
            f"|gap={rules.join_gap.total_seconds():g}|acc={rules.max_accuracy_m:g}")


def spans_of(windows: Iterable[rw.Window], pad: timedelta) -> list[tuple[datetime, datetime]]:
    """The windows' times, each widened by `pad` before it, overlapping ones merged."""
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted((w.start - pad, w.end) for w in windows):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def fixes_near(
    points: Sequence[CongestionPoint], start: datetime, end: datetime,
    spans: Sequence[tuple[datetime, datetime]] | None = None,
) -> list[rw.Fix]:
    """Track fixes in [start, end) near any of the points, only inside `spans` when given: one query."""
    if not points or spans == []:
        return []
    box = Q()
    for point in points:
        b = bounding_box(point.lat, point.lng, point.radius_m + NEAR_PADDING_M)
        box |= Q(lat__gte=b.min_lat, lat__lte=b.max_lat, lng__gte=b.min_lng, lng__lte=b.max_lng)
    rows = TrackFix.objects.filter(box, at__gte=start, at__lt=end)
    if spans:
        during = Q()
        for span_start, span_end in spans:
            during |= Q(at__gte=span_start, at__lt=span_end)
        rows = rows.filter(during)
    # The moment the officer was there is the phone's time when it sent one; a month of a city's
    # fixes is hundreds of thousands of moments, read as numbers (common/moments.py).
    near = values_with_moments(rows, ["officer_id", "lat", "lng", "accuracy_m"], [Coalesce("device_at", "at")])
    return [rw.Fix(o, la, ln, at, acc) for o, la, ln, acc, at in near]


class FixIndex:
    """Fixes sorted by latitude, so each point takes only those in its own padded box (bisect, not a scan)."""

    def __init__(self, fixes: list[rw.Fix]) -> None:
        self.fixes = sorted(fixes, key=lambda fix: fix.lat)
        self.lats = [fix.lat for fix in self.fixes]

    def near(self, point: CongestionPoint) -> list[rw.Fix]:
        b = bounding_box(point.lat, point.lng, point.radius_m + NEAR_PADDING_M)
        low, high = bisect_left(self.lats, b.min_lat), bisect_right(self.lats, b.max_lat)
        return [fix for fix in self.fixes[low:high] if b.min_lng <= fix.lng <= b.max_lng]


def window_presence(
    points: Sequence[CongestionPoint], windows: dict[int, list[rw.Window]], rules: rw.Rules, *, now: datetime,
) -> dict[Key, Tally]:
    """Each point's windows' presence: stored ones read back, the rest computed from the track (and stored once settled)."""
    tallies = _stored(points, windows, rules)
    tallies.update(_computed(points, _missing(windows, tallies), rules, now=now))
    return tallies


def fill(*, points: Sequence[CongestionPoint], windows: dict[int, list[rw.Window]], rules: rw.Rules, now: datetime) -> int:
    """Compute and store the settled windows not stored yet; returns how many that was."""
    settled = {pk: [w for w in ws if w.end <= now - SETTLE] for pk, ws in windows.items()}
    return len(_computed(points, _missing(settled, _stored(points, settled, rules)), rules, now=now))


def _missing(windows: dict[int, list[rw.Window]], tallies: dict[Key, Tally]) -> dict[int, list[rw.Window]]:
    return {pk: [w for w in ws if (pk, w.start, w.end) not in tallies] for pk, ws in windows.items()}


def _computed(
    points: Sequence[CongestionPoint], windows: dict[int, list[rw.Window]], rules: rw.Rules, *, now: datetime,
) -> dict[Key, Tally]:
    """The windows computed from the track, a day at a time, each day's settled ones stored as it is done:
    a month of a city's fixes is never in memory at once, and what is done is kept."""
    by_day: dict[date, dict[int, list[rw.Window]]] = defaultdict(lambda: defaultdict(list))
    for pk, ws in windows.items():
        for window in ws:
            by_day[hours.to_shanghai(window.start).date()][pk].append(window)
    tallies: dict[Key, Tally] = {}
    for day in sorted(by_day):
        computed = _from_track(points, by_day[day], rules)
        _store(points, {key: tally for key, tally in computed.items() if key[2] <= now - SETTLE}, rules)
        tallies.update(computed)
    return tallies


def _stored(points: Sequence[CongestionPoint], windows: dict[int, list[rw.Window]], rules: rw.Rules) -> dict[Key, Tally]:
    starts = [w.start for ws in windows.values() for w in ws]
    if not starts:
        return {}
    by_pk = {point.pk: point for point in points}
    wanted = {(pk, w.start, w.end): w for pk, ws in windows.items() for w in ws}
    rows = SettledPresence.objects.filter(
        point_id__in=[pk for pk, ws in windows.items() if ws], start__gte=min(starts), start__lte=max(starts),
        basis__in={basis_of(by_pk[pk], rules) for pk in windows if pk in by_pk},
    ).values_list("point_id", "start", "end", "basis", "visits", "first_arrival", "minutes_by_officer", "visit_minutes")
    tallies: dict[Key, Tally] = {}
    for pk, start, end, basis, visits, first_arrival, minutes, visit_minutes in rows:
        window = wanted.get((pk, start, end))
        if window is None or basis != basis_of(by_pk[pk], rules):
            continue
        facts = rw.WindowFacts({int(k): v for k, v in minutes.items()}, visits, first_arrival)
        tallies[(pk, window.start, window.end)] = Tally(rw.presence_from(window, facts, rules), facts, list(visit_minutes))
    return tallies


def _from_track(points: Sequence[CongestionPoint], windows: dict[int, list[rw.Window]], rules: rw.Rules) -> dict[Key, Tally]:
    wanted = [point for point in points if windows.get(point.pk)]
    spans = spans_of((w for point in wanted for w in windows[point.pk]), rules.join_gap)
    if not spans:
        return {}
    # The track is filtered by the server's time (`at`, indexed); a fix's moment may be its device
    # time, a little earlier, so each span starts a join gap early.
    index = FixIndex(fixes_near(wanted, spans[0][0], spans[-1][1], spans=spans))
    tallies: dict[Key, Tally] = {}
    for point in wanted:
        visits = rw.visits_of(index.near(point), place_of(point), rules)
        for window in windows[point.pk]:
            facts = rw.facts_in(window, visits)
            tallies[(point.pk, window.start, window.end)] = Tally(
                rw.presence_from(window, facts, rules), facts, rw.visit_minutes_in(window, visits)
            )
    return tallies


def _store(points: Sequence[CongestionPoint], tallies: dict[Key, Tally], rules: rw.Rules) -> None:
    if not tallies:
        return
    by_pk = {point.pk: point for point in points}
    rows = [
        SettledPresence(
            point_id=pk, start=start, end=end, basis=basis_of(by_pk[pk], rules),
            visits=tally.facts.visits, first_arrival=tally.facts.first_arrival,
            minutes_by_officer={str(k): v for k, v in tally.facts.minutes.items()}, visit_minutes=tally.visit_minutes,
        )
        for (pk, start, end), tally in tallies.items()
    ]
    # Two readers computing the same window store the same answer: the second one's rows are ignored.
    with transaction.atomic():
        SettledPresence.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
