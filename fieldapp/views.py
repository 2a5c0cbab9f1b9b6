"""The officer's and the dispatcher's pages. Everything the page scripts need from
the server (URLs, words, rules, timers) goes in one page config."""
from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.roles import DISPATCHER, OFFICER, role_required
from fieldapp import labels, records
from fieldapp.fixes import STALE_FIX_S
from fieldapp.models import (
    ACTIVE_STATUSES,
    RECEIVE_WITHIN_S,
    STATUS_RANK,
    Assignment,
    Job,
    Party,
    QuickClearance,
    RecordPhoto,
    Rescue,
)
from fieldapp.notify.pages import field_push_config
from fieldapp.routing import DISPATCH_SOCKET_PATH, FIELD_SOCKET_PATH

FOUND_KINDS = [
    kind.value for kind in (
        Job.Kind.ACCIDENT, Job.Kind.BREAKDOWN, Job.Kind.CONGESTION, Job.Kind.HAZARD, Job.Kind.VIOLATION, Job.Kind.HELP,
        Job.Kind.OTHER,
    )
]

# The found form's map: close enough to tell one side of a crossing from the other.
FOUND_MAP_ZOOM = 17

# Stands in for an id while reversing; the page scripts put the real one where "{id}" is.
_ANY_ID = 2147483647


def _url_template(name: str, kwarg: str) -> str:
    return reverse(name, kwargs={kwarg: _ANY_ID}).replace(str(_ANY_ID), "{id}")


def _api_urls() -> dict[str, str]:
    # The dispatch API and sockets (docs/api-dispatch.md).
    return {
        "me": reverse("api-me"),
        "duty": reverse("api-me-duty"),
        "position": reverse("api-me-position"),
        "advance": _url_template("api-assignment-advance", "assignment_id"),
        "jobs": reverse("api-jobs"),
        "job": _url_template("api-job", "job_id"),
        "candidates": _url_template("api-job-candidates", "job_id"),
        "dispatch": _url_template("api-job-dispatch", "job_id"),
        "cancel": _url_template("api-job-cancel", "job_id"),
        "close": _url_template("api-job-close", "job_id"),
        "withdraw": _url_template("api-assignment-withdraw", "assignment_id"),
        "officers": reverse("api-officers"),
        "figures": reverse("api-figures"),
        "fieldSocket": "/" + FIELD_SOCKET_PATH,
        "dispatchSocket": "/" + DISPATCH_SOCKET_PATH,
    }


def _steps() -> dict[str, Any]:
    # The transition table's view for the pages: which statuses are still open,
    # how far along each is (a copy never moves back), and the buttons after
    # each one, for a card moved on by a step still waiting on the phone.
    after = {}
    for status in Assignment.Status.values:
        steps = Assignment(status=status).next_steps()
        # As AssignmentOut says it: the natural next step first.
        after[status] = {"next_step": steps[0] if steps else None, "next_steps": steps}
    return {"active": list(ACTIVE_STATUSES), "rank": STATUS_RANK, "after": after}


def _quick_clearance_form() -> dict[str, Any]:
    # What the card's quick-clearance form asks, in the server's order and words (fieldapp/records.py).
    return {
        "kinds": list(records.QUICK_CLEARANCE_KINDS),
        "checklist": [{"name": name, "label": str(records.CHECKLIST_LABELS[name])} for name in records.CHECKLIST],
        "slots": list(records.REQUIRED_SLOTS),
        "slotLabels": labels.choice_labels(RecordPhoto.Slot.choices),
        "agreements": labels.choice_labels(QuickClearance.Agreement.choices),
        "responsibilities": labels.choice_labels(Party.Responsibility.choices),
        "rules": _quick_clearance_rules(),
    }


def _quick_clearance_rules() -> dict[str, Any]:
    """What records.quick_clearance_problems refuses, for the phone to check before it queues a record.

    The phone mirrors the rules (a record saved in a tunnel must not bounce back
    after the officer has ridden off); the words are the server's own, taken from
    its refusals of records that break each rule, so both say the same thing.
    The server stays the authority.
    """
    now = timezone.now()

    def refusals(**values: Any) -> dict[str, list[str]]:
        record = {
            "answers": {}, "parties": [], "agreement": "", "vehicles_moved_at": None, "lanes_open_at": None,
            "tow_called": None, "slots_filled": (), "status": records.STATUS_COMPLETE, **values,
        }
        return records.quick_clearance_problems(**record, now=now, skew=timedelta(0)).fields

    empty = refusals()
    finding = refusals(
        answers={name: True for name in records.CHECKLIST},
        parties=[records.PartyValues(plate="", vehicle_type="")], agreement=records.AGREEMENT_FINDING,
    )
    moved = refusals(vehicles_moved_at=now, lanes_open_at=now - timedelta(minutes=1), status=records.STATUS_LATER)
    agreed = refusals(
        parties=[records.PartyValues(plate="A", vehicle_type="", responsibility=Party.Responsibility.FULL)],
        agreement=records.AGREEMENT_AGREED, status=records.STATUS_LATER,
    )
    return {
        "complete": records.STATUS_COMPLETE,
        "agreed": records.AGREEMENT_AGREED,
        "finding": records.AGREEMENT_FINDING,
        "minParties": records.MIN_PARTIES,
        "messages": {
            "checklist": empty["checklist"][0],
            "photos": dict(zip(records.REQUIRED_SLOTS, empty["photos"], strict=True)),
            "parties": empty["parties"][0],
            "agreement": empty["agreement"][0],
            "vehicles_moved_at": empty["vehicles_moved_at"][0],
            "lanes_open_at": empty["lanes_open_at"][0],
            "tow_called": empty["tow_called"][0],
            "plate": finding["parties[0].plate"][0],
            "responsibility": finding["parties[0].responsibility"][0],
            "photosBeforeMoving": moved["vehicles_moved_at"][0],
            "lanesBeforeMoved": moved["lanes_open_at"][0],
            "agreedNoResponsibility": agreed["parties"][0],
            # Beside the buttons, which sit below the marked items; "finish later" needs fewer of them.
            "notSaved": _("Not saved yet: fill in the marked items, or finish later."),
            "notSavedLater": _("Not saved yet: fill in the marked items."),
        },
    }


@role_required(OFFICER)
def field_home(request: HttpRequest) -> HttpResponse:
    officer = getattr(request.user, "officer", None)
    config = {
        "officerId": officer.id if officer is not None else None,
        "urls": _api_urls(),
        "labels": labels.field_labels(),
        "steps": _steps(),
        "timers": settings.FIELD_UI_TIMERS_MS,
        # The kinds an officer can report from patrol, in the order of the buttons.
        "foundKinds": FOUND_KINDS,
        "quickClearance": _quick_clearance_form(),
        "rescue": {
            "kinds": list(records.RESCUE_KINDS),
            "helpKinds": labels.choice_labels(Rescue.Kind.choices),
            "handedTo": labels.choice_labels(Rescue.HandedTo.choices),
        },
        **labels.shared_labels(),
    }
    config["urls"]["found"] = reverse("api-jobs-found")
    # The found form's small map, loaded only when the officer opens it.
    config["map"] = {
        "tileUrl": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        # Set MAP_TILES_GCJ02=True when MAP_TILE_URL serves AMap-style (GCJ-02) tiles.
        "tilesGcj02": settings.MAP_TILES_GCJ02,
        "leafletJs": static("leaflet/leaflet.js"),
        "leafletCss": static("leaflet/leaflet.css"),
        "zoom": FOUND_MAP_ZOOM,
    }
    # "Log in again to send" leads back here, where the outbox waits.
    config["urls"]["login"] = f"{reverse('login')}?{urlencode({'next': reverse('field-home')})}"
    config["urls"]["quickClearance"] = _url_template("api-job-quick-clearance", "job_id")
    config["urls"]["quickClearancePhotos"] = _url_template("api-job-quick-clearance-photos", "job_id")
    config["push"] = field_push_config()
    config["urls"]["rescue"] = _url_template("api-job-rescue", "job_id")
    config["urls"]["rescuePhotos"] = _url_template("api-job-rescue-photos", "job_id")
    # On the road "offline" needs its consequence spelled out.
    config["connection"]["offline"] = _("Offline: new jobs arrive when the network is back")
    # A job cancelled while the phone was away is told with the dispatcher's reason.
    config["labels"]["jobCancelledBecause"] = _("The job was cancelled: {reason}")
    return render(request, "fieldapp/field.html", {"officer": officer, "config": config})


@role_required(DISPATCHER)
def dispatch_home(request: HttpRequest) -> HttpResponse:
    config = {
        "urls": _api_urls(),
        "labels": labels.dispatch_labels(),
        "map": {
            "tileUrl": settings.MAP_TILE_URL,
            "attribution": settings.MAP_TILE_ATTRIBUTION,
            "center": list(settings.LEAFLET_CONFIG.get("DEFAULT_CENTER", (36.45, 115.98))),
            "zoom": settings.LEAFLET_CONFIG.get("DEFAULT_ZOOM", 13),
        },
        # The board flags a dispatch the phone has not confirmed after this long.
        "receiveWithinS": RECEIVE_WITHIN_S,
        # Fixes older than this are shown greyed out; candidates leave them out.
        "staleFixS": STALE_FIX_S,
        "steps": _steps(),
        "timers": settings.FIELD_UI_TIMERS_MS,
        **labels.shared_labels(),
    }
    return render(request, "fieldapp/dispatch.html", {"config": config})
