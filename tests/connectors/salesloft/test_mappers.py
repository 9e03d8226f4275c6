"""The Salesloft mappers, against recorded-shape payloads in tests/fixtures/salesloft/.

Pure unit tests: no database, no Django (they also run with `-p no:django`).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.exceptions import InvalidInput
from connectors.salesloft.mappers import (
    account_to_salesloft,
    account_to_unified,
    cadence_export_to_sequence_steps,
    cadence_to_sequence,
    contact_to_person,
    email_activity_to_email,
    membership_to_sequence_state,
    person_to_contact,
    sequence_state_to_membership,
    sequence_to_cadence_import,
    step_to_sequence_step,
    steps_to_sequence_steps,
    user_to_mailbox,
    user_to_unified,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "salesloft"
COMMON_KEYS = {"id", "created_at", "updated_at", "is_deleted", "last_modified_at", "raw_data"}
TIMESTAMP_KEYS = ("created_at", "updated_at", "last_modified_at", "sent_at")


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def records(name: str) -> list[dict[str, Any]]:
    """The `data` of a recorded Salesloft list response."""
    return load(name)["data"]


def as_json(unified: dict[str, Any]) -> dict[str, Any]:
    """A unified dict as the expected fixtures spell it: ISO timestamps, no raw_data."""
    out = {}
    for key, value in unified.items():
        if key == "raw_data":
            continue
        out[key] = value.isoformat() if isinstance(value, datetime) else value
    return out


# ------------------------------------------------------------------ Salesloft → unified

READ_CASES = [
    ("people.json", "contacts.json", person_to_contact),
    ("accounts.json", "accounts.json", account_to_unified),
    ("users.json", "users.json", user_to_unified),
    ("users.json", "mailboxes.json", user_to_mailbox),
    ("cadence_memberships.json", "sequence_states.json", membership_to_sequence_state),
    ("email_activities.json", "emails.json", email_activity_to_email),
]


@pytest.mark.parametrize(
    ("source", "expected", "mapper"), READ_CASES, ids=[c[1] for c in READ_CASES]
)
def test_records_map_to_every_unified_field(source, expected, mapper):
    recs = records(source)
    wanted = load(f"expected/{expected}")
    assert len(recs) == len(wanted)
    for rec, want in zip(recs, wanted, strict=True):
        got = mapper(rec)
        assert set(got) == set(want) | {"raw_data"}
        assert got["raw_data"] is rec
        assert as_json(got) == want


def test_cadences_map_to_every_sequence_field():
    for rec, want in zip(records("cadences.json"), load("expected/sequences.json"), strict=True):
        got = cadence_to_sequence(rec, num_steps=want["num_steps"])
        assert set(got) == set(want) | {"raw_data"}
        assert "steps" not in got  # steps belong to GET /sequences/{id} only
        assert got["raw_data"] is rec
        assert as_json(got) == want


def test_timestamps_are_aware_and_keep_microseconds():
    contact = person_to_contact(records("people.json")[0])
    assert contact["updated_at"] == datetime(
        2024, 3, 4, 16, 40, 9, 775310, tzinfo=timezone(timedelta(hours=-5))
    )
    assert contact["updated_at"].microsecond == 775310
    utc = person_to_contact(records("people.json")[1])["updated_at"]
    assert utc.utcoffset() == timedelta(0)
    assert utc.microsecond == 1


def test_last_modified_at_falls_back_to_created_at():
    rec = {**records("accounts.json")[0], "updated_at": None}
    account = account_to_unified(rec)
    assert account["updated_at"] is None
    assert account["last_modified_at"] == account["created_at"]


def test_ids_are_strings():
    contact = person_to_contact(records("people.json")[0])
    assert (contact["id"], contact["owner_id"], contact["account_id"]) == (
        "55500001",
        "9001",
        "4100001",
    )


# Supaglue bugs we fix (docs/unified-model.md §6).


def test_contact_reply_count_is_replies_not_opens():
    rec = records("people.json")[0]
    assert rec["counts"]["emails_viewed"] != rec["counts"]["emails_replied_to"]
    contact = person_to_contact(rec)
    assert contact["reply_count"] == rec["counts"]["emails_replied_to"] == 2
    assert contact["open_count"] == rec["counts"]["emails_viewed"] == 5


@pytest.mark.parametrize("counts", [None, {}, {"emails_viewed": None}])
def test_missing_contact_counts_are_zero(counts):
    rec = {**records("people.json")[0], "counts": counts}
    contact = person_to_contact(rec)
    assert [contact[k] for k in ("open_count", "click_count", "reply_count", "bounced_count")] == [
        0,
        0,
        0,
        0,
    ]


def test_contact_skips_empty_email_and_phone_values():
    contact = person_to_contact(records("people.json")[1])
    assert contact["email_addresses"] == []
    assert contact["phone_numbers"] == [
        {"phone_number": "+15550100456", "phone_number_type": "primary"}
    ]


@pytest.mark.parametrize(("active", "locked"), [(True, False), (False, True)])
def test_user_is_locked_is_not_active(active, locked):
    rec = {**records("users.json")[0], "active": active}
    assert user_to_unified(rec)["is_locked"] is locked


@pytest.mark.parametrize(
    ("team_cadence", "shared", "share_type"),
    [(True, False, "team"), (False, True, "team"), (True, True, "team"), (False, False, "private")],
)
def test_sequence_share_type(team_cadence, shared, share_type):
    rec = {**records("cadences.json")[0], "team_cadence": team_cadence, "shared": shared}
    assert cadence_to_sequence(rec)["share_type"] == share_type


def test_archived_cadence_is_archived_and_deleted():
    archived = cadence_to_sequence(records("cadences.json")[2])
    live = cadence_to_sequence(records("cadences.json")[0])
    assert (archived["is_archived"], archived["is_deleted"]) == (True, True)
    assert (live["is_archived"], live["is_deleted"]) == (False, False)


def test_draft_cadence_is_not_enabled():
    assert cadence_to_sequence(records("cadences.json")[1])["is_enabled"] is False


@pytest.mark.parametrize(
    ("sending", "active", "configured", "email", "disabled"),
    [
        ("send@x.test", True, True, "send@x.test", False),
        (None, True, True, "dana@example.test", False),
        ("", True, True, "dana@example.test", False),
        ("send@x.test", False, True, "send@x.test", True),
        ("send@x.test", True, False, "send@x.test", True),
        ("send@x.test", None, None, "send@x.test", True),
    ],
)
def test_mailbox_is_the_users_sending_identity(sending, active, configured, email, disabled):
    rec = {
        **records("users.json")[0],
        "sending_email_address": sending,
        "active": active,
        "email_client_configured": configured,
    }
    mailbox = user_to_mailbox(rec)
    assert mailbox["id"] == mailbox["user_id"] == "9001"
    assert mailbox["email"] == email
    assert mailbox["is_disabled"] is disabled


def test_sequence_state_and_email_mailbox_is_the_user():
    state = membership_to_sequence_state(records("cadence_memberships.json")[0])
    email = email_activity_to_email(records("email_activities.json")[0])
    mailbox_ids = {m["id"] for m in map(user_to_mailbox, records("users.json"))}
    assert state["mailbox_id"] == state["user_id"] == "9001"
    assert email["mailbox_id"] == email["user_id"] == "9001"
    assert {state["mailbox_id"], email["mailbox_id"]} <= mailbox_ids


def test_email_without_subject_scope_has_null_subject():
    rec = records("email_activities.json")[0]
    rec = {k: v for k, v in rec.items() if k not in ("subject", "error_message")}
    assert email_activity_to_email(rec)["subject"] is None


# ------------------------------------------------------------------ cadence steps


def test_steps_records_map_in_cadence_order_with_relative_intervals():
    steps = steps_to_sequence_steps(records("steps.json"))
    assert steps == load("expected/sequence_steps_from_steps.json")


def test_single_step_record_is_measured_from_day_one_or_the_previous_day():
    rec = records("steps.json")[0]  # day 6
    assert step_to_sequence_step(rec)["interval_seconds"] == 5 * 86400
    assert step_to_sequence_step(rec, previous_day=3, order=4)["interval_seconds"] == 3 * 86400
    assert step_to_sequence_step(rec, order=4)["order"] == 4
    assert step_to_sequence_step({**rec, "day": None})["interval_seconds"] is None


def test_cadence_export_maps_to_sequence_steps():
    steps = cadence_export_to_sequence_steps(load("cadence_export.json")["data"])
    assert steps == load("expected/sequence_steps_from_export.json")


def test_cadence_with_steps_for_get_one():
    steps = steps_to_sequence_steps(records("steps.json"))
    sequence = cadence_to_sequence(records("cadences.json")[0], steps=steps)
    assert sequence["steps"] == steps
    assert sequence["num_steps"] == 4
    assert cadence_to_sequence(records("cadences.json")[0], num_steps=9, steps=[])["num_steps"] == 9


# ------------------------------------------------------------------ unified → Salesloft

WRITE_CASES = {
    "contact_create": (contact_to_person, False),
    "contact_create_minimal": (contact_to_person, False),
    "contact_update_partial": (contact_to_person, True),
    "account_create": (account_to_salesloft, False),
    "account_update_partial": (account_to_salesloft, True),
}


@pytest.mark.parametrize("case", sorted(WRITE_CASES))
def test_write_bodies(case):
    mapper, partial = WRITE_CASES[case]
    fixture = load("writes.json")[case]
    assert mapper(fixture["input"], partial=partial) == fixture["expected"]


def test_sequence_state_create_body():
    fixture = load("writes.json")["sequence_state_create"]
    assert sequence_state_to_membership(fixture["input"]) == fixture["expected"]
    same = {**fixture["input"], "user_id": 9001}
    assert sequence_state_to_membership(same) == fixture["expected"]
    no_user = {"contact_id": "1", "sequence_id": 2}
    assert sequence_state_to_membership(no_user) == {"person_id": 1, "cadence_id": 2}


def test_sequence_create_body():
    fixture = load("writes.json")["sequence_create"]
    assert sequence_to_cadence_import(fixture["input"]) == fixture["expected"]


def test_private_sequence_stays_private_through_a_round_trip():
    body = sequence_to_cadence_import({"name": "Mine", "type": "private", "steps": []})
    assert body["sharing_settings"] == {"team_cadence": False, "shared": False}
    cadence = {**records("cadences.json")[0], **body["sharing_settings"]}
    assert cadence_to_sequence(cadence)["share_type"] == "private"


@pytest.mark.parametrize("key", ["type", "share_type"])
def test_team_sequence_is_a_team_cadence(key):
    body = sequence_to_cadence_import({"name": "Ours", key: "team"})
    assert body["sharing_settings"]["team_cadence"] is True
    cadence = {**records("cadences.json")[1], **body["sharing_settings"]}
    assert cadence_to_sequence(cadence)["share_type"] == "team"


def test_sequence_settings_overrides_from_custom_fields():
    body = sequence_to_cadence_import(
        {
            "name": "Inbound",
            "type": "private",
            "custom_fields": {"settings": {"cadence_function": "inbound", "name": "ignored"}},
        }
    )
    assert body["settings"]["cadence_function"] == "inbound"
    assert body["settings"]["name"] == "Inbound"
    assert body["cadence_content"] == {"step_groups": []}


def test_sequence_steps_round_trip_through_an_import():
    steps = load("writes.json")["sequence_create"]["input"]["steps"]
    read_back = cadence_export_to_sequence_steps(
        sequence_to_cadence_import({"name": "x", "steps": steps})
    )
    assert [s["interval_seconds"] for s in read_back] == [s["interval_seconds"] for s in steps]
    assert [s["type"] for s in read_back] == [s["type"] for s in steps]
    assert [s["is_reply"] for s in read_back] == [bool(s.get("is_reply")) for s in steps]


def test_email_task_note_is_kept_in_the_step_name():
    body = sequence_to_cadence_import(
        {"name": "x", "steps": [{"type": "manual_email", "name": "Hi", "task_note": "be nice"}]}
    )
    step = body["cadence_content"]["step_groups"][0]["steps"][0]
    assert step == {"enabled": True, "type": "Email", "name": "Hi: be nice", "type_settings": {}}


def test_partial_contact_sends_only_the_keys_given():
    assert contact_to_person({"first_name": "Ann"}, partial=True) == {"first_name": "Ann"}
    assert contact_to_person({}, partial=True) == {}
    assert contact_to_person({"address": {"city": "Oslo"}}, partial=True) == {
        "city": "Oslo",
        "state": None,
        "country": None,
    }
    assert contact_to_person({"phone_numbers": []}, partial=True) == {
        "phone": None,
        "home_phone": None,
        "mobile_phone": None,
    }
    assert contact_to_person({"custom_fields": None, "tags": None}, partial=True) == {
        "custom_fields": None,
        "tags": None,
    }


def test_street_and_postal_code_are_dropped_not_refused():
    """A Salesloft person has no street or postal code: a Supaglue-valid address is taken
    (the API warns of the dropped parts after reading the person back)."""
    address = {"street_1": "1 Main St", "street_2": "Suite 2", "postal_code": "97000"}
    body = contact_to_person({"address": {**address, "city": "Oslo", "country": "NO"}})
    assert body == {"city": "Oslo", "country": "NO"}


def test_create_ignores_read_only_unified_fields():
    record = {
        "id": "1",
        "created_at": "2024-01-01T00:00:00Z",
        "is_deleted": False,
        "open_count": 3,
        "name": "Acme",
        "domain": "acme.example",
    }
    assert account_to_salesloft(record) == {"name": "Acme", "domain": "acme.example"}
    assert account_to_salesloft({"name": "Acme"}, partial=True) == {"name": "Acme"}


def test_work_phone_takes_the_phone_field_only_when_no_primary():
    body = contact_to_person(
        {"phone_numbers": [{"phone_number": "1", "phone_number_type": "work"}]}
    )
    assert body == {"phone": "1"}


def _step(**fields):
    return {"name": "s", "steps": [fields]}


def _two_steps(second):
    return {"name": "s", "steps": [{"type": "call"}, second]}


INVALID = [
    # contacts
    (contact_to_person, {"owner_id": "abc"}, "owner_id"),
    (contact_to_person, {"account_id": "12x"}, "account_id"),
    (contact_to_person, {"owner_id": True}, "owner_id"),
    (contact_to_person, {"account_id": 1.5}, "account_id"),
    (
        contact_to_person,
        {"phone_numbers": [{"phone_number": "1", "phone_number_type": "other"}]},
        "phone_numbers[0].phone_number_type",
    ),
    (
        contact_to_person,
        {"phone_numbers": [{"phone_number": "1", "phone_number_type": None}]},
        "phone_numbers[0].phone_number_type",
    ),
    (
        contact_to_person,
        {
            "phone_numbers": [
                {"phone_number": "1", "phone_number_type": "primary"},
                {"phone_number": "2", "phone_number_type": "work"},
            ]
        },
        "phone_numbers[1].phone_number_type",
    ),
    (
        contact_to_person,
        {
            "phone_numbers": [
                {"phone_number": "1", "phone_number_type": "mobile"},
                {"phone_number": "2", "phone_number_type": "mobile"},
            ]
        },
        "phone_numbers[1].phone_number_type",
    ),
    (
        contact_to_person,
        {
            "email_addresses": [
                {"email_address": "a@x.test", "email_address_type": "primary"},
                {"email_address": "b@x.test", "email_address_type": "primary"},
            ]
        },
        "email_addresses[1].email_address_type",
    ),
    (
        contact_to_person,
        {
            "email_addresses": [
                {"email_address": "w@x.test", "email_address_type": "work"},
                {"email_address": "a@x.test", "email_address_type": "primary"},
                {"email_address": "b@x.test", "email_address_type": None},
            ]
        },
        "email_addresses[0].email_address_type",
    ),
    (
        contact_to_person,
        {"email_addresses": [{"email_address": "a@x.test", "email_address_type": "other"}]},
        "email_addresses[0].email_address_type",
    ),
    (
        contact_to_person,
        {"email_addresses": [{"email_address": "a@x.test", "email_address_type": ["primary"]}]},
        "email_addresses[0].email_address_type",
    ),
    (contact_to_person, {"email_addresses": "a@x.test"}, "email_addresses"),
    (contact_to_person, {"phone_numbers": [{"phone_number": "1"}, "2"]}, "phone_numbers"),
    (contact_to_person, {"address": "Springfield"}, "address"),
    (contact_to_person, {"custom_fields": ["a"]}, "custom_fields"),
    (contact_to_person, {"tags": "hot"}, "tags"),
    (contact_to_person, {"tags": [1]}, "tags"),
    # accounts
    (account_to_salesloft, {"owner_id": "me"}, "owner_id"),
    (account_to_salesloft, {"owner_id": "-3"}, "owner_id"),
    (account_to_salesloft, {"custom_fields": "x"}, "custom_fields"),
    # sequences
    (sequence_to_cadence_import, {"type": "private"}, "name"),
    (sequence_to_cadence_import, {"name": "s", "type": "public"}, "type"),
    (sequence_to_cadence_import, {"name": "s", "share_type": "org"}, "share_type"),
    (sequence_to_cadence_import, {"name": "s", "steps": "call"}, "steps"),
    (sequence_to_cadence_import, {"name": "s", "custom_fields": ["x"]}, "custom_fields"),
    (
        sequence_to_cadence_import,
        {"name": "s", "custom_fields": {"settings": "x"}},
        "custom_fields.settings",
    ),
    (sequence_to_cadence_import, {"name": "s", "steps": ["call"]}, "steps[0]"),
    (
        sequence_to_cadence_import,
        _step(type="call", interval_seconds=3600),
        "steps[0].interval_seconds",
    ),
    (
        sequence_to_cadence_import,
        _two_steps({"type": "call", "interval_seconds": 86400 * 1.5}),
        "steps[1].interval_seconds",
    ),
    (
        sequence_to_cadence_import,
        _two_steps({"type": "call", "interval_seconds": -86400}),
        "steps[1].interval_seconds",
    ),
    (
        sequence_to_cadence_import,
        _step(type="call", interval_seconds="86400"),
        "steps[0].interval_seconds",
    ),
    (
        sequence_to_cadence_import,
        _step(type="call", interval_seconds=True),
        "steps[0].interval_seconds",
    ),
    (sequence_to_cadence_import, _step(type="call", date="2024-01-01"), "steps[0].date"),
    (sequence_to_cadence_import, _step(type="linkedin_send_message"), "steps[0].type"),
    (sequence_to_cadence_import, _step(type="sms"), "steps[0].type"),
    (sequence_to_cadence_import, _step(name="no type"), "steps[0].type"),
    (
        sequence_to_cadence_import,
        _step(type="auto_email", template={"id": "tmpl_1"}),
        "steps[0].template",
    ),
    (
        sequence_to_cadence_import,
        _step(type="manual_email", template={"id": "tmpl_1", "subject": "only a subject"}),
        "steps[0].template",
    ),
    (
        sequence_to_cadence_import,
        _step(type="manual_email", template={"subject": "no body"}),
        "steps[0].template.body",
    ),
    (sequence_to_cadence_import, _step(type="manual_email", template="hi"), "steps[0].template"),
    (sequence_to_cadence_import, _step(type="auto_email"), "steps[0].template"),
    (
        sequence_to_cadence_import,
        _step(type="auto_email", template={"subject": "s", "body": "b", "to": ["a@x.test"]}),
        "steps[0].template.to",
    ),
    (
        sequence_to_cadence_import,
        _step(type="auto_email", template={"subject": "s", "body": "b", "bcc": ["a@x.test"]}),
        "steps[0].template.bcc",
    ),
    (
        sequence_to_cadence_import,
        _two_steps({"type": "task", "template": {"subject": "s", "body": "b"}}),
        "steps[1].template",
    ),
    (
        sequence_to_cadence_import,
        _step(type="manual_email", is_reply=True, template={"subject": "", "body": "b"}),
        "steps[0].is_reply",
    ),
    (
        sequence_to_cadence_import,
        _two_steps({"type": "call", "is_reply": True}),
        "steps[1].is_reply",
    ),
    # sequence states
    (sequence_state_to_membership, {"sequence_id": "1"}, "contact_id"),
    (sequence_state_to_membership, {"contact_id": "1"}, "sequence_id"),
    (sequence_state_to_membership, {"contact_id": "1", "sequence_id": "abc"}, "sequence_id"),
    (
        sequence_state_to_membership,
        {"contact_id": "1", "sequence_id": "2", "user_id": "x"},
        "user_id",
    ),
    (
        sequence_state_to_membership,
        {"contact_id": "1", "sequence_id": "2", "user_id": "3", "mailbox_id": "4"},
        "mailbox_id",
    ),
]


@pytest.mark.parametrize(
    ("mapper", "record", "field"), INVALID, ids=[f"{m.__name__}-{f}" for m, _, f in INVALID]
)
def test_invalid_input_names_the_unified_field(mapper, record, field):
    with pytest.raises(InvalidInput) as caught:
        mapper(record)
    assert caught.value.field == field
    assert caught.value.message


@pytest.mark.parametrize("mapper", [contact_to_person, account_to_salesloft])
def test_partial_updates_validate_ids_too(mapper):
    with pytest.raises(InvalidInput) as caught:
        mapper({"owner_id": "x"}, partial=True)
    assert caught.value.field == "owner_id"


# ------------------------------------------------------------------ property-based

_settings = settings(max_examples=100, deadline=None, database=None)

ids = st.integers(min_value=1, max_value=2**53)
texts = st.text(max_size=40)
maybe_text = st.none() | texts
maybe_bool = st.none() | st.booleans()
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


@st.composite
def timestamps(draw) -> str:
    """A Salesloft timestamp: six fractional digits and an offset, or `Z` on newer resources."""
    moment = draw(
        st.datetimes(
            min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=offsets
        )
    )
    rendered = moment.isoformat(timespec="microseconds")
    if moment.utcoffset() == timedelta(0) and draw(st.booleans()):
        rendered = rendered.removesuffix("+00:00") + "Z"
    return rendered


maybe_ts = st.none() | timestamps()


def refs(collection: str):
    return st.none() | ids.map(
        lambda i: {"_href": f"https://api.salesloft.com/v2/{collection}/{i}", "id": i}
    )


def counts(*keys: str):
    """A `counts` object: missing, empty, some keys absent, values int or null."""
    values = st.none() | st.integers(min_value=0, max_value=10**6)
    return st.none() | st.dictionaries(st.sampled_from(keys), values)


custom_fields = st.dictionaries(texts, st.none() | texts, max_size=4)
tags = st.lists(texts, max_size=4)
emails = st.none() | st.just("") | st.emails()


def record(_optional=None, **fields) -> st.SearchStrategy[dict[str, Any]]:
    """A record with every documented key (Salesloft always sends them all) and, where a
    key depends on a scope, with or without it."""
    return st.fixed_dictionaries(
        {"id": ids, "created_at": maybe_ts, "updated_at": maybe_ts, **fields},
        optional=_optional,
    )


people = record(
    last_contacted_at=maybe_ts,
    last_replied_at=maybe_ts,
    first_name=maybe_text,
    last_name=maybe_text,
    display_name=texts,
    email_address=emails,
    full_email_address=maybe_text,
    secondary_email_address=emails,
    personal_email_address=emails,
    phone=maybe_text,
    phone_extension=maybe_text,
    home_phone=maybe_text,
    mobile_phone=maybe_text,
    linkedin_url=maybe_text,
    title=maybe_text,
    city=maybe_text,
    state=maybe_text,
    country=maybe_text,
    work_city=maybe_text,
    work_state=maybe_text,
    work_country=maybe_text,
    crm_url=maybe_text,
    crm_id=maybe_text,
    account_crm_id=maybe_text,
    crm_object_type=st.sampled_from([None, "Lead", "Contact"]),
    owner_crm_id=maybe_text,
    person_company_name=maybe_text,
    person_company_website=maybe_text,
    person_company_industry=maybe_text,
    do_not_contact=st.booleans(),
    bouncing=st.booleans(),
    locale=maybe_text,
    locale_utc_offset=st.none() | st.integers(-720, 840),
    eu_resident=st.booleans(),
    personal_website=maybe_text,
    twitter_handle=maybe_text,
    last_contacted_type=st.sampled_from([None, "call", "email", "other"]),
    job_seniority=maybe_text,
    custom_fields=custom_fields,
    tags=tags,
    contact_restrictions=st.lists(st.sampled_from(["call", "email", "message"])),
    success_count=st.integers(0, 100),
    starred=st.booleans(),
    untouched=st.booleans(),
    counts=counts(
        "emails_sent",
        "emails_viewed",
        "emails_clicked",
        "emails_replied_to",
        "emails_bounced",
        "calls",
    ),
    account=refs("accounts"),
    owner=refs("users"),
    last_contacted_by=refs("users"),
    person_stage=refs("person_stages"),
    most_recent_cadence=refs("cadences"),
    last_completed_step=refs("steps"),
    cadences=st.lists(refs("cadences").filter(bool), max_size=2),
)

accounts = record(
    archived_at=maybe_ts,
    name=maybe_text,
    domain=maybe_text,
    street=maybe_text,
    city=maybe_text,
    country=maybe_text,
    founded=maybe_text,
    size=maybe_text,
    last_contacted_at=maybe_ts,
    do_not_contact=st.booleans(),
    custom_fields=custom_fields,
    user_relationships=st.just([]) | st.dictionaries(texts, ids, max_size=2),
    tags=tags,
    counts=st.fixed_dictionaries({"people": st.integers(0, 1000)}),
    owner=refs("users"),
    creator=refs("users"),
    company_stage=refs("account_stages"),
    account_tier=refs("account_tiers"),
)

users = record(
    guid=st.uuids().map(str),
    name=maybe_text,
    first_name=maybe_text,
    last_name=maybe_text,
    job_role=maybe_text,
    active=st.booleans(),
    time_zone=maybe_text,
    locale_utc_offset=st.integers(-720, 840),
    email=emails,
    email_client_email_address=emails,
    sending_email_address=emails,
    from_address=emails,
    full_email_address=maybe_text,
    email_client_configured=st.booleans(),
    team_admin=st.booleans(),
    external_feature_flags=st.just({}),
    phone_client=st.none() | ids.map(lambda i: {"id": i}),
    group=refs("groups"),
    team=st.just({"_href": "https://api.salesloft.com/v2/team", "id": 700}),
    role=st.sampled_from(["Admin", "User", "custom-1"]).map(lambda r: {"id": r}),
)

cadences = record(
    archived_at=maybe_ts,
    latest_active_date=st.none() | st.dates().map(str),
    team_cadence=st.booleans(),
    shared=st.booleans(),
    draft=st.booleans(),
    override_contact_restrictions=maybe_bool,
    cadence_framework_id=st.none() | ids,
    cadence_function=st.sampled_from(["outbound", "inbound", "event", "other"]),
    name=maybe_text,
    external_identifier=maybe_text,
    tags=tags,
    creator=refs("users"),
    owner=refs("users"),
    cadence_priority=refs("cadence_priorities"),
    groups=st.lists(refs("groups").filter(bool), max_size=2),
    counts=counts(
        "cadence_people",
        "people_acted_on_count",
        "target_daily_people",
        "opportunities_created",
        "meetings_booked",
    ),
)

memberships = record(
    added_at=maybe_ts,
    person_deleted=st.booleans(),
    currently_on_cadence=st.booleans(),
    current_state=st.sampled_from(
        [
            "processing",
            "staged",
            "active",
            "scheduled",
            "completed",
            "removed",
            "removed_no_action",
            "reassigned",
        ]
    ),
    cadence=refs("cadences"),
    person=refs("people"),
    user=refs("users"),
    latest_action=st.none() | ids.map(lambda i: {"id": i}),
    counts=counts("views", "clicks", "replies", "calls", "sent_emails", "bounces"),
)

email_activities = record(
    # `subject` and `error_message` come only with the email_contents:read scope.
    {"subject": maybe_text, "error_message": maybe_text},
    recipient_email_address=emails,
    status=st.sampled_from(["sent", "sent_from_gmail", "pending", "failed", "cancelled"]),
    bounced=st.booleans(),
    send_after=maybe_ts,
    sent_at=maybe_ts,
    view_tracking=st.booleans(),
    click_tracking=st.booleans(),
    personalization=st.floats(0, 100).map(lambda p: f"{p:.1f}"),
    headers=st.dictionaries(st.sampled_from(["cc", "bcc"]), texts),
    counts=counts(
        "clicks", "views", "replies", "unique_devices", "unique_locations", "attachments"
    ),
    user=refs("users"),
    recipient=refs("people"),
    mailing=ids.map(lambda i: {"id": i}),
    cadence=refs("cadences"),
    step=refs("steps"),
    email_template=refs("email_templates"),
)

READERS = [
    (person_to_contact, people),
    (account_to_unified, accounts),
    (user_to_unified, users),
    (user_to_mailbox, users),
    (cadence_to_sequence, cadences),
    (membership_to_sequence_state, memberships),
    (email_activity_to_email, email_activities),
]
EXPECTED_KEYS = {
    mapper.__name__: set(want[0])
    for mapper, want in [
        (person_to_contact, load("expected/contacts.json")),
        (account_to_unified, load("expected/accounts.json")),
        (user_to_unified, load("expected/users.json")),
        (user_to_mailbox, load("expected/mailboxes.json")),
        (cadence_to_sequence, load("expected/sequences.json")),
        (membership_to_sequence_state, load("expected/sequence_states.json")),
        (email_activity_to_email, load("expected/emails.json")),
    ]
}


@pytest.mark.parametrize(("mapper", "strategy"), READERS, ids=[m.__name__ for m, _ in READERS])
@_settings
@given(data=st.data())
def test_no_well_formed_record_makes_a_reader_raise(mapper, strategy, data):
    rec = data.draw(strategy)
    got = mapper(rec)
    assert set(got) == EXPECTED_KEYS[mapper.__name__] | {"raw_data"}
    assert got["id"] == str(rec["id"])
    assert got["raw_data"] is rec
    assert isinstance(got["is_deleted"], bool)
    for key in TIMESTAMP_KEYS:
        if got.get(key) is not None:
            assert got[key].tzinfo is not None
    assert got["last_modified_at"] == (got["updated_at"] or got["created_at"])
    for key, value in got.items():
        if key.endswith("_id") and value is not None:
            assert isinstance(value, str)
        if key.endswith("_count"):
            assert isinstance(value, int)
    json.dumps(as_json(got))  # every nested value is plain data


@_settings
@given(rec=people)
def test_person_contact_person_round_trip_keeps_emails_phones_and_ids(rec):
    body = contact_to_person(person_to_contact(rec), partial=True)
    for field in (
        "email_address",
        "personal_email_address",
        "secondary_email_address",
        "phone",
        "home_phone",
        "mobile_phone",
    ):
        assert body[field] == (rec[field] or None)  # empty values are skipped
    for field in ("first_name", "last_name", "title", "city", "state", "country"):
        assert body[field] == rec[field]
    assert body["owner_id"] == (rec["owner"] or {}).get("id")
    assert body["account_id"] == (rec["account"] or {}).get("id")


whole_day_steps = st.lists(
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["auto_email", "manual_email", "call", "task"]),
            "interval_seconds": st.integers(0, 30).map(lambda days: days * 86400),
            "template": st.fixed_dictionaries({"subject": texts, "body": texts}),
            "name": maybe_text,
        }
    ),
    max_size=8,
)


@_settings
@given(steps=whole_day_steps)
def test_whole_day_steps_import_and_read_back_unchanged(steps):
    for step in steps:
        if step["type"] in ("call", "task"):
            del step["template"]
    body = sequence_to_cadence_import({"name": "Generated", "type": "team", "steps": steps})
    days = [group["day"] for group in body["cadence_content"]["step_groups"]]
    assert days == sorted(days) and all(day >= 1 for day in days)
    read_back = cadence_export_to_sequence_steps(body)
    assert [(s["type"], s["interval_seconds"]) for s in read_back] == [
        (s["type"], s["interval_seconds"]) for s in steps
    ]


step_records = record(
    disabled=st.booleans(),
    type=st.sampled_from(["email", "phone", "integration", "other", "sms"]),
    name=maybe_text,
    display_name=texts,
    day=st.none() | st.integers(1, 365),
    step_number=st.integers(1, 10),
    multitouch_enabled=st.booleans(),
    details=refs("action_details/email_details"),
    cadence=refs("cadences"),
)

export_steps = st.fixed_dictionaries(
    {"enabled": st.booleans(), "name": texts},
).flatmap(
    lambda base: st.one_of(
        st.fixed_dictionaries(
            {
                "type": st.sampled_from(["Phone", "Other"]),
                "type_settings": st.fixed_dictionaries({"instructions": texts}),
            }
        ),
        st.fixed_dictionaries(
            {
                "type": st.just("Integration"),
                "type_settings": st.fixed_dictionaries(
                    {
                        "instructions": texts,
                        "integration_id": ids,
                        "integration_step_type_guid": texts,
                    }
                ),
            }
        ),
        st.fixed_dictionaries(
            {
                "type": st.just("Email"),
                "type_settings": st.fixed_dictionaries(
                    {},
                    optional={
                        "previous_email_step_group_reference_id": st.integers(0, 20),
                        "email_template": st.fixed_dictionaries(
                            {}, optional={"title": texts, "subject": texts, "body": texts}
                        ),
                    },
                ),
            }
        ),
    ).map(lambda extra: {**base, **extra})
)

cadence_exports = st.fixed_dictionaries(
    {
        "cadence_content": st.fixed_dictionaries(
            {
                "step_groups": st.lists(
                    st.fixed_dictionaries(
                        {
                            "day": st.integers(1, 365),
                            "automated": st.booleans(),
                            "due_immediately": st.booleans(),
                            "reference_id": st.none() | st.integers(0, 20),
                            "steps": st.lists(export_steps, max_size=3),
                        },
                        optional={
                            "automated_settings": st.just(
                                {"send_type": "after_time_delay", "delay_time": 30}
                            )
                        },
                    ),
                    max_size=6,
                )
            }
        )
    }
)

STEP_KEYS = set(load("expected/sequence_steps_from_export.json")[0])


@_settings
@given(recs=st.lists(step_records, max_size=8))
def test_no_well_formed_steps_make_the_step_readers_raise(recs):
    steps = steps_to_sequence_steps(recs)
    assert [s["order"] for s in steps] == list(range(1, len(recs) + 1))
    for step in steps:
        assert set(step) == STEP_KEYS
        assert step["type"] in ("manual_email", "call", "task")
        assert step["interval_seconds"] is None or step["interval_seconds"] >= 0
    for rec in recs:
        assert step_to_sequence_step(rec)["id"] == str(rec["id"])


@_settings
@given(export=cadence_exports)
def test_no_well_formed_export_makes_the_export_reader_raise(export):
    steps = cadence_export_to_sequence_steps(export)
    assert len(steps) == sum(len(g["steps"]) for g in export["cadence_content"]["step_groups"])
    for step in steps:
        assert set(step) == STEP_KEYS
        assert isinstance(step["is_reply"], bool)
