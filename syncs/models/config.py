"""What to sync (`SyncConfig`, one per provider) and where each sync stands (`Sync`, one per
connection × object)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from connectors.base import COMMON_OBJECTS
from connectors.models import Connection, Provider

MIN_PERIOD_MS = 60_000
DEFAULT_PERIOD_MS = 60 * 60_000
OBJECT_CHOICES = [(name, name.replace("_", " ")) for name in COMMON_OBJECTS]


class Strategy(models.TextChoices):
    """How a sync fetches: everything each time, or everything once then only changes."""

    FULL_THEN_INCREMENTAL = "full_then_incremental", "full then incremental"
    FULL_ONLY = "full_only", "full only"


# Settings an object may override, with a validator each (raises ValueError with a message).
def _check_strategy(value: object) -> None:
    if value not in Strategy.values:
        raise ValueError(f"must be one of {', '.join(Strategy.values)}")


def _check_period(value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < MIN_PERIOD_MS:
        raise ValueError(f"must be a whole number of milliseconds ≥ {MIN_PERIOD_MS}")


def _check_every_n(value: object) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError("must be a whole number ≥ 1, or null for never")


OVERRIDABLE = {
    "strategy": _check_strategy,
    "period_ms": _check_period,
    "full_sync_every_n_incrementals": _check_every_n,
}


@dataclass(frozen=True)
class ObjectSettings:
    """The effective settings of one object: the config's defaults with its override applied."""

    strategy: str
    period_ms: int
    full_sync_every_n_incrementals: int | None


class SyncConfig(models.Model):
    """A provider's sync settings, shared by every connection to it."""

    provider = models.OneToOneField(Provider, on_delete=models.CASCADE, related_name="sync_config")
    name = models.CharField(max_length=255, blank=True)
    # Supaglue's name for it; `objects` would shadow the manager.
    common_objects = models.JSONField(
        default=list, blank=True, help_text=f"Objects to sync, among: {', '.join(COMMON_OBJECTS)}."
    )
    strategy = models.CharField(
        max_length=30, choices=Strategy.choices, default=Strategy.FULL_THEN_INCREMENTAL
    )
    period_ms = models.BigIntegerField(
        default=DEFAULT_PERIOD_MS,
        validators=[MinValueValidator(MIN_PERIOD_MS)],
        help_text="Time between runs, in milliseconds (at least one minute).",
    )
    full_sync_every_n_incrementals = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Run a full sync after this many incrementals (blank: never).",
    )
    auto_start_on_connection = models.BooleanField(
        default=True,
        help_text="Start syncing as soon as a customer connects (else created paused).",
    )
    realtime = models.BooleanField(
        "real-time",
        default=False,
        help_text="Subscribe new connections to the provider's change events (webhooks), so "
        "changes reach the mirror within seconds; scheduled syncs still reconcile.",
    )
    object_overrides = models.JSONField(
        default=dict,
        blank=True,
        help_text='Per object: {"contacts": {"period_ms": 120000, "strategy": "full_only"}}.',
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "sync config"

    def __str__(self) -> str:
        return self.name or f"{self.provider} sync config"

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        names = self.common_objects
        if not isinstance(names, list) or not all(isinstance(o, str) for o in names):
            errors["common_objects"] = ["must be a list of object names"]
        else:
            unknown = [o for o in self.common_objects if o not in COMMON_OBJECTS]
            if unknown:
                errors["common_objects"] = [
                    f"unknown object(s) {', '.join(unknown)}; valid: {', '.join(COMMON_OBJECTS)}"
                ]
            elif len(set(self.common_objects)) != len(self.common_objects):
                errors["common_objects"] = ["lists an object twice"]
        if self.full_sync_every_n_incrementals == 0:
            errors["full_sync_every_n_incrementals"] = ["must be ≥ 1, or blank for never"]
        overrides = self.object_overrides
        if not isinstance(overrides, dict):
            errors["object_overrides"] = ["must be an object keyed by object name"]
        else:
            problems = []
            for obj, values in overrides.items():
                if obj not in COMMON_OBJECTS:
                    problems.append(f"{obj}: unknown object; valid: {', '.join(COMMON_OBJECTS)}")
                    continue
                if not isinstance(values, dict):
                    problems.append(f"{obj}: must be an object of settings")
                    continue
                for key, value in values.items():
                    check = OVERRIDABLE.get(key)
                    if check is None:
                        problems.append(f"{obj}.{key}: unknown; valid: {', '.join(OVERRIDABLE)}")
                        continue
                    try:
                        check(value)
                    except ValueError as exc:
                        problems.append(f"{obj}.{key}: {exc}")
            if problems:
                errors["object_overrides"] = problems
        if errors:
            raise ValidationError(errors)

    def settings_for(self, object_name: str) -> ObjectSettings:
        override = (self.object_overrides or {}).get(object_name) or {}
        return ObjectSettings(
            strategy=override.get("strategy", self.strategy),
            period_ms=override.get("period_ms", self.period_ms),
            full_sync_every_n_incrementals=override.get(
                "full_sync_every_n_incrementals", self.full_sync_every_n_incrementals
            ),
        )


class Sync(models.Model):
    """One object of one connection, kept in step with the provider. `next_run_at` is the
    single source of truth for when it runs next (the heartbeat enqueues rows that are due)."""

    class Phase(models.TextChoices):
        """What the next run does unless told otherwise."""

        FULL = "full", "full"
        INCREMENTAL = "incremental", "incremental"

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="syncs")
    object_name = models.CharField("object", max_length=30, choices=OBJECT_CHOICES)
    paused = models.BooleanField(default=False)
    paused_reason = models.CharField(max_length=500, blank=True)
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.FULL)
    # Resume point of incremental runs: the greatest last_modified_at stored so far.
    watermark = models.DateTimeField(null=True, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True)
    full_refresh_next = models.BooleanField(default=False)
    # A full pass may take several runs (a killed worker's successor resumes from the
    # watermark): rows stamped by any run since `full_pass_run_id` count as seen by it.
    full_pass_run_id = models.BigIntegerField(null=True, blank=True, editable=False)
    full_pass_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    consecutive_failures = models.PositiveIntegerField(default=0)
    incrementals_since_full = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["connection_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "object_name"], name="one_sync_per_connection_object"
            )
        ]

    def __str__(self) -> str:
        return f"{self.connection} · {self.object_name}"
