"""The road work thresholds, each a setting with the default the issue names.

Read through these functions (not copied as literals) by the rules' callers,
the pages (which name them beside the rates) and the JS (through page config).
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from fieldapp import roadwork


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def covered_minutes() -> float:
    """ROADWORK_COVERED_MINUTES: one officer's minutes in a window that make it covered (Koper 1995: 10–15)."""
    return _setting("ROADWORK_COVERED_MINUTES", 10)


def join_gap_minutes() -> float:
    """ROADWORK_VISIT_GAP_MINUTES: fixes closer than this join one visit."""
    return _setting("ROADWORK_VISIT_GAP_MINUTES", 3)


def max_accuracy_m() -> float:
    """ROADWORK_MAX_ACCURACY_M: a fix reporting a worse accuracy is skipped."""
    return _setting("ROADWORK_MAX_ACCURACY_M", 100)


def flag_ahead_minutes() -> float:
    """ROADWORK_FLAG_AHEAD_MINUTES: an uncovered window starting this soon is flagged on the desk."""
    return _setting("ROADWORK_FLAG_AHEAD_MINUTES", 15)


def desk_refresh_s() -> int:
    """ROADWORK_DESK_REFRESH_S: how often the desk's points layer and the post card ask again."""
    return int(_setting("ROADWORK_DESK_REFRESH_S", 20))


def rules() -> roadwork.Rules:
    return roadwork.Rules(
        join_gap=timedelta(minutes=join_gap_minutes()),
        covered_minutes=covered_minutes(),
        max_accuracy_m=max_accuracy_m(),
    )
