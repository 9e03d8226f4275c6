"""Streams for the seven objects and single-record operations, against the sandbox."""

from __future__ import annotations

from datetime import datetime

import pytest

from connectors.exceptions import InvalidInput, ProviderError
from connectors.services import (
    record_create,
    record_delete,
    record_fetch,
    record_update,
    sequence_steps_fetch,
    stream_pages,
)
from tests.connectors.conftest import api_key_connection

pytestmark = pytest.mark.django_db

OBJECTS = {
    "users": "users",
    "accounts": "accounts",
    "contacts": "people",
    "sequences": "cadences",
    "sequence_states": "cadence_memberships",
    "emails": "activities/emails",
}


@pytest.mark.parametrize("object_name", [*OBJECTS, "mailboxes"])
def test_every_stream_reads_every_record_once_as_unified_dicts(sandbox, object_name):
    connection = api_key_connection(sandbox)
    truth = sandbox.control.snapshot(OBJECTS.get(object_name, "users"))

    pages = list(stream_pages(connection=connection, object_name=object_name))

    records = [record for page in pages for record in page.records]
    assert sorted(record["id"] for record in records) == sorted(str(i) for i in truth)
    for record in records:
        assert isinstance(record["id"], str) and isinstance(record["raw_data"], dict)
        assert isinstance(record["last_modified_at"], datetime)
        assert record["last_modified_at"].tzinfo is not None
    assert pages[-1].cursor == max(record["last_modified_at"] for record in records)
    assert all(page.cost >= 0 for page in pages) and sum(page.cost for page in pages) >= 1


def test_mailboxes_are_the_users_sending_identities(sandbox):
    connection = api_key_connection(sandbox)
    pages = stream_pages(connection=connection, object_name="users")
    users = {record["id"]: record for page in pages for record in page.records}
    for page in stream_pages(connection=connection, object_name="mailboxes"):
        for mailbox in page.records:
            raw = users[mailbox["id"]]["raw_data"]
            assert mailbox["user_id"] == mailbox["id"]
            assert mailbox["email"] == (raw["sending_email_address"] or raw["email"])


def test_sequences_carry_their_step_counts(sandbox):
    connection = api_key_connection(sandbox)
    pages = stream_pages(connection=connection, object_name="sequences")
    sequences = [record for page in pages for record in page.records]
    for sequence in sequences:
        steps = sequence_steps_fetch(connection=connection, sequence_id=sequence["id"])
        assert sequence["num_steps"] == len(steps) > 0


def test_an_incremental_read_returns_only_what_changed(fresh_sandbox):
    connection = api_key_connection(fresh_sandbox)
    first = list(stream_pages(connection=connection, object_name="contacts"))
    watermark = first[-1].cursor
    changed = fresh_sandbox.control.mutate("people", update=5, create=2)

    later = list(stream_pages(connection=connection, object_name="contacts", since=watermark))

    ids = {record["id"] for page in later for record in page.records}
    expected = {str(i) for i in changed["updated"]} | {str(r) for r in changed["created"]}
    assert expected <= ids
    assert len(ids - expected) <= 1  # at most the record(s) at the watermark itself


def test_an_incremental_sequence_read_counts_steps_per_changed_cadence(fresh_sandbox):
    connection = api_key_connection(fresh_sandbox)
    watermark = list(stream_pages(connection=connection, object_name="sequences"))[-1].cursor
    fresh_sandbox.control.mutate("cadences", archive=1)
    fresh_sandbox.control.reset_stats()

    pages = stream_pages(connection=connection, object_name="sequences", since=watermark)
    later = [record for page in pages for record in page.records]

    archived = [r for r in later if r["is_archived"]]
    assert archived and archived[0]["is_deleted"] and archived[0]["num_steps"] > 0
    paths = fresh_sandbox.control.stats()["paths"]
    assert paths["GET /v2/steps"]["requests"] == len(later)  # one small count per cadence


def test_contacts_are_created_updated_and_fetched(fresh_sandbox):
    connection = api_key_connection(fresh_sandbox)
    created = record_create(
        connection=connection,
        object_name="contacts",
        record={
            "first_name": "Ada",
            "last_name": "Lovelace",
            "job_title": "Engineer",
            "email_addresses": [
                {"email_address": "ada@engines.test", "email_address_type": "primary"}
            ],
            "phone_numbers": [{"phone_number": "+15550001111", "phone_number_type": "mobile"}],
            "custom_fields": {"Lead Source": "Referral"},
        },
    )
    assert created["id"].isdigit() and created["first_name"] == "Ada"
    assert created["email_addresses"] == [
        {"email_address": "ada@engines.test", "email_address_type": "primary"}
    ]

    updated = record_update(
        connection=connection,
        object_name="contacts",
        remote_id=created["id"],
        record={"job_title": "Chief Engineer"},
    )
    assert updated["job_title"] == "Chief Engineer" and updated["first_name"] == "Ada"
    assert updated["last_modified_at"] > created["last_modified_at"]
    fetched = record_fetch(connection=connection, object_name="contacts", remote_id=created["id"])
    assert fetched["job_title"] == "Chief Engineer"


def test_a_salesloft_422_keeps_its_field_errors(fresh_sandbox):
    connection = api_key_connection(fresh_sandbox)
    record = {"email_addresses": [{"email_address": "dup@x.test", "email_address_type": "primary"}]}
    record_create(connection=connection, object_name="contacts", record=record)
    with pytest.raises(ProviderError) as caught:
        record_create(connection=connection, object_name="contacts", record=record)
    assert caught.value.status == 422
    assert "email_address" in caught.value.body["errors"]


def test_accounts_are_created_and_updated(fresh_sandbox):
    connection = api_key_connection(fresh_sandbox)
    created = record_create(
        connection=connection,
        object_name="accounts",
        record={"name": "Engines Ltd", "domain": "engines.test"},
    )
    assert (created["name"], created["domain"]) == ("Engines Ltd", "engines.test")
    updated = record_update(
        connection=connection,
        object_name="accounts",
        remote_id=created["id"],
        record={"name": "Engines plc"},
    )
    assert updated["name"] == "Engines plc" and updated["domain"] == "engines.test"


def test_a_sequence_is_imported_private_and_read_back_with_its_steps(fresh_sandbox):
    connection = api_key_connection(fresh_sandbox)
    created = record_create(
        connection=connection,
        object_name="sequences",
        record={
            "name": "Onboarding",
            "type": "private",
            "steps": [
                {"type": "auto_email", "template": {"subject": "Hi", "body": "<p>Hi</p>"}},
                {"type": "call", "interval_seconds": 2 * 86_400, "task_note": "Ring them"},
            ],
        },
    )
    assert created["name"] == "Onboarding" and created["share_type"] == "private"
    assert created["num_steps"] == 2
    assert [step["type"] for step in created["steps"]][1] == "call"
    assert created["steps"][1]["interval_seconds"] == 2 * 86_400
    assert all(step["id"] for step in created["steps"])


def test_sequence_states_are_created_and_deleted(fresh_sandbox):
    connection = api_key_connection(fresh_sandbox)
    person = next(iter(fresh_sandbox.control.snapshot("people")))
    cadence = next(iter(fresh_sandbox.control.snapshot("cadences")))
    state = record_create(
        connection=connection,
        object_name="sequence_states",
        record={"contact_id": str(person), "sequence_id": str(cadence)},
    )
    assert (state["contact_id"], state["sequence_id"]) == (str(person), str(cadence))
    record_delete(connection=connection, object_name="sequence_states", remote_id=state["id"])
    again = record_fetch(
        connection=connection, object_name="sequence_states", remote_id=state["id"]
    )
    assert again["state"] in ("removed", "removed_no_action", "completed") or again["is_deleted"]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: record_create(connection=c, object_name="users", record={}), "object_name"),
        (lambda c: record_create(connection=c, object_name="widgets", record={}), "object_name"),
        (
            lambda c: record_delete(connection=c, object_name="contacts", remote_id="1"),
            "object_name",
        ),
        (lambda c: record_fetch(connection=c, object_name="contacts", remote_id="../me"), "id"),
        (
            lambda c: record_create(
                connection=c,
                object_name="sequences",
                record={"name": "x", "steps": [{"type": "call", "interval_seconds": 3600}]},
            ),
            "steps[0].interval_seconds",
        ),
    ],
)
def test_writes_the_provider_cannot_take_are_refused_before_any_call(sandbox, call, field):
    connection = api_key_connection(sandbox)
    sandbox.control.reset_stats()
    with pytest.raises(InvalidInput) as caught:
        call(connection)
    assert caught.value.field == field
    assert sandbox.control.stats()["requests"] == 0
