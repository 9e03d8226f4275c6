"""Write bodies the API refuses before any provider call: a 400 naming the field, nothing
written. No provider is reachable here, so a request that got past validation would fail
with a 5xx instead of the 400 these tests expect."""

from __future__ import annotations

import pytest

from syncs.models import RECORD_MODELS
from tests.portal.api.conftest import error

pytestmark = pytest.mark.django_db


def _nothing_stored():
    return all(not model.objects.exists() for model in RECORD_MODELS.values())


@pytest.mark.parametrize(
    ("path", "body", "named"),
    [
        ("accounts", {}, "record"),
        ("accounts", {"record": "Acme"}, "record"),
        ("accounts", {"record": {"name": {"first": "A"}}}, "record.name"),
        ("accounts", {"record": {"custom_fields": ["x"]}}, "record.custom_fields"),
        ("contacts", {"record": {"first_name": ["Ada"]}}, "record.first_name"),
        ("contacts", {"record": {"email_addresses": "ada@x.io"}}, "record.email_addresses"),
        (
            "contacts",
            {"record": {"email_addresses": [{"email_address_type": "primary"}]}},
            "record.email_addresses[0].email_address",
        ),
        (
            "contacts",
            {
                "record": {
                    "email_addresses": [{"email_address": "a@x.io", "email_address_type": "fax"}]
                }
            },
            "record.email_addresses[0].email_address_type",
        ),
        (
            "contacts",
            {"record": {"phone_numbers": [{"phone_number": "1", "phone_number_type": "pager"}]}},
            "record.phone_numbers[0].phone_number_type",
        ),
        ("contacts", {"record": {"address": "Paris"}}, "record.address"),
        ("contacts", {"record": {"tags": "vip"}}, "record.tags"),
        ("sequences", {"record": {"type": "team"}}, "record.name"),
        # Supaglue's create_sequence requires `type`: no silent default to private.
        ("sequences", {"record": {"name": "S"}}, "record.type: This field is required"),
        ("sequences", {"record": {"name": "S", "type": "public"}}, "record.type"),
        (
            "sequences",
            {"record": {"name": "S", "steps": [{"type": "fax"}]}},
            "record.steps[0].type",
        ),
        (
            "sequences",
            {"record": {"name": "S", "steps": [{"type": "call", "interval_seconds": -5}]}},
            "record.steps[0].interval_seconds",
        ),
        (
            "sequences",
            {"record": {"name": "S", "steps": [{"type": "call", "interval_seconds": "soon"}]}},
            "record.steps[0].interval_seconds",
        ),
        ("sequence_states", {"record": {"sequence_id": "1"}}, "record.contact_id"),
        ("sequence_states", {"record": {"contact_id": "1"}}, "record.sequence_id"),
    ],
)
def test_bad_create_bodies_are_400_naming_the_field(api, conn_a, path, body, named):
    response = api.post(f"/engagement/v2/{path}", body)
    assert response.status_code == 400, response.json()
    item = error(response)
    assert item["code"] == "BAD_REQUEST" and item["meta"]["origin"] == "supaglue"
    assert item["detail"].startswith(named), item["detail"]
    assert _nothing_stored()


def test_bad_patch_bodies_are_400(api, conn_a):
    from tests.portal.api.conftest import make_record

    make_record(conn_a, "contacts", "5", first_name="Ada")
    response = api.patch("/engagement/v2/contacts/5", {"record": {"owner_id": {"id": 1}}})
    assert response.status_code == 400 and error(response)["detail"].startswith("record.owner_id")
    assert RECORD_MODELS["contacts"].objects.get().first_name == "Ada"


def test_malformed_json_is_400(api, conn_a):
    response = api.client.post(
        "/engagement/v2/accounts",
        data="{not json",
        content_type="application/json",
        headers=api.headers,
    )
    assert response.status_code == 400 and error(response)["code"] == "BAD_REQUEST"


def test_upsert_needs_a_criterion(api, conn_a):
    response = api.post(
        "/engagement/v2/accounts/_upsert", {"record": {"name": "A"}, "upsert_on": {}}
    )
    assert response.status_code == 400 and error(response)["detail"].startswith("upsert_on")


def test_upsert_with_two_matches_is_409_before_any_call(api, conn_a):
    from tests.portal.api.conftest import make_record

    make_record(conn_a, "accounts", "1", name="Twin")
    make_record(conn_a, "accounts", "2", name="twin")
    response = api.post(
        "/engagement/v2/accounts/_upsert",
        {"record": {"domain": "t.io"}, "upsert_on": {"name": "Twin"}},
    )
    assert response.status_code == 409 and error(response)["code"] == "CONFLICT_ERROR"
