"""Words the field and dispatch pages show, translated on the server and sent in the page config.

The JSON of the API carries machine values only (docs/api-dispatch.md); the
pages look their display names up here.
"""
from __future__ import annotations

from django.utils.translation import gettext as _

from fieldapp.models import Assignment, Job


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
            "submit": _("Report and start"),
            "cancel": _("Cancel"),
            "pendingTitle": _("Job found on patrol"),
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
        **duration_labels(),
    }


def dispatch_labels() -> dict[str, str]:
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
        "newJobPin": _("New job"),
        "mustPlace": _("Place the job on the map first."),
        "summaryRequired": _("Write a summary."),
        "error": _("Something went wrong: {detail}"),
        "networkError": _("No connection to the server. Try again."),
        "noOfficers": _("No officers."),
        "none": _("–"),
        **duration_labels(),
    }
