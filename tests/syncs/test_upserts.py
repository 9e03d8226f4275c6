"""The upsert writes rows the ORM reads back unchanged, on both write paths."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import models, transaction

from syncs import upserts
from syncs.models import RECORD_MODELS, Contact, Email
from syncs.upserts import records_upsert
from tests.syncs.fakes import blank_record

pytestmark = pytest.mark.django_db

EST = timezone(timedelta(hours=-5))


@pytest.fixture(params=["fast", "bulk_create"])
def write_path(request, monkeypatch):
    if request.param == "bulk_create":
        monkeypatch.setattr(upserts, "FAST_VENDORS", set())
    return request.param


def contact(**values) -> dict:
    updated = datetime(2024, 3, 7, 12, 12, 52, 362090, tzinfo=EST)
    fields = dict(
        first_name="Zoë",
        address={"street_1": None, "city": "Köln", "state": None, "country": "DE",
                 "street_2": None, "postal_code": None},
        email_addresses=[{"email_address": "z@example.com", "email_address_type": "primary"}],
        custom_fields={"Tier": "gold", "Score": 3.5},
        tags=["vip", "ü"],
        open_count=7,
        raw_data={"id": 42, "nested": {"list": [1, None, "x"]}, "big": 2**70},
    )  # fmt: skip
    return blank_record("contacts", "42", updated, **{**fields, **values})


def test_rows_read_back_exactly(write_path, connection):
    record = contact()
    with transaction.atomic():
        assert (
            records_upsert(
                connection=connection, object_name="contacts", records=[record], run_id=9
            )
            == 1
        )

    row = Contact.objects.get(connection=connection, remote_id="42")
    for name in ("first_name", "address", "email_addresses", "custom_fields", "tags"):
        assert getattr(row, name) == record[name], name
    assert row.raw_data == record["raw_data"]
    assert row.updated_at == record["updated_at"] and row.updated_at.microsecond == 362090
    assert row.last_modified_at == record["last_modified_at"]
    assert (row.open_count, row.is_deleted, row.last_seen_run_id) == (7, False, 9)
    assert (row.customer_id, row.provider_name) == (connection.customer.customer_id, "salesloft")
    # Stored in the ORM's own formats: its lookups find the row.
    assert Contact.objects.filter(last_modified_at=record["last_modified_at"]).count() == 1
    assert Contact.objects.filter(
        last_modified_at__gt=record["last_modified_at"] - timedelta(microseconds=1)
    ).exists()
    assert Contact.objects.filter(custom_fields__Tier="gold").exists()


def test_upserting_again_updates_in_place_and_the_last_duplicate_wins(write_path, connection):
    records_upsert(connection=connection, object_name="contacts", records=[contact()], run_id=1)
    row_id = Contact.objects.get().row_id
    changed = contact(first_name="Changed", is_deleted=True, tags=[])
    records_upsert(
        connection=connection,
        object_name="contacts",
        records=[contact(first_name="Lost"), changed],
        run_id=2,
    )
    row = Contact.objects.get()
    assert (row.row_id, row.first_name, row.is_deleted, row.tags) == (row_id, "Changed", True, [])
    assert row.last_seen_run_id == 2


def test_null_timestamps_and_json(write_path, connection):
    email = blank_record("emails", "5", datetime(2024, 1, 1, tzinfo=UTC), raw_data={})
    email.update(updated_at=None, sent_at=None, last_modified_at=None, subject=None)
    records_upsert(connection=connection, object_name="emails", records=[email])
    row = Email.objects.get()
    assert (row.updated_at, row.sent_at, row.subject, row.last_seen_run_id) == (
        None, None, None, None
    )  # fmt: skip
    assert row.last_modified_at == email["created_at"]  # never null: falls back to created_at


def test_unknown_object_is_named(connection):
    with pytest.raises(ValueError, match="Unknown object 'deals'; valid: users, mailboxes"):
        records_upsert(connection=connection, object_name="deals", records=[])


@pytest.mark.parametrize("object_name", list(RECORD_MODELS))
def test_every_column_of_every_table_lands_in_its_own_field(write_path, connection, object_name):
    """The statement groups columns by how they are adapted; each value still reaches the
    column of its own field (distinct values, so a swapped pair would show)."""
    model = RECORD_MODELS[object_name]
    base = datetime(2024, 5, 1, tzinfo=UTC)
    values = {}
    for number, field in enumerate(model._meta.concrete_fields):
        if field.name not in model.unified_field_names() or field.name == "remote_id":
            continue
        if isinstance(field, models.DateTimeField):
            values[field.name] = base + timedelta(minutes=number)
        elif isinstance(field, models.JSONField):
            values[field.name] = {"field": field.name}
        elif isinstance(field, models.BooleanField):
            values[field.name] = True
        elif isinstance(field, models.IntegerField):
            values[field.name] = 1000 + number
        else:
            values[field.name] = f"{field.name}-{number}"
    record = {**blank_record(object_name, "77", base), **values}

    records_upsert(connection=connection, object_name=object_name, records=[record], run_id=3)

    row = model.objects.get(connection=connection, remote_id="77")
    assert {name: getattr(row, name) for name in values} == values
