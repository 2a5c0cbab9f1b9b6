"""The pure rules of the field records (fieldapp/records.py): no database, the caller passes `now`."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fieldapp import records

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
SKEW = timedelta(minutes=5)
ALL = {item: True for item in records.CHECKLIST}


def problems(**values):  # type: ignore[no-untyped-def]
    base = dict(answers=ALL, parties=[], agreement="", vehicles_moved_at=None, lanes_open_at=None, tow_called=None,
                slots_filled=[], status="draft", now=NOW, skew=SKEW)
    return records.quick_clearance_problems(**{**base, **values}).fields


def test_checklist_outcomes():
    assert records.checklist_evaluate(ALL) == records.ChecklistResult("quick")
    assert records.checklist_evaluate({}).outcome is None
    assert records.checklist_evaluate({}).unanswered == records.CHECKLIST
    failed = records.checklist_evaluate({**ALL, "vehicles_movable": False, "no_dangerous_goods": None})
    assert (failed.outcome, failed.failing, failed.unanswered) == ("ordinary", ("vehicles_movable",), ("no_dangerous_goods",))


def test_a_draft_checks_only_what_always_holds():
    assert problems() == {}
    assert list(problems(vehicles_moved_at=NOW)) == ["vehicles_moved_at"]  # before the three photos
    assert problems(vehicles_moved_at=NOW, slots_filled=records.REQUIRED_SLOTS) == {}
    assert problems(vehicles_moved_at=NOW, answers={**ALL, "property_damage_only": False}) == {}
    assert list(problems(lanes_open_at=NOW + timedelta(minutes=6))) == ["lanes_open_at"]
    assert problems(lanes_open_at=NOW + timedelta(minutes=4)) == {}  # within the clock skew


def test_complete_quick_needs_everything():
    moved = NOW - timedelta(minutes=3)
    parties = [records.PartyValues("鲁P1", "小型轿车"), records.PartyValues("鲁P2", "小型轿车")]
    complete = dict(status="complete", parties=parties, agreement="agreed", vehicles_moved_at=moved,
                    lanes_open_at=moved, tow_called=False, slots_filled=records.REQUIRED_SLOTS)
    assert problems(**complete) == {}
    finding = {**complete, "agreement": "finding",
               "parties": [records.PartyValues("鲁P1", "", "", "major"), records.PartyValues("鲁P2", "")]}
    assert list(problems(**finding)) == ["parties[1].responsibility"]


def test_the_timeline_is_in_time_order_with_ties_in_step_order():
    at = NOW
    steps = records.job_timeline(
        reported_at=at, closed_at=at + timedelta(minutes=9), status="closed",
        assignments=[{"dispatched_at": at + timedelta(seconds=5), "received_at": at + timedelta(seconds=9),
                      "on_scene_at": at + timedelta(seconds=9), "cleared_at": at + timedelta(minutes=9),
                      "officer_id": 3, "call_sign": "铁骑01"}],
        vehicles_moved_at=at + timedelta(minutes=4), lanes_open_at=at + timedelta(minutes=4),
    )
    assert [s["step"] for s in steps] == [
        "reported", "dispatched", "received", "on_scene", "vehicles_moved", "lanes_open", "cleared", "closed",
    ]


def test_which_record_a_job_takes():
    assert [records.record_for_kind(k) for k in ("accident", "breakdown", "help", "hazard")] == [
        "quick_clearance", "quick_clearance", "rescue", None,
    ]
