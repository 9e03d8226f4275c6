"""An in-memory provider standing in for `connectors.services.stream_pages` in unit tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import models

from connectors.base import Page
from syncs.models import RECORD_MODELS

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def blank_record(object_name: str, remote_id: str, updated_at: datetime, **values) -> dict:
    """A unified record with every field of the object's table."""
    model = RECORD_MODELS[object_name]
    record: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        if field.name not in model.unified_field_names():
            continue
        if field.has_default():
            record[field.name] = field.get_default()
        elif isinstance(field, models.BooleanField):
            record[field.name] = False
        else:
            record[field.name] = None
    record.update(
        id=remote_id,
        created_at=T0,
        updated_at=updated_at,
        last_modified_at=updated_at,
        is_deleted=False,
        raw_data={"id": int(remote_id), "updated_at": updated_at.isoformat()},
    )
    del record["remote_id"]
    record.update(values)
    return record


class FakeProvider:
    """Records per object, served in pages sorted by last_modified_at like the real stream."""

    def __init__(self, page_size: int = 10) -> None:
        self.page_size = page_size
        self.data: dict[str, dict[str, dict]] = {name: {} for name in RECORD_MODELS}
        self.calls: list[tuple[str, datetime | None]] = []
        self.clock = T0
        self.fail_after_pages: int | None = None
        self.error: BaseException | None = None

    def tick(self) -> datetime:
        self.clock += timedelta(seconds=1)
        return self.clock

    def put(self, object_name: str, remote_id: int | str, **values) -> dict:
        record = blank_record(object_name, str(remote_id), self.tick(), **values)
        self.data[object_name][str(remote_id)] = record
        return record

    def delete(self, object_name: str, remote_id: int | str) -> None:
        del self.data[object_name][str(remote_id)]

    def stream_pages(self, *, connection, object_name, since=None, on_wait=None):
        self.calls.append((object_name, since))
        records = sorted(
            self.data[object_name].values(), key=lambda r: (r["last_modified_at"], r["id"])
        )
        if since is not None:
            records = [r for r in records if r["last_modified_at"] > since]
        for number, start in enumerate(range(0, len(records), self.page_size)):
            if self.fail_after_pages is not None and number >= self.fail_after_pages:
                raise self.error
            if on_wait is not None and number == 1:
                on_wait(0.0)
            chunk = [dict(r) for r in records[start : start + self.page_size]]
            yield Page(records=chunk, cursor=chunk[-1]["last_modified_at"], cost=1)
