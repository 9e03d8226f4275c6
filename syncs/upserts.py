"""Writing unified records into the synced tables: bulk upserts and soft deletes.

This runs for every synced record (≥ 5,000 records/s), so the per-record work is one model
instance and nothing else: the database resolves insert-or-update in one statement per batch.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from connectors.models import Connection
from syncs.models.records import RECORD_MODELS, EngagementRecord

UNIQUE_FIELDS = ["connection", "remote_id"]


def record_model(object_name: str) -> type[EngagementRecord]:
    """The synced table of `object_name`; ValueError names the valid ones."""
    try:
        return RECORD_MODELS[object_name]
    except KeyError:
        raise ValueError(
            f"Unknown object {object_name!r}; valid: {', '.join(RECORD_MODELS)}"
        ) from None


_update_fields_cache: dict[type, list[str]] = {}


def _update_fields(model: type[EngagementRecord]) -> list[str]:
    fields = _update_fields_cache.get(model)
    if fields is None:
        fields = [*model.unified_field_names(), "customer_id", "provider_name", "synced_at"]
        fields.append("last_seen_run_id")
        fields.remove("remote_id")
        _update_fields_cache[model] = fields
    return fields


def records_upsert(
    *,
    connection: Connection,
    object_name: str,
    records: Iterable[dict[str, Any]],
    run_id: int | None = None,
) -> int:
    """Insert or update unified records (dicts with `id` and every unified field) for
    `connection`; returns the number of rows written. Call inside a transaction to make a
    page atomic. `run_id` stamps `last_seen_run_id` (None: a write-through, stamped with
    nothing so a full run in progress never counts it as unseen, see `records_soft_delete_unseen`).
    """
    model = record_model(object_name)
    unified = model.unified_field_names()
    unified.remove("remote_id")
    common = {
        "connection_id": connection.pk,
        "customer_id": connection.customer.customer_id,
        "provider_name": connection.provider.name,
        "last_seen_run_id": run_id,
    }
    # Last one wins if a page repeats an id (PostgreSQL refuses to update a row twice in one
    # statement); keyed by id, which also keeps the page order otherwise.
    by_id = {record["id"]: record for record in records}
    rows = [
        model(remote_id=remote_id, **common, **{name: record[name] for name in unified})
        for remote_id, record in by_id.items()
    ]
    if rows:
        model.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=UNIQUE_FIELDS,
            update_fields=_update_fields(model),
        )
    return len(rows)


def records_soft_delete_unseen(
    *, connection: Connection, object_name: str, run_id: int, run_started_at: datetime
) -> int:
    """After a successful full run: mark deleted, in one UPDATE, every live row of this
    connection and object that the run did not stamp. Rows written since the run started
    (write-throughs from the API) are spared: the run may have paged past them already.
    Returns the number of rows marked."""
    model = record_model(object_name)
    return (
        model.objects.filter(connection=connection, is_deleted=False, synced_at__lt=run_started_at)
        .filter(Q(last_seen_run_id__isnull=True) | ~Q(last_seen_run_id=run_id))
        .update(is_deleted=True, last_modified_at=timezone.now(), synced_at=timezone.now())
    )
