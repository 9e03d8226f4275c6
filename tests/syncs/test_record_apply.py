"""`record_apply`: one record through the sync upsert, never backwards, idempotent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from syncs.models import Contact
from syncs.services import record_apply
from tests.syncs.fakes import blank_record

pytestmark = pytest.mark.django_db

T1 = datetime(2024, 3, 7, 12, 0, tzinfo=UTC)
T2 = T1 + timedelta(minutes=5)


def contact(updated_at: datetime, first_name: str, remote_id: str = "7") -> dict:
    return blank_record("contacts", remote_id, updated_at, first_name=first_name)


def apply(connection, record, deleted=False) -> str:
    return record_apply(
        connection=connection, object_name="contacts", record=record, deleted=deleted
    )


def test_inserts_then_moves_forward(connection):
    assert apply(connection, contact(T1, "Ann")) == "applied"
    assert apply(connection, contact(T2, "Bea")) == "applied"
    row = Contact.objects.get(connection=connection, remote_id="7")
    assert (row.first_name, row.updated_at, row.is_deleted) == ("Bea", T2, False)
    assert row.last_seen_run_id is None  # a write-through: a full pass never counts it unseen


def test_an_older_record_is_ignored_as_stale(connection):
    apply(connection, contact(T2, "New"))
    assert apply(connection, contact(T1, "Old")) == "ignored_stale"
    assert Contact.objects.get(connection=connection, remote_id="7").first_name == "New"


def test_the_same_record_twice_changes_nothing_more(connection):
    apply(connection, contact(T1, "Ann"))
    first = Contact.objects.values().get(connection=connection, remote_id="7")
    assert apply(connection, contact(T1, "Ann")) == "applied"
    again = Contact.objects.values().get(connection=connection, remote_id="7")
    assert Contact.objects.filter(connection=connection).count() == 1
    assert {k: v for k, v in again.items() if k != "synced_at"} == {
        k: v for k, v in first.items() if k != "synced_at"
    }


def test_delete_soft_deletes_and_an_older_update_cannot_revive(connection):
    apply(connection, contact(T1, "Ann"))
    assert apply(connection, {"id": "7", "updated_at": T2}, deleted=True) == "applied"
    row = Contact.objects.get(connection=connection, remote_id="7")
    assert row.is_deleted and row.updated_at == T2
    assert apply(connection, contact(T1 + timedelta(minutes=1), "Zombie")) == "ignored_stale"
    assert Contact.objects.get(connection=connection, remote_id="7").is_deleted


def test_deleting_an_unknown_record_writes_nothing(connection):
    assert apply(connection, {"id": "404", "updated_at": None}, deleted=True) == "applied"
    assert not Contact.objects.filter(connection=connection).exists()
