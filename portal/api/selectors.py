"""Reads of the synced record tables for the unified API. Every query starts from one
connection: there is no function here that could return another customer's rows.

Lookups raise the domain errors of `connectors.exceptions` (`NotFound`, `InvalidInput`);
`portal.api.errors` turns them into 404s and 400s."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import connection as db
from django.db.models import QuerySet

from connectors.exceptions import InvalidInput, NotFound
from connectors.models import Connection
from syncs.models import EngagementRecord, Sync, SyncRun
from syncs.selectors import record_model, sync_list, sync_run_list


def record_list(
    *,
    connection: Connection,
    object_name: str,
    modified_after: datetime | None = None,
    modified_before: datetime | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    include_deleted: bool = True,
) -> QuerySet[EngagementRecord]:
    """The connection's records of one object, filtered as the list endpoint asks (the
    bounds are exclusive, as Supaglue's "after" and "before"; a record without a
    `created_at` matches no `created_*` bound)."""
    queryset = record_model(object_name=object_name).objects.filter(connection=connection)
    bounds = {
        "last_modified_at__gt": modified_after,
        "last_modified_at__lt": modified_before,
        "created_at__gt": created_after,
        "created_at__lt": created_before,
    }
    queryset = queryset.filter(**{key: when for key, when in bounds.items() if when is not None})
    if not include_deleted:
        queryset = queryset.filter(is_deleted=False)
    return queryset


def record_get(*, connection: Connection, object_name: str, remote_id: str) -> EngagementRecord:
    model = record_model(object_name=object_name)
    record = model.objects.filter(connection=connection, remote_id=remote_id).first()
    if record is None:
        singular = model._meta.verbose_name
        raise NotFound(f"No {singular} with id {remote_id!r} for this customer.")
    return record


def _json_array_has(*, table: str, column: str, key: str, values: list[str]) -> tuple[str, list]:
    """SQL: does the JSON array `column` hold an object whose `key` is one of `values`
    (case-insensitively)? JSON containment differs per database, so both are spelled out."""
    # `table`, `column` and `key` come from this module's callers, never from a request;
    # the values searched for are parameters.
    placeholders = ", ".join(["%s"] * len(values))
    if db.vendor == "postgresql":
        sql = (
            f'EXISTS (SELECT 1 FROM jsonb_array_elements("{table}"."{column}") AS item '  # noqa: S608
            f"WHERE lower(item->>'{key}') IN ({placeholders}))"
        )
    else:
        sql = (
            f'EXISTS (SELECT 1 FROM json_each("{table}"."{column}") AS item '  # noqa: S608
            f"WHERE lower(json_extract(item.value, '$.{key}')) IN ({placeholders}))"
        )
    return sql, [value.lower() for value in values]


def contact_search(*, connection: Connection, emails: Iterable[str]) -> QuerySet[EngagementRecord]:
    """Contacts having any of `emails` (any type), compared case-insensitively."""
    model = record_model(object_name="contacts")
    emails = [email for email in emails if email]
    queryset = model.objects.filter(connection=connection)
    if not emails:
        return queryset.none()
    sql, params = _json_array_has(
        table=model._meta.db_table, column="email_addresses", key="email_address", values=emails
    )
    return queryset.extra(where=[sql], params=params)  # noqa: S610 (no user text in the SQL)


def account_search(
    *, connection: Connection, name: str | None = None, domain: str | None = None
) -> QuerySet[EngagementRecord]:
    """Accounts whose name and/or domain equal the given ones (case-insensitive; AND)."""
    queryset = record_model(object_name="accounts").objects.filter(connection=connection)
    if name:
        queryset = queryset.filter(name__iexact=name)
    if domain:
        queryset = queryset.filter(domain__iexact=domain)
    return queryset


def sequence_state_search(
    *, connection: Connection, contact_id: str | None = None, sequence_id: str | None = None
) -> QuerySet[EngagementRecord]:
    queryset = record_model(object_name="sequence_states").objects.filter(connection=connection)
    if contact_id:
        queryset = queryset.filter(contact_id=contact_id)
    if sequence_id:
        queryset = queryset.filter(sequence_id=sequence_id)
    return queryset


# --- management reads ---------------------------------------------------------------------


def syncs_list(
    *,
    customer_id: str | None = None,
    provider_name: str | None = None,
    object_type: str | None = None,
    object_name: str | None = None,
) -> QuerySet[Sync]:
    """Syncs, filtered as `GET /mgmt/v2/syncs` asks. Glue syncs common objects only."""
    queryset = (
        sync_list(
            customer_id=customer_id or None,
            provider_name=provider_name or None,
            object_name=object_name or None,
        )
        .select_related("connection__provider__sync_config")
        .order_by("pk")
    )
    if object_type and object_type != "common":
        return queryset.none()
    return queryset


def sync_runs_list(
    *,
    customer_id: str | None = None,
    provider_name: str | None = None,
    object_type: str | None = None,
    object_name: str | None = None,
    status: str | None = None,
    started: tuple[str, datetime] | None = None,
    ended: tuple[str, datetime] | None = None,
) -> QuerySet[SyncRun]:
    """Runs, newest first, filtered as `GET /mgmt/v2/sync-runs` asks; `started` and `ended`
    are `("gt" | "lt", when)` comparisons."""
    queryset = sync_run_list(
        customer_id=customer_id or None,
        provider_name=provider_name or None,
        object_name=object_name or None,
    ).order_by("-started_at", "-pk")
    if object_type and object_type != "common":
        return queryset.none()
    if status:
        wanted = status.strip().lower()
        if wanted not in SyncRun.Status.values:
            valid = ", ".join(s.upper() for s in SyncRun.Status.values)
            raise InvalidInput("status", f"must be one of {valid}, got {status!r}")
        queryset = queryset.filter(status=wanted)
    if started is not None:
        queryset = queryset.filter(**{f"started_at__{started[0]}": started[1]})
    if ended is not None:
        queryset = queryset.filter(**{f"ended_at__{ended[0]}": ended[1]})
    return queryset
