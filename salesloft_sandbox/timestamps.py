"""Timestamps: stored as UTC epoch microseconds, rendered like Salesloft renders them.

Salesloft renders every timestamp in the team's time zone with exactly six fractional
digits and a numeric offset (`2023-03-07T12:12:52.362090-05:00`; docs/salesloft-api.md
§9); some clients parse them with `%Y-%m-%dT%H:%M:%S.%f%z`, so the format must never vary.
"""

from __future__ import annotations

import math
import threading
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from .defaults import TEAM_TIME_ZONE

_ZONE = ZoneInfo(TEAM_TIME_ZONE)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_hours: dict[int, tuple[str, str]] = {}


def _hour(hour: int) -> tuple[str, str]:
    """Local `YYYY-MM-DDTHH:` and `±HH:MM` for one UTC hour (cached: rendering is hot)."""
    delta = datetime.fromtimestamp(hour * 3600, _ZONE).utcoffset() or timedelta(0)
    offset = int(delta.total_seconds())
    sign = "-" if offset < 0 else "+"
    text = f"{sign}{abs(offset) // 3600:02d}:{abs(offset) % 3600 // 60:02d}"
    local = datetime.fromtimestamp(hour * 3600 + offset, UTC)
    entry = (local.strftime("%Y-%m-%dT%H:"), text)
    if offset % 3600 == 0:  # whole-hour zones only; others would shift the minutes
        _hours[hour] = entry
    return entry


def render(micros: int) -> str:
    """Epoch microseconds → `YYYY-MM-DDTHH:MM:SS.ffffff±HH:MM` in the team's zone."""
    secs, frac = divmod(micros, 1_000_000)
    hour, within = divmod(secs, 3600)
    prefix, text = _hours.get(hour) or _hour(hour)
    if hour not in _hours:  # a zone with a non-whole-hour offset: format fully
        local = datetime.fromtimestamp(secs, _ZONE)
        return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{frac:06d}{text}"
    minutes, seconds = divmod(within, 60)
    return f"{prefix}{minutes:02d}:{seconds:02d}.{frac:06d}{text}"


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


class WallClock:
    """The sandbox's "now": real time plus an offset that only moves forward.

    Token lifetimes, rate-limit windows and write timestamps all read it, so a test
    advances it (`POST /_sandbox/clock {"advance": seconds}`) instead of sleeping through
    an expiry or waiting for the next clock minute. One per sandbox, shared by its teams.
    """

    def __init__(self) -> None:
        self._offset_us = 0
        self._lock = threading.Lock()

    def time(self) -> float:
        """Seconds since the epoch, like `time.time()`."""
        return time.time() + self._offset_us / 1_000_000

    def micros(self) -> int:
        """Microseconds since the epoch."""
        return time.time_ns() // 1000 + self._offset_us

    def advance(self, seconds: float) -> None:
        if not (seconds >= 0 and math.isfinite(seconds)):  # time never runs backwards here
            raise ValueError(f"the clock only moves forward, not by {seconds!r} s")
        with self._lock:
            self._offset_us += round(seconds * 1_000_000)

    @property
    def offset(self) -> float:
        return self._offset_us / 1_000_000


class Clock:
    """Hands out strictly increasing "now" values, so every write sorts after the last."""

    def __init__(self, wall: WallClock | None = None) -> None:
        self.wall = wall or WallClock()
        self._last = 0
        self._lock = threading.Lock()

    def now(self) -> int:
        with self._lock:
            current = self.wall.micros()
            self._last = max(current, self._last + 1)
            return self._last
