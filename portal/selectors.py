"""Reads for the portal's dashboard: how every connection and sync is doing, at a glance."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncHour
from django.urls import reverse
from django.utils import timezone

from connectors.models import Connection
from connectors.selectors import rate_budget_windows
from portal.models import WebhookDelivery, WebhookEndpoint
from syncs.models import RECORD_MODELS, SyncRun
from syncs.selectors import syncs_with_last_run


@dataclass
class Figure:
    label: str
    value: int
    url: str
    status: str = ""


@dataclass
class HourBar:
    hour: datetime
    success: int = 0
    failure: int = 0


@dataclass
class Dashboard:
    connections: list[Figure]
    syncs: list[Figure]
    records: list[Figure]
    runs: list[HourBar]
    runs_url: str
    budgets: list[dict] = field(default_factory=list)
    webhooks: list[Figure] = field(default_factory=list)


def _changelist(model_label: str, **filters: object) -> str:
    url = reverse(f"admin:{model_label}_changelist")
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    return f"{url}?{query}" if query else url


def connection_counts() -> list[Figure]:
    counts = dict(Connection.objects.values_list("status").annotate(n=Count("id")))
    return [
        Figure(
            status.label,
            counts.get(status.value, 0),
            _changelist("connectors_connection", status__exact=status.value),
            status.value,
        )
        for status in Connection.Status
    ]


def sync_health_counts() -> list[Figure]:
    syncs = syncs_with_last_run()
    failing_q = Q(paused=False, last_status=SyncRun.Status.FAILURE)
    totals = syncs.aggregate(
        n_paused=Count("id", filter=Q(paused=True)),
        n_failing=Count("id", filter=failing_q),
        n_all=Count("id"),
    )
    paused, failing = totals["n_paused"], totals["n_failing"]
    healthy = totals["n_all"] - paused - failing
    return [
        Figure("Healthy", healthy, _changelist("syncs_sync", health="healthy"), "healthy"),
        Figure("Failing", failing, _changelist("syncs_sync", health="failing"), "failing"),
        Figure("Paused", paused, _changelist("syncs_sync", health="paused"), "paused"),
    ]


def webhook_counts() -> list[Figure]:
    """Outbound webhooks: endpoints sending, endpoints disabled because they kept failing
    (flagged: nothing reaches them until someone enables them again), deliveries given up."""
    endpoints = WebhookEndpoint.objects.aggregate(
        n_on=Count("id", filter=Q(enabled=True)),
        n_off=Count("id", filter=Q(enabled=False, disabled_at__isnull=False)),
    )
    failed = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.FAILED).count()
    return [
        Figure("Endpoints sending", endpoints["n_on"],
               _changelist("portal_webhookendpoint", enabled__exact=1), "healthy"),
        Figure("Endpoints disabled: kept failing", endpoints["n_off"],
               _changelist("portal_webhookendpoint", enabled__exact=0), "failing"),
        Figure("Deliveries given up", failed,
               _changelist("portal_webhookdelivery", status__exact="failed"), "failing"),
    ]  # fmt: skip


def record_counts() -> list[Figure]:
    return [
        Figure(
            name.replace("_", " "),
            model.objects.filter(is_deleted=False).count(),
            _changelist(f"syncs_{model._meta.model_name}", is_deleted__exact=0),
        )
        for name, model in RECORD_MODELS.items()
    ]


def runs_by_hour(*, now: datetime | None = None, hours: int = 24) -> list[HourBar]:
    now = now or timezone.now()
    start = (now - timedelta(hours=hours - 1)).replace(minute=0, second=0, microsecond=0)
    bars = {start + timedelta(hours=i): HourBar(start + timedelta(hours=i)) for i in range(hours)}
    rows = (
        SyncRun.objects.filter(started_at__gte=start)
        .annotate(hour=TruncHour("started_at"))
        .values("hour")
        .annotate(
            success=Count("id", filter=Q(status=SyncRun.Status.SUCCESS)),
            failure=Count("id", filter=Q(status=SyncRun.Status.FAILURE)),
        )
    )
    for row in rows:
        bar = bars.get(row["hour"])
        if bar is not None:
            bar.success, bar.failure = row["success"], row["failure"]
    return list(bars.values())


def budget_usage(*, now: datetime | None = None) -> list[dict]:
    """Per provider account (team): its live rate window (shared by every process) and the
    API cost its sync runs spent in the last hour and day."""
    now = now or timezone.now()
    rows = (
        SyncRun.objects.filter(started_at__gte=now - timedelta(days=1))
        .values("sync__connection__provider__name", "sync__connection__remote_account_id")
        .annotate(
            day=Sum("api_cost"),
            hour=Sum("api_cost", filter=Q(started_at__gte=now - timedelta(hours=1))),
            connections=Count("sync__connection", distinct=True),
        )
    )
    usage: dict[str, dict] = {}
    for row in rows:
        provider = row["sync__connection__provider__name"]
        team = row["sync__connection__remote_account_id"] or "unknown"
        usage[f"{provider}:{team}"] = {
            "provider": provider,
            "team": team,
            "hour": row["hour"] or 0,
            "day": row["day"] or 0,
            "connections": row["connections"],
            "window": None,
        }
    for key, window in rate_budget_windows(now=now.timestamp()).items():
        provider, _, team = key.partition(":")
        entry = usage.setdefault(
            key,
            {"provider": provider, "team": team, "hour": 0, "day": 0, "connections": 0},
        )
        entry["window"] = window
    return sorted(usage.values(), key=lambda entry: -entry["day"])


def dashboard() -> Dashboard:
    since = (timezone.now() - timedelta(hours=24)).strftime("%Y-%m-%d %H:%M:%S")
    return Dashboard(
        connections=connection_counts(),
        syncs=sync_health_counts(),
        records=record_counts(),
        runs=runs_by_hour(),
        runs_url=_changelist("syncs_syncrun", started_at__gte=since.replace(" ", "+")),
        budgets=budget_usage(),
        webhooks=webhook_counts(),
    )
