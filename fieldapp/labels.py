"""Words the field and dispatch pages show, translated on the server and sent in the page config.

The JSON of the API carries machine values only (docs/api-dispatch.md); the
pages look their display names up here.
"""
from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fieldapp import records
from fieldapp.models import (
    Assignment,
    Job,
    Party,
    QuickClearance,
    RecordPhoto,
    RecordStatus,
    Rescue,
)


def choice_labels(choices: list[tuple[object, str]]) -> dict[str, str]:
    return {str(value): str(label) for value, label in choices}


def shared_labels() -> dict[str, dict[str, str]]:
    """Display names of the job and assignment vocabularies, translated for the page.

    The labels come from the model choices (docs/api-dispatch.md: the JSON
    carries machine values only).
    """
    return {
        "kinds": choice_labels(Job.Kind.choices),
        "priorities": choice_labels(Job.Priority.choices),
        "sources": choice_labels(Job.Source.choices),
        "statuses": choice_labels(Assignment.Status.choices),
        "jobStatuses": choice_labels(Job.Status.choices),
        # The officer's button for moving an assignment to this step.
        "actions": {
            "accepted": _("Accept"),
            "en_route": _("On my way"),
            "on_scene": _("Arrived on scene"),
            "cleared": _("Cleared, job done"),
            "declined": _("Decline"),
        },
        "connection": {
            "online": _("Online"),
            "reconnecting": _("Reconnecting…"),
            "offline": _("Offline"),
        },
    }


def duration_labels() -> dict[str, str]:
    # For ui.js duration(): "{n} s" under 90 s, then minutes, then hours.
    return {"seconds": _("{n} s"), "minutes": _("{n} min"), "hours": _("{n} h")}


def field_labels() -> dict[str, str]:
    return {
        "onDuty": _("On duty"),
        "offDuty": _("Off duty"),
        "goOnDuty": _("Tap to go on duty"),
        "goOffDuty": _("Tap to go off duty"),
        "noAssignment": _("No assignment. Stay safe and keep your phone at hand."),
        "offDutyHint": _("You are off duty. Go on duty to receive jobs."),
        "newAssignment": _("New job"),
        "show": _("Show"),
        "ok": _("OK"),
        "jobCancelled": _("The job was cancelled"),
        "withdrawn": _("You were withdrawn from this job"),
        "navigate": _("Navigate"),
        "amap": _("AMap"),
        "baidu": _("Baidu Maps"),
        "geo": _("Map app"),
        "declineReason": _("Why do you decline? (optional)"),
        "otherSteps": _("Other steps"),
        "sending": _("Sending…"),
        "failed": _("Could not send. Check the network and try again."),
        "position": {
            "stopped": _("Position not shared (off duty)."),
            "waiting": _("Finding your position…"),
            "sent": _("Position shared {age} ago, ±{accuracy} m."),
            "unsent": _("Position not sent yet: no network."),
            "inaccurate": _("Position too inaccurate (±{accuracy} m), waiting for a better fix."),
            "denied": _("Location is blocked. Allow location for this site in the browser settings."),
            "unavailable": _("Position unavailable. Are you indoors?"),
            "timeout": _("Position unavailable. Are you indoors?"),
            "unsupported": _("This phone cannot share its position."),
        },
        "since": _("since {time}"),
        "noJobsToday": _("No jobs today yet."),
        # What waits on the phone: taps are kept in the outbox until the server has them.
        "outbox": {
            "pending": _("{n} waiting to send"),
            "login": _("log in again to send"),
            "stepPending": _("Recorded, waiting to send"),
            "refusedTitle": _("Not accepted by the server"),
            "refusedHint": _("These were not recorded. Check them, then dismiss."),
            "refusedNoReason": _("The server refused this."),
            "dismiss": _("Dismiss"),
            "kinds": {
                "step": _("Step"),
                "duty": _("Duty"),
                "found": _("Job found on patrol"),
            },
        },
        "found": {
            "open": _("Found an incident? Report it"),
            "kindQuestion": _("What did you find?"),
            "note": _("Note (optional)"),
            "photo": _("Take a photo (optional)"),
            "photoChosen": _("Photo added. Tap to take another"),
            "position": _("Place: your last position, ±{accuracy} m, {age} ago."),
            "noFix": _("No position yet. Wait for your position, then report."),
            # The small map that corrects the last fix (fieldapp/js/field/found_map.js).
            "adjust": _("Adjust the position on the map"),
            "corrected": _("Place: the point you set on the map."),
            "mapLoading": _("Loading the map…"),
            "mapHint": _("Drag the marker, or tap the map where it happened."),
            "mapMarker": _("Place of the job"),
            "mapUse": _("Use this position"),
            "mapClose": _("Keep the last position"),
            "mapUnavailable": _("The map could not load (no network?). Your last position is used."),
            "tilesFailed": _("Map pictures are not loading (no network?). Unless you move the marker, your last position is used."),
            "submit": _("Report and start"),
            "cancel": _("Cancel"),
            "pendingTitle": _("Job found on patrol"),
        },
        # A time a record stamps (forms.js nowButton): set by hand or cleared once stamped.
        "stamp": {
            "time": _("Set the time"),
            "clear": _("Clear the time"),
        },
        # The quick-clearance (快处快撤) form on the card.
        "qc": {
            "title": _("Quick clearance record"),
            "checklistTitle": _("Can it be handled quickly?"),
            "ordinary": _("Not a quick case: it goes to the ordinary procedure. The record keeps the failing items."),
            "yes": _("Yes"),
            "no": _("No"),
            "photosTitle": _("Photos before moving the vehicles"),
            "photosHint": _("Plates and road markings must be legible."),
            "photo": _("Photo"),
            "photoKept": _("✓ kept"),
            "partiesTitle": _("Vehicles"),
            "party": _("Vehicle {n}"),
            "plate": _("Plate number"),
            "vehicleType": _("Vehicle type"),
            "insurer": _("Insurer (optional)"),
            "responsibility": _("Responsibility"),
            "addParty": _("Add a vehicle"),
            "agreementTitle": _("Agreement"),
            "timesTitle": _("Times"),
            "vehiclesMoved": _("Vehicles moved: now"),
            "lanesOpen": _("All lanes open: now"),
            "towCalled": _("Tow called?"),
            "notes": _("Notes (optional)"),
            "complete": _("Save and clear the job"),
            "later": _("Finish later, clear the job now"),
        },
        # The rescue (救助) form on the card of a help job.
        "rescue": {
            "open": _("Fill in the rescue record"),
            "title": _("Rescue record"),
            "kind": _("What help?"),
            "people": _("People helped"),
            "handedTo": _("Handed to"),
            "handedToName": _("Name (e.g. 张秀英, daughter)"),
            "handedToPhone": _("Phone (optional)"),
            "outcomeTitle": _("Outcome"),
            "outcome": _("e.g. taken home by the family"),
            "started": _("Started: now"),
            "ended": _("Ended: now"),
            "photo": _("Add a photo"),
            "notes": _("Notes (optional)"),
            "save": _("Save the rescue record"),
            "later": _("Finish later"),
        },
        **duration_labels(),
    }


def dispatch_labels() -> dict[str, object]:
    return {
        "noOpenJobs": _("No open jobs."),
        "findOfficers": _("Find officers"),
        "dispatchSelected": _("Send selected officers"),
        "force": _("Also send busy officers"),
        "forceHint": _("Tick “Also send busy officers” to send them anyway."),
        "busyNearby": _("Busy officers nearby"),
        "selectSomeone": _("Tick at least one officer."),
        "noCandidates": _("No available officer found."),
        "fixAge": _("fix {age} old"),
        "noFix": _("no position"),
        "cancel": _("Cancel job"),
        "cancelReason": _("Reason for cancelling"),
        "confirmCancel": _("Cancel the job"),
        "reasonRequired": _("Give a reason."),
        "close": _("Close job"),
        "back": _("Back"),
        "nobodySent": _("Nobody sent yet."),
        "forced": _("sent while busy"),
        "notReceived": _("Not received for {age}: call the officer or send someone else"),
        "received": _("Received"),
        "waiting": _("waiting for the phone"),
        "call": _("Call {phone}"),
        "withdraw": _("Withdraw"),
        "withdrawReason": _("Not received on the phone"),
        "sendOther": _("Send someone else"),
        "available": _("Available"),
        "busy": _("Busy"),
        "offDuty": _("Off duty"),
        "stale": _("Position {age} old"),
        "created": _("Job {number} created."),
        "dispatched": _("Sent to {names}."),
        "placeOnMap": _("Click on the map to place the job."),
        "placed": _("Placed at {lat}, {lng}."),
        "newJobPin": pgettext("desk", "New job"),
        "mustPlace": _("Place the job on the map first."),
        "summaryRequired": _("Write a summary."),
        "error": _("Something went wrong: {detail}"),
        "networkError": _("No connection to the server. Try again."),
        "noOfficers": _("No officers."),
        "none": _("–"),
        "showAllEnded": _("Show all {count}"),
        "foundOnPatrol": _("Found on patrol"),
        "records": desk_record_labels(),
        "timeline": timeline_labels(),
        **duration_labels(),
    }


def desk_record_labels() -> dict[str, object]:
    """What the desk's record details say: the records' vocabularies (model choices, checklist) and headings."""
    return {
        "outcomes": choice_labels(QuickClearance.Outcome.choices),
        "agreements": choice_labels(QuickClearance.Agreement.choices),
        "responsibilities": choice_labels(Party.Responsibility.choices),
        "statuses": choice_labels(RecordStatus.choices),
        "slots": choice_labels(RecordPhoto.Slot.choices),
        "checklist": {name: str(records.CHECKLIST_LABELS[name]) for name in records.CHECKLIST},
        "rescueKinds": choice_labels(Rescue.Kind.choices),
        "handedTo": choice_labels(Rescue.HandedTo.choices),
        "quickClearance": _("Quick clearance record"),
        "rescue": _("Rescue record"),
        "undecided": _("Checklist: {n} unanswered"),
        "failing": _("Fails:"),
        "photoCount": _("{n} photos"),
        "partyCount": _("{n} vehicles"),
        "photosMissing": _("Photo missing: {slots}"),
        "noPhotos": _("No photos yet."),
        "photoNumber": _("Photo {n}"),
        "openPhoto": _("{slot}: open the full image"),
        "jobPhotos": _("Photos from the scene"),
        "parties": _("Vehicles"),
        "plate": _("Plate number"),
        "vehicleType": _("Vehicle type"),
        "insurer": _("Insurer"),
        "responsibility": _("Responsibility"),
        "noParties": _("No vehicles recorded yet."),
        "agreement": _("Agreement"),
        "vehiclesMoved": _("Vehicles moved"),
        "lanesOpen": _("All lanes open"),
        "tow": _("Tow"),
        "towCalled": _("called"),
        "towNotCalled": _("not called"),
        "notes": _("Notes"),
        "kind": _("Kind"),
        "peopleHelped": _("People helped"),
        "handedToTitle": _("Handed to"),
        # "Family: 张秀英（女儿） 13912345678"
        "handedToWho": _("{kind}: {who}"),
        "outcome": _("Outcome"),
        "started": _("Started"),
        "ended": _("Ended"),
        "recordedBy": _("Recorded by {officer}"),
        "closeImage": _("Close"),
    }


def timeline_labels() -> dict[str, object]:
    """The step timeline's heading and a name for every step fieldapp.records.job_timeline may give."""
    steps = {
        "reported": pgettext("timeline step", "Reported"),
        "dispatched": pgettext("timeline step", "Dispatched"),
        "received": pgettext("timeline step", "Received on the phone"),
        "accepted": pgettext("timeline step", "Accepted"),
        "en_route": pgettext("timeline step", "On the way"),
        "on_scene": pgettext("timeline step", "On scene"),
        "vehicles_moved": pgettext("timeline step", "Vehicles moved"),
        "lanes_open": pgettext("timeline step", "All lanes open"),
        "cleared": pgettext("timeline step", "Cleared"),
        "declined": pgettext("timeline step", "Declined"),
        "withdrawn": pgettext("timeline step", "Withdrawn"),
        "closed": pgettext("timeline step", "Job closed"),
        "cancelled": pgettext("timeline step", "Job cancelled"),
    }
    return {"title": _("Steps ({n})"), "latest": _("latest: {step} {time}"), "steps": steps}
