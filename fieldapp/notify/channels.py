"""The channels that need no provider: the WebSocket feed, the desk flag and the console log."""
from __future__ import annotations

import logging

from django.utils.translation import gettext as _

from fieldapp.notify.base import AttemptContext, Channel, Result

log = logging.getLogger("fieldapp.notify")


class WebSocketChannel(Channel):
    """Today's feed: the dispatch service stored and pushed the frame; this records it as the first attempt."""

    name = "websocket"

    def send(self, context: AttemptContext) -> Result:
        from fieldapp.models import OfficerMessage

        seq = (
            OfficerMessage.objects.filter(
                officer_id=context.officer_id, type="assignment.new", frame__assignment__id=context.assignment_id
            )
            .values_list("seq", flat=True)
            .first()
        )
        if seq is None:
            return Result.failed(_("The feed frame is gone."))
        return Result.sent(provider_message_id=f"feed#{seq}")


class DeskChannel(Channel):
    name = "desk"

    def send(self, context: AttemptContext) -> Result:
        # The attempt itself is the flag: the desk gets it in `assignment.notified` and rings.
        return Result.sent(reason=_("Not received: call the officer."))



class LogChannel(Channel):
    """The development stand-in for SMS and voice: the attempt is written and printed."""

    name = "log"

    def send(self, context: AttemptContext) -> Result:
        line = f"[notify] {context.step} officer={context.officer_id} {context.short_text()}"
        log.warning(line)
        return Result.sent(provider_message_id="log")
