"""Reads on syncs and runs, for the admin, the API and the command line."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, OuterRef, QuerySet, Subquery

from connectors.base import COMMON_OBJECTS
from connectors.exceptions import NotFound
from connectors.models import Connection
from connectors.selectors import connection_list, customer_list
from syncs.models import RECORD_MODELS, EngagementRecord, Sync, SyncConfig, SyncRun


def record_model(*, object_name: str) -> type[EngagementRecord]:
    """The synced table of `object_name`; ValueError names the valid ones (callers pass
    names from `COMMON_OBJECTS`: an unknown one is a bug, not a user's input)."""
    try:
        return RECORD_MODELS[object_name]
    except KeyError:
        raise ValueError(
            f"Unknown object {object_name!r}; valid: {', '.join(RECORD_MODELS)}"
        ) from None


def sync_config_list() -> QuerySet[SyncConfig]:
    return SyncConfig.objects.select_related("provider").order_by("pk")


def sync_config_get(*, sync_config_id: str) -> SyncConfig:
    config = (
        SyncConfig.objects.select_related("provider").filter(pk=sync_config_id).first()
        if sync_config_id.isdigit()
        else None
    )
    if config is None:
        raise NotFound(f"No sync config {sync_config_id!r}.")
    return config


def sync_get(*, connection: Connection, object_name: str) -> Sync:
    sync = Sync.objects.filter(connection=connection, object_name=object_name).first()
    if sync is None:
        raise NotFound(f"This connection has no sync of {object_name!r}.")
    return sync


def sync_list(
    *,
    customer_id: str | None = None,
    provider_name: str | None = None,
    object_name: str | None = None,
) -> QuerySet[Sync]:
    syncs = Sync.objects.select_related("connection__customer", "connection__provider")
    if customer_id is not None:
        syncs = syncs.filter(connection__customer__customer_id=customer_id)
    if provider_name is not None:
        syncs = syncs.filter(connection__provider__name=provider_name)
    if object_name is not None:
        syncs = syncs.filter(object_name=object_name)
    return syncs


def sync_run_list(
    *,
    customer_id: str | None = None,
    provider_name: str | None = None,
    object_name: str | None = None,
    status: str | None = None,
) -> QuerySet[SyncRun]:
    runs = SyncRun.objects.select_related(
        "sync__connection__customer", "sync__connection__provider"
    )
    if customer_id is not None:
        runs = runs.filter(sync__connection__customer__customer_id=customer_id)
    if provider_name is not None:
        runs = runs.filter(sync__connection__provider__name=provider_name)
    if object_name is not None:
        runs = runs.filter(sync__object_name=object_name)
    if status is not None:
        runs = runs.filter(status=status)
    return runs


def sync_run_get(*, run_id: str) -> SyncRun:
    run = sync_run_list().filter(pk=run_id).first() if run_id.isdigit() else None
    if run is None:
        raise NotFound(f"No sync run {run_id!r}.")
    return run


def syncs_with_last_run(syncs: QuerySet[Sync] | None = None) -> QuerySet[Sync]:
    """`syncs` annotated with their latest run's `last_status` and `last_started` (None
    for a sync that never ran), in one query."""
    latest = SyncRun.objects.filter(sync=OuterRef("pk")).order_by("-started_at", "-id")
    return (Sync.objects.all() if syncs is None else syncs).annotate(
        last_status=Subquery(latest.values("status")[:1]),
        last_started=Subquery(latest.values("started_at")[:1]),
    )


def records_count(*, connection_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """How many synced rows each connection holds, per object, in sync order:
    `{connection_id: {object_name: count}}`. Rows marked deleted count too (`records_purge`
    removes them as well); objects with no rows are left out. One query per object."""
    ids = list(connection_ids)
    counts: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    for name, model in RECORD_MODELS.items():
        rows = (
            model.objects.filter(connection_id__in=ids)
            .values("connection_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in rows:
            counts[row["connection_id"]][name] = row["n"]
    return counts


def sync_last_run(*, sync: Sync) -> SyncRun | None:
    return SyncRun.objects.filter(sync=sync).order_by("-started_at", "-id").first()


def connection_for_customer(*, customer_id: str, provider_name: str | None = None) -> Connection:
    """The customer's connection (to `provider_name`, or its only one). `NotFound` says which
    customers or providers exist."""
    try:
        connections = connection_list(customer_id=customer_id)
    except NotFound:
        known = list(customer_list().values_list("customer_id", flat=True)[:50])
        raise NotFound(
            f"Unknown customer {customer_id!r}; valid: {', '.join(known) or '(no customers yet)'}"
        ) from None
    names = sorted(c.provider.name for c in connections)
    if provider_name is None and len(names) == 1:
        return connections.get()
    match = connections.filter(provider__name=provider_name).first() if provider_name else None
    if match is None:
        what = f"no {provider_name} connection" if provider_name else "several connections"
        raise NotFound(
            f"Customer {customer_id!r} has {what}; "
            f"its providers: {', '.join(names) or '(none: connect it first)'}"
        )
    return match


def syncs_for_objects(*, connection: Connection, object_names: list[str] | None) -> list[Sync]:
    """The connection's syncs for `object_names` (all when None), parents first. `NotFound`
    names the unknown object and the valid ones."""
    syncs = {
        s.object_name: s
        for s in Sync.objects.filter(connection=connection).select_related(
            "connection__customer", "connection__provider"
        )
    }
    valid = [name for name in COMMON_OBJECTS if name in syncs]
    if not valid:
        raise NotFound(
            f"{connection} has no syncs: save a sync config for {connection.provider.name} first"
        )
    for name in object_names or []:
        if name not in syncs:
            raise NotFound(f"Unknown object {name!r}; valid: {', '.join(valid)}")
    wanted = object_names or valid
    return [syncs[name] for name in COMMON_OBJECTS if name in wanted]
