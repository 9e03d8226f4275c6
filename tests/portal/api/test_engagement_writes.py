"""Writes through the API against the local Salesloft sandbox, over real HTTP: each write
reaches Salesloft, is read back, and is in the list at once (data invalidation)."""

from __future__ import annotations

import pytest

from syncs.models import RECORD_MODELS
from tests.portal.api.conftest import error, make_record, remote

pytestmark = pytest.mark.django_db(transaction=True)


def _listed(api, object_name):
    return {r["id"]: r for r in api.get(f"/engagement/v2/{object_name}").json()["records"]}


def test_contact_create_then_update_is_listed_at_once(live, sandbox):
    created = live.post(
        "/engagement/v2/contacts",
        {
            "record": {
                "first_name": "Ada",
                "last_name": "Lovelace",
                "job_title": "Analyst",
                "email_addresses": [
                    {"email_address": "ada.write@example.com", "email_address_type": "primary"}
                ],
                "phone_numbers": [{"phone_number": "+14155550100", "phone_number_type": "mobile"}],
                "id": "ignored",
            }
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    remote_id = body["record"]["id"]
    assert [w["problem_type"] for w in body["warnings"]] == ["IGNORED_FIELD"]
    listed = _listed(live, "contacts")[remote_id]
    assert listed["first_name"] == "Ada" and listed["job_title"] == "Analyst"
    assert listed["email_addresses"][0]["email_address"] == "ada.write@example.com"
    assert remote(sandbox, f"/people/{remote_id}")["title"] == "Analyst"

    patched = live.patch(f"/engagement/v2/contacts/{remote_id}", {"record": {"job_title": "CTO"}})
    assert patched.status_code == 200, patched.json()
    again = _listed(live, "contacts")[remote_id]
    assert again["job_title"] == "CTO" and again["first_name"] == "Ada"
    assert again["last_modified_at"] >= listed["last_modified_at"]
    search = live.post(
        "/engagement/v2/contacts/_search", {"filter": {"emails": ["ADA.WRITE@example.com"]}}
    )
    assert [r["id"] for r in search.json()["records"]] == [remote_id]


def test_account_create_update_and_upsert(live, sandbox):
    created = live.post(
        "/engagement/v2/accounts", {"record": {"name": "Glue Test Co", "domain": "gluetest.io"}}
    )
    assert created.status_code == 201, created.json()
    remote_id = created.json()["record"]["id"]
    assert _listed(live, "accounts")[remote_id]["domain"] == "gluetest.io"
    assert (
        live.patch(
            f"/engagement/v2/accounts/{remote_id}", {"record": {"name": "Glue Test Inc"}}
        ).status_code
        == 200
    )
    assert _listed(live, "accounts")[remote_id]["name"] == "Glue Test Inc"

    # Upsert on the domain finds the same account and updates it.
    upserted = live.post(
        "/engagement/v2/accounts/_upsert",
        {"record": {"name": "Glue Test LLC"}, "upsert_on": {"domain": "gluetest.io"}},
    )
    assert upserted.status_code == 201 and upserted.json()["record"]["id"] == remote_id
    assert _listed(live, "accounts")[remote_id]["name"] == "Glue Test LLC"
    # …and on an unknown domain creates a new one.
    fresh = live.post(
        "/engagement/v2/accounts/_upsert",
        {"record": {"name": "Fresh", "domain": "fresh.io"}, "upsert_on": {"domain": "fresh.io"}},
    )
    assert fresh.status_code == 201 and fresh.json()["record"]["id"] != remote_id
    assert _listed(live, "accounts")[fresh.json()["record"]["id"]]["name"] == "Fresh"


def test_salesloft_422_comes_back_as_422_with_its_messages(live):
    # Salesloft refuses an account without a domain.
    response = live.post("/engagement/v2/accounts", {"record": {"name": "No Domain"}})
    assert response.status_code == 422, response.json()
    item = error(response)
    assert item["code"] == "UNPROCESSABLE_ENTITY_ERROR"
    assert item["meta"]["origin"] == "remote-provider" and "domain" in item["detail"]
    assert not RECORD_MODELS["accounts"].objects.filter(name="No Domain").exists()


def test_an_address_part_salesloft_cannot_store_is_dropped_with_a_warning(live, sandbox):
    """Supaglue's address has street lines; a Salesloft person does not. The contact is
    created with what Salesloft keeps, and the answer's `warnings` names what it dropped."""
    address = {
        "street_1": "1 Main St",
        "street_2": None,
        "city": "Oslo",
        "state": None,
        "postal_code": None,
        "country": "NO",
    }
    emails = [{"email_address": "street@example.com", "email_address_type": "primary"}]
    record = {"first_name": "X", "address": address, "email_addresses": emails}
    response = live.post("/engagement/v2/contacts", {"record": record})
    assert response.status_code == 201, response.json()
    body = response.json()
    dropped = "record.address.street_1 has no place at the provider and was dropped."
    assert [(w["problem_type"], w["detail"]) for w in body["warnings"]] == [
        ("FIELD_NOT_STORED", dropped)
    ]
    person = remote(sandbox, f"/people/{body['record']['id']}")
    assert (person["city"], person["country"]) == ("Oslo", "NO")
    patched = live.patch(
        f"/engagement/v2/contacts/{body['record']['id']}",
        {"record": {"address": {**address, "postal_code": "0150"}}},
    )
    assert patched.status_code == 200, patched.json()
    assert [w["detail"].split(" ")[0] for w in patched.json()["warnings"]] == [
        "record.address.street_1",
        "record.address.postal_code",
    ]


def test_sequence_create_and_get_with_steps(live):
    created = live.post(
        "/engagement/v2/sequences",
        {
            "record": {
                "name": "Glue onboarding",
                "type": "private",
                "steps": [
                    {
                        "type": "manual_email",
                        "interval_seconds": 0,
                        "template": {"subject": "Hello", "body": "<p>Hi</p>"},
                    },
                    {"type": "call", "interval_seconds": 172800, "task_note": "Call them"},
                ],
            }
        },
    )
    assert created.status_code == 201, created.json()
    remote_id = created.json()["record"]["id"]
    listed = _listed(live, "sequences")[remote_id]
    assert listed["name"] == "Glue onboarding" and listed["share_type"] == "private"
    one = live.get(f"/engagement/v2/sequences/{remote_id}").json()
    assert [s["type"] for s in one["steps"]] == ["manual_email", "call"]
    assert one["steps"][1]["interval_seconds"] == 172800


def test_sequence_state_create_and_delete(live, sandbox):
    # A new person, so it cannot be in the cadence already.
    person = live.post(
        "/engagement/v2/contacts",
        {
            "record": {
                "first_name": "Member",
                "email_addresses": [
                    {"email_address": "member@example.com", "email_address_type": "primary"}
                ],
            }
        },
    ).json()["record"]["id"]
    cadence = remote(sandbox, "/cadences?per_page=1")[0]["id"]
    user = remote(sandbox, "/users?per_page=1")[0]["id"]
    body = {
        "record": {"contact_id": str(person), "sequence_id": str(cadence), "user_id": str(user)}
    }
    created = live.post("/engagement/v2/sequence_states", body)
    assert created.status_code == 201, created.json()
    remote_id = created.json()["record"]["id"]
    listed = _listed(live, "sequence_states")[remote_id]
    assert (listed["contact_id"], listed["sequence_id"]) == (str(person), str(cadence))
    assert live.delete(f"/engagement/v2/sequence_states/{remote_id}").status_code == 204
    after = _listed(live, "sequence_states")[remote_id]
    assert after["is_deleted"] is True
    hidden = live.get("/engagement/v2/sequence_states", include_deleted="false").json()
    assert remote_id not in [r["id"] for r in hidden["records"]]


def test_passthrough_reaches_the_provider(live):
    response = live.post("/actions/v2/passthrough", {"method": "GET", "path": "/me"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == 200 and body["url"].endswith("/me")
    assert isinstance(body["body"], dict)


def test_writes_cannot_touch_another_customers_record(live, conn_b):
    make_record(conn_b, "contacts", "424242", first_name="B")
    response = live.patch("/engagement/v2/contacts/424242", {"record": {"first_name": "Hacked"}})
    assert response.status_code == 404
    assert RECORD_MODELS["contacts"].objects.get(remote_id="424242").first_name == "B"
