"""One row per execution of a sync: what it did, how it ended."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from syncs.models.config import Sync


class SyncRun(models.Model):
    """A run is written with `.update()` only, so the runner and a reaper marking it dead
    never overwrite each other's fields."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "in progress"
        SUCCESS = "success", "success"
        FAILURE = "failure", "failure"

    class Strategy(models.TextChoices):
        FULL = "full", "full"
        INCREMENTAL = "incremental", "incremental"

    sync = models.ForeignKey(Sync, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    strategy = models.CharField(max_length=20, choices=Strategy.choices)
    started_at = models.DateTimeField(db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Touched after every page and every rate-limit wait: a stale one means the worker died.
    heartbeat_at = models.DateTimeField()
    worker = models.CharField(max_length=255, blank=True, help_text="host:pid of the runner")
    fetched = models.PositiveIntegerField(default=0)
    upserted = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    api_cost = models.PositiveIntegerField(default=0)
    error_type = models.CharField(max_length=100, blank=True)
    error_message = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = "sync run"
        constraints = [
            models.UniqueConstraint(
                fields=["sync"],
                condition=Q(status="in_progress"),
                name="one_running_run_per_sync",
            )
        ]
        indexes = [models.Index(fields=["sync", "-started_at"], name="syncrun_sync_started")]

    def __str__(self) -> str:
        return f"run {self.pk} of {self.sync} ({self.status})"
