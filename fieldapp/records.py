"""Rules of the field records (快处快撤 quick clearance, 救助 rescue), without the ORM.

Like stations/hours.py: plain values in, plain values out, and no clock of its
own. The services pass the record's values and `now`, and turn the problems
found here into one InvalidInput.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

# The eligibility checklist of 事故快处, in the order the form shows it.
CHECKLIST = (
    "vehicle_vs_vehicle",
    "property_damage_only",
    "vehicles_movable",
    "drivers_licensed_sober",
    "plates_and_insurance",
    "no_dangerous_goods",
)
CHECKLIST_LABELS = {
    "vehicle_vs_vehicle": _("Vehicle against vehicle"),
    "property_damage_only": _("Property damage only, nobody injured"),
    "vehicles_movable": _("The vehicles can be moved"),
    "drivers_licensed_sober": _("Every driver is licensed and sober"),
    "plates_and_insurance": _("The vehicles have plates and insurance"),
    "no_dangerous_goods": _("No dangerous goods involved"),
}

OUTCOME_QUICK = "quick"
OUTCOME_ORDINARY = "ordinary"

# Photographed before the vehicles move (公安部令第146号 第十四条).
REQUIRED_SLOTS = ("front_side", "rear_side", "impact")

AGREEMENT_AGREED = "agreed"
AGREEMENT_FINDING = "finding"

STATUS_DRAFT = "draft"
STATUS_LATER = "later"
STATUS_COMPLETE = "complete"
# A record in one of these lets the officer clear an accident or breakdown.
CLEARING_STATUSES = (STATUS_LATER, STATUS_COMPLETE)

# A quick case is a collision of vehicles: its record lists at least this many.
MIN_PARTIES = 2

# The records a job may have, as the API names them.
RECORD_NAMES = ("quick_clearance", "rescue")

# Job kinds whose clearing needs a quick-clearance record, and the kind a rescue attaches to.
QUICK_CLEARANCE_KINDS = ("accident", "breakdown")
RESCUE_KINDS = ("help",)


def record_for_kind(kind: str) -> str | None:
    """The record a job of this kind takes: quick_clearance, rescue, or none."""
    if kind in QUICK_CLEARANCE_KINDS:
        return "quick_clearance"
    if kind in RESCUE_KINDS:
        return "rescue"
    return None


@dataclass(frozen=True)
class ChecklistResult:
    """The checklist's verdict: quick, ordinary (一般程序) or not decided yet."""

    outcome: str | None
    failing: tuple[str, ...] = ()
    unanswered: tuple[str, ...] = ()


def checklist_evaluate(answers: Mapping[str, bool | None]) -> ChecklistResult:
    """One failed item sends the case to the ordinary procedure, even while others are unanswered."""
    failing = tuple(item for item in CHECKLIST if answers.get(item) is False)
    unanswered = tuple(item for item in CHECKLIST if answers.get(item) is None)
    if failing:
        return ChecklistResult(OUTCOME_ORDINARY, failing, unanswered)
    if unanswered:
        return ChecklistResult(None, (), unanswered)
    return ChecklistResult(OUTCOME_QUICK)


@dataclass
class Problems:
    """Field name -> messages, the shape of the API's `fields`."""

    fields: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: Any) -> None:
        self.fields.setdefault(name, []).append(str(message))

    def __bool__(self) -> bool:
        return bool(self.fields)


@dataclass(frozen=True)
class PartyValues:
    plate: str
    vehicle_type: str
    insurer: str = ""
    responsibility: str | None = None


def quick_clearance_problems(
    *,
    answers: Mapping[str, bool | None],
    parties: list[PartyValues],
    agreement: str,
    vehicles_moved_at: datetime | None,
    lanes_open_at: datetime | None,
    tow_called: bool | None,
    slots_filled: Iterable[str],
    status: str,
    now: datetime,
    skew: Any,
) -> Problems:
    """What stops this quick-clearance record from being saved in this status.

    Some rules hold at every save (order of times, responsibility matching the
    agreement); the rest only when the officer says the record is complete.
    """
    problems = Problems()
    filled = set(slots_filled)
    verdict = checklist_evaluate(answers)
    for name, at in (("vehicles_moved_at", vehicles_moved_at), ("lanes_open_at", lanes_open_at)):
        if at is not None and at > now + skew:
            problems.add(name, _("The time is in the future."))
    if vehicles_moved_at and lanes_open_at and lanes_open_at < vehicles_moved_at:
        problems.add("lanes_open_at", _("The lanes cannot open before the vehicles were moved."))
    missing_slots = [slot for slot in REQUIRED_SLOTS if slot not in filled]
    # Under the ordinary procedure the accident unit decides on moving; the photo rule is quick clearance's.
    if vehicles_moved_at is not None and missing_slots and verdict.outcome != OUTCOME_ORDINARY:
        problems.add(
            "vehicles_moved_at",
            _("Take the front-side, rear-side and point-of-impact photos before the vehicles are moved."),
        )
    if agreement == AGREEMENT_AGREED and any(p.responsibility for p in parties):
        problems.add("parties", _("The parties agreed: leave the responsibility of each party empty."))
    for index, party in enumerate(parties):
        if not party.plate.strip():
            problems.add(f"parties[{index}].plate", _("Give the plate number."))
    if status != STATUS_COMPLETE:
        return problems
    if verdict.outcome is None:
        problems.add("checklist", _("Answer every item of the checklist."))
    if verdict.outcome == OUTCOME_ORDINARY:
        # The case goes on under the ordinary procedure; the failed checklist is the record.
        return problems
    for slot in missing_slots:
        problems.add("photos", _("A photo is missing: %(slot)s.") % {"slot": SLOT_LABELS[slot]})
    if len(parties) < MIN_PARTIES:
        problems.add("parties", _("List every vehicle: at least two."))
    if agreement not in (AGREEMENT_AGREED, AGREEMENT_FINDING):
        problems.add("agreement", _("Say whether the parties agreed or give each party's responsibility."))
    if agreement == AGREEMENT_FINDING:
        for index, party in enumerate(parties):
            if not party.responsibility:
                problems.add(f"parties[{index}].responsibility", _("Give this party's responsibility."))
    if vehicles_moved_at is None:
        problems.add("vehicles_moved_at", _("Give the time the vehicles were moved."))
    if lanes_open_at is None:
        problems.add("lanes_open_at", _("Give the time all lanes were open again."))
    if tow_called is None:
        problems.add("tow_called", _("Say whether a tow was called."))
    return problems


SLOT_LABELS = {
    "front_side": _("front side"),
    "rear_side": _("rear side"),
    "impact": _("point of impact"),
    "extra": _("extra"),
}


def rescue_problems(
    *,
    kind: str,
    people_helped: int | None,
    handed_to_kind: str,
    handed_to_name: str,
    started_at: datetime | None,
    ended_at: datetime | None,
    outcome: str,
    status: str,
    now: datetime,
    skew: Any,
) -> Problems:
    """What stops this rescue record from being saved in this status."""
    problems = Problems()
    for name, at in (("started_at", started_at), ("ended_at", ended_at)):
        if at is not None and at > now + skew:
            problems.add(name, _("The time is in the future."))
    if started_at and ended_at and ended_at < started_at:
        problems.add("ended_at", _("The rescue cannot end before it started."))
    if people_helped is not None and people_helped < 1:
        problems.add("people_helped", _("At least one person was helped."))
    if status != STATUS_COMPLETE:
        return problems
    if not kind:
        problems.add("kind", _("Choose the kind of rescue."))
    if people_helped is None:
        problems.add("people_helped", _("Give the number of people helped."))
    if not handed_to_kind:
        problems.add("handed_to_kind", _("Say who the people were handed to."))
    if handed_to_kind and not handed_to_name.strip():
        problems.add("handed_to_name", _("Give the name of the person or place they were handed to."))
    if started_at is None:
        problems.add("started_at", _("Give the start time."))
    if ended_at is None:
        problems.add("ended_at", _("Give the end time."))
    if not outcome.strip():
        problems.add("outcome", _("Give the outcome."))
    return problems


def job_timeline(
    *,
    reported_at: datetime,
    closed_at: datetime | None,
    status: str,
    assignments: Iterable[Mapping[str, Any]],
    vehicles_moved_at: datetime | None = None,
    lanes_open_at: datetime | None = None,
) -> list[dict[str, Any]]:
    """The job's steps in time order: reported, each officer's steps, the record's times, the end.

    Built once here from values the selectors already fetched, so the desk shows
    it and does not build it again.
    """
    steps: list[dict[str, Any]] = [{"at": reported_at, "step": "reported", "officer_id": None, "call_sign": ""}]
    for assignment in assignments:
        for step in ("dispatched", "received", "accepted", "en_route", "on_scene", "cleared", "declined", "withdrawn"):
            at = assignment.get(f"{step}_at")
            if at is not None:
                steps.append(
                    {"at": at, "step": step, "officer_id": assignment["officer_id"], "call_sign": assignment["call_sign"]}
                )
    for step, at in (("vehicles_moved", vehicles_moved_at), ("lanes_open", lanes_open_at)):
        if at is not None:
            steps.append({"at": at, "step": step, "officer_id": None, "call_sign": ""})
    if closed_at is not None:
        steps.append({"at": closed_at, "step": "cancelled" if status == "cancelled" else "closed",
                      "officer_id": None, "call_sign": ""})
    order = {name: index for index, name in enumerate(TIMELINE_STEPS)}
    steps.sort(key=lambda s: (s["at"], order[s["step"]]))
    return steps


TIMELINE_STEPS = (
    "reported", "dispatched", "received", "accepted", "en_route", "on_scene", "vehicles_moved", "lanes_open",
    "cleared", "declined", "withdrawn", "closed", "cancelled",
)
