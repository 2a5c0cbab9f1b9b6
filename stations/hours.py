"""Opening hours: OSM expressions evaluated on China's calendar, in Asia/Shanghai."""
from __future__ import annotations

import opening_hours as osm


class OpeningHoursError(ValueError):
    """An expression that cannot be used; the message is shown to the user."""


def parse_expression(expression: str) -> osm.OpeningHours:
    try:
        return osm.OpeningHours(expression)
    except (osm.ParserError, SyntaxError, ValueError) as exc:
        raise OpeningHoursError(f"Invalid opening hours “{expression}”: {exc}") from exc
