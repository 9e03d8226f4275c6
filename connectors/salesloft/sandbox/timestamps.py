"""Timestamps: stored as UTC epoch microseconds, rendered like Salesloft renders them.

Salesloft renders every timestamp in the team's time zone with exactly six fractional
digits and a numeric offset (`2023-03-07T12:12:52.362090-05:00`, reference §7); some
clients parse them with `%Y-%m-%dT%H:%M:%S.%f%z`, so the format must never vary.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from .defaults import TEAM_TIME_ZONE

_ZONE = ZoneInfo(TEAM_TIME_ZONE)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_offsets: dict[int, tuple[int, str]] = {}


def _offset_for_hour(hour: int) -> tuple[int, str]:
    """The zone's UTC offset for one UTC hour; cached because rendering is hot."""
    cached = _offsets.get(hour)
    if cached is None:
        delta = datetime.fromtimestamp(hour * 3600, _ZONE).utcoffset() or timedelta(0)
        seconds = int(delta.total_seconds())
        sign = "-" if seconds < 0 else "+"
        text = f"{sign}{abs(seconds) // 3600:02d}:{abs(seconds) % 3600 // 60:02d}"
        cached = _offsets[hour] = (seconds, text)
    return cached


def render(micros: int) -> str:
    """Epoch microseconds → `YYYY-MM-DDTHH:MM:SS.ffffff±HH:MM` in the team's zone."""
    secs, frac = divmod(micros, 1_000_000)
    offset, text = _offset_for_hour(secs // 3600)
    t = time.gmtime(secs + offset)
    return (
        f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T"
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}.{frac:06d}{text}"
    )


def render_date(micros: int) -> str:
    """Epoch microseconds → the team-local calendar date `YYYY-MM-DD`."""
    return render(micros)[:10]


def parse(text: str) -> int:
    """Any ISO-8601 variant clients send → epoch microseconds.

    Accepts `Z` or numeric offsets and 0–9 fractional digits (digits past the sixth are
    truncated, which keeps microsecond comparisons exact). A value without an offset is
    read as UTC [unverified: Salesloft may read it in the team's zone]. Raises ValueError.
    """
    value = datetime.fromisoformat(text.strip().replace(" ", "T", 1) if "T" not in text else text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


class Clock:
    """Hands out strictly increasing "now" values, so every write sorts after the last."""

    def __init__(self) -> None:
        self._last = 0
        self._lock = threading.Lock()

    def now(self) -> int:
        with self._lock:
            current = time.time_ns() // 1000
            self._last = max(current, self._last + 1)
            return self._last
