"""Every engagement operation's answers, success and error, validate against Supaglue's
published engagement spec (engagement.json), over real HTTP to the Salesloft sandbox.

The spec is Supaglue's file, read from `SUPAGLUE_SPEC_DIR` (default
`../shared/reference/supaglue-openapi/` next to the repository); it is not copied here.
Bodies are checked with openapi-core's OpenAPI 3.0 schema validator (`nullable` honoured).
An error status the operation does not list is checked against the spec's `errors` schema.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema_path import SchemaPath
from openapi_core.validation.schemas import oas30_read_schema_validators_factory
from openapi_core.validation.schemas.exceptions import InvalidSchemaValue

from tests.portal.api.conftest import error, remote

pytestmark = pytest.mark.django_db(transaction=True)

SPEC_DIR = Path(
    os.environ.get(
        "SUPAGLUE_SPEC_DIR",
        Path(__file__).resolve().parents[3].parent / "shared/reference/supaglue-openapi",
    )
)
SPEC_FILE = SPEC_DIR / "engagement.json"
E = "/engagement/v2"


@cache
def _spec() -> SchemaPath:
    if not SPEC_FILE.exists():
        pytest.skip(f"Supaglue's spec is not at {SPEC_FILE} (set SUPAGLUE_SPEC_DIR)")
    return SchemaPath.from_dict(json.loads(SPEC_FILE.read_text()))


def _response_schema(path: str, method: str, status: int) -> SchemaPath:
    responses = _spec() / "paths" / path / method / "responses"
    if str(status) not in responses:
        # Some operations list no errors; every error response of the spec is `{errors}`.
        assert status >= 400, f"{method.upper()} {path} answered {status}, which the spec lacks"
        responses = _spec() / "components" / "responses"
        return responses / "badRequest" / "content" / "application/json" / "schema"
    return responses / str(status) / "content" / "application/json" / "schema"


def _violations(schema: SchemaPath, value: Any) -> list[str]:
    validator = oas30_read_schema_validators_factory.create(_spec(), schema)
    try:
        validator.validate(value)
    except InvalidSchemaValue as exc:
        return [f"{list(e.absolute_path)}: {e.message}" for e in exc.schema_errors]
    return []


def conforms(path: str, method: str, response) -> Any:
    """Assert the answer validates against the spec's schema for (path, method, status)."""
    status = response.status_code
    schema = _response_schema(path, method, status)
    body = response.json()
    assert not _violations(schema, body), (
        f"{method.upper()} {path} {status}: {_violations(schema, body)}"
    )
    if status >= 400:
        error(response)
    return body


def test_the_spec_validator_catches_a_wrong_type(live):
    """The check itself can fail: an integer status is refused by the spec's errors schema."""
    response = live.get(f"{E}/contacts/999999999")
    body = conforms("/contacts/{contact_id}", "get", response)
    body["errors"][0]["status"] = 404
    assert _violations(_spec() / "components" / "schemas" / "errors", body["errors"])
    # …and a step's `null` date (what getSequence sent before), while `nullable` is honoured.
    step = _spec() / "components" / "schemas" / "sequence_step"
    assert _violations(step, {"type": "call", "date": None})
    assert not _violations(step, {"type": "call"})
    address = _spec() / "components" / "schemas" / "address"
    assert not _violations(address, None)


def _sync(live) -> None:
    """Read everything once through the sync engine so the lists have records."""
    from connectors.models import Connection
    from syncs.engine import run_sync
    from syncs.models import Sync

    connection = Connection.objects.get(customer__customer_id="live")
    for object_name in LISTS:
        sync, _ = Sync.objects.get_or_create(connection=connection, object_name=object_name)
        run_sync(sync, mode="full")


LISTS = {
    "accounts": "/accounts/{account_id}",
    "contacts": "/contacts/{contact_id}",
    "users": "/users/{user_id}",
    "mailboxes": "/mailboxes/{mailbox_id}",
    "sequences": "/sequences/{sequence_id}",
    "sequence_states": "/sequence_states/{sequence_state_id}",
}


def test_reads_conform(live):
    _sync(live)
    for object_name, item_path in LISTS.items():
        listed = conforms(f"/{object_name}", "get", live.get(f"{E}/{object_name}", page_size=5))
        assert listed["records"], object_name
        conforms(
            f"/{object_name}",
            "get",
            live.get(f"{E}/{object_name}", created_after="2000-01-01T00:00:00Z"),
        )
        remote_id = listed["records"][0]["id"]
        one = conforms(item_path, "get", live.get(f"{E}/{object_name}/{remote_id}"))
        assert one["id"] == remote_id
        conforms(item_path, "get", live.get(f"{E}/{object_name}/999999999"))
        conforms(f"/{object_name}", "get", live.get(f"{E}/{object_name}", page_size="lots"))
        conforms(
            f"/{object_name}", "get", live.get(f"{E}/{object_name}", headers={"x-api-key": "x"})
        )
    contact = live.get(f"{E}/contacts").json()["records"][0]
    email = contact["email_addresses"][0]["email_address"]
    found = conforms(
        "/contacts/_search",
        "post",
        live.post(f"{E}/contacts/_search", {"filter": {"emails": [email]}}),
    )
    assert found["records"]
    conforms("/contacts/_search", "post", live.post(f"{E}/contacts/_search", {"filter": {}}))
    account = live.get(f"{E}/accounts").json()["records"][0]
    conforms(
        "/accounts/_search",
        "post",
        live.post(f"{E}/accounts/_search", {"filter": {"name": account["name"]}}),
    )
    conforms(
        "/sequence_states/_search",
        "post",
        live.post(f"{E}/sequence_states/_search", {"filter": {"contact_id": contact["id"]}}),
    )


def _sequence(live) -> str:
    created = live.post(
        f"{E}/sequences",
        {
            "record": {
                "name": "Conformance",
                "type": "team",
                "steps": [
                    {"type": "auto_email", "template": {"subject": "Hi", "body": "<p>Hi</p>"}},
                    {"type": "call", "interval_seconds": 86400},
                    {"type": "task", "interval_seconds": 86400, "task_note": "Look them up"},
                ],
            }
        },
    )
    return conforms("/sequences", "post", created)["record"]["id"]


def test_get_sequence_steps_have_no_nulls_and_conform(live):
    sequence_id = _sequence(live)
    one = conforms("/sequences/{sequence_id}", "get", live.get(f"{E}/sequences/{sequence_id}"))
    assert [s["type"] for s in one["steps"]] == ["manual_email", "call", "task"]
    assert all(None not in step.values() for step in one["steps"])
    # The sandbox's export keeps no template text: the email step's template has "" for it.
    assert {k: one["steps"][0]["template"][k] for k in ("subject", "body")} == {
        "subject": "",
        "body": "",
    }
    assert "template" not in one["steps"][1] and "date" not in one["steps"][1]


def test_writes_conform(live, sandbox):
    email = {"email_address": "conform@example.com", "email_address_type": "primary"}
    address = {
        "street_1": "525 Brannan",
        "street_2": None,
        "city": "San Francisco",
        "state": "CA",
        "postal_code": "94107",
        "country": "US",
    }
    contact = conforms(
        "/contacts",
        "post",
        live.post(
            f"{E}/contacts",
            {"record": {"first_name": "C", "email_addresses": [email], "address": address}},
        ),
    )
    assert len(contact["warnings"]) == 2  # street_1 and postal_code dropped
    contact_id = contact["record"]["id"]
    conforms(
        "/contacts/{contact_id}",
        "patch",
        live.patch(f"{E}/contacts/{contact_id}", {"record": {"job_title": "CTO"}}),
    )
    conforms("/contacts", "post", live.post(f"{E}/contacts", {"record": {"first_name": ["x"]}}))
    account = conforms(
        "/accounts",
        "post",
        live.post(f"{E}/accounts", {"record": {"name": "Conform Co", "domain": "conform.io"}}),
    )
    conforms(
        "/accounts/{account_id}",
        "patch",
        live.patch(f"{E}/accounts/{account['record']['id']}", {"record": {"name": "Conform 2"}}),
    )
    conforms(
        "/accounts/_upsert",
        "post",
        live.post(
            f"{E}/accounts/_upsert",
            {"record": {"name": "Conform 3"}, "upsert_on": {"domain": "conform.io"}},
        ),
    )
    # Salesloft's 422 (an account needs a domain) in the envelope, origin remote-provider.
    refused = live.post(f"{E}/accounts", {"record": {"name": "No domain"}})
    assert refused.status_code == 422
    conforms("/accounts", "post", refused)
    missing_type = live.post(f"{E}/sequences", {"record": {"name": "No type"}})
    assert missing_type.status_code == 400
    assert conforms("/sequences", "post", missing_type)["errors"][0]["detail"].startswith(
        "record.type"
    )

    sequence_id = _sequence(live)
    user = str(remote(sandbox, "/users?per_page=1")[0]["id"])
    state = conforms(
        "/sequence_states",
        "post",
        live.post(
            f"{E}/sequence_states",
            {"record": {"contact_id": contact_id, "sequence_id": sequence_id, "user_id": user}},
        ),
    )
    assert state["record"]["id"]


def test_create_sequence_step_adds_it_after_the_last(live, sandbox):
    sequence_id = _sequence(live)
    created = live.post(
        f"{E}/sequences/{sequence_id}/sequence_steps",
        {"record": {"type": "call", "interval_seconds": 172800, "task_note": "Follow up"}},
    )
    assert created.status_code == 201, created.json()
    step_id = conforms("/sequences/{sequence_id}/sequence_steps", "post", created)["record"]["id"]
    steps = remote(sandbox, f"/steps?cadence_id={sequence_id}")
    added = next(s for s in steps if str(s["id"]) == step_id)
    assert (added["type"], added["day"]) == ("phone", 5)  # days 1, 2, 3 before it, + 2
    one = live.get(f"{E}/sequences/{sequence_id}").json()
    assert one["steps"][-1]["id"] == step_id and one["steps"][-1]["interval_seconds"] == 172800
    assert live.get(f"{E}/sequences").json()["records"]  # stored
    listed = {r["id"]: r for r in live.get(f"{E}/sequences").json()["records"]}
    assert listed[sequence_id]["num_steps"] == 4
    # A step Salesloft cannot take is a 400 naming its field; an unknown sequence a 404.
    bad = live.post(
        f"{E}/sequences/{sequence_id}/sequence_steps",
        {"record": {"type": "call", "interval_seconds": 3600}},
    )
    assert bad.status_code == 400
    detail = conforms("/sequences/{sequence_id}/sequence_steps", "post", bad)["errors"][0]
    assert detail["detail"].startswith("record.interval_seconds")
    unknown = live.post(f"{E}/sequences/999999/sequence_steps", {"record": {"type": "call"}})
    assert unknown.status_code == 404
    conforms("/sequences/{sequence_id}/sequence_steps", "post", unknown)


def test_update_sequence_step_is_a_400_saying_salesloft_cannot(live, sandbox):
    sequence_id = _sequence(live)
    step_id = live.get(f"{E}/sequences/{sequence_id}").json()["steps"][0]["id"]
    response = live.patch(
        f"{E}/sequences/{sequence_id}/sequence_steps/{step_id}",
        {"record": {"template": {"subject": "New"}}},
    )
    assert response.status_code == 400
    item = conforms("/sequences/{sequence_id}/sequence_steps/{sequence_step_id}", "patch", response)
    assert "read-only" in item["errors"][0]["detail"]
    unknown = live.patch(f"{E}/sequences/999999/sequence_steps/1", {"record": {}})
    assert unknown.status_code == 404


def _new_contact(live, n: int) -> str:
    email = {"email_address": f"batch{n}@example.com", "email_address_type": "primary"}
    body = {"record": {"first_name": f"B{n}", "email_addresses": [email]}}
    return live.post(f"{E}/contacts", body).json()["record"]["id"]


def test_batch_create_sequence_states(live, sandbox):
    sequence_id = _sequence(live)
    user = str(remote(sandbox, "/users?per_page=1")[0]["id"])
    contacts = [_new_contact(live, n) for n in range(3)]
    records = [{"contact_id": c, "sequence_id": sequence_id, "user_id": user} for c in contacts]
    response = live.post(f"{E}/sequence_states/_batch", {"records": records})
    assert response.status_code == 201, response.json()
    body = conforms("/sequence_states/_batch", "post", response)
    ids = [r["id"] for r in body["records"]]
    assert len(set(ids)) == 3
    memberships = {
        str(m["id"]): str(m["person"]["id"])
        for m in remote(sandbox, f"/cadence_memberships?cadence_id={sequence_id}")
    }
    assert [memberships[i] for i in ids] == contacts  # in the order passed in
    # Again: the same states (a contact already in the sequence keeps its state).
    again = live.post(f"{E}/sequence_states/_batch", {"records": records})
    assert [r["id"] for r in again.json()["records"]] == ids

    # A different sequence in one record: 400 naming it, nothing sent.
    mixed = [records[0], {**records[1], "sequence_id": "1"}]
    refused = live.post(f"{E}/sequence_states/_batch", {"records": mixed})
    assert refused.status_code == 400
    item = conforms("/sequence_states/_batch", "post", refused)["errors"][0]
    assert item["detail"].startswith("records[1].sequence_id")

    # A failure part-way names the record and lists the ones created before it.
    fresh = _new_contact(live, 9)
    broken = [
        {**records[0], "contact_id": fresh},
        {**records[0], "contact_id": "999999999"},
    ]
    stopped = live.post(f"{E}/sequence_states/_batch", {"records": broken})
    assert stopped.status_code == 422, stopped.json()
    item = conforms("/sequence_states/_batch", "post", stopped)["errors"][0]
    assert item["detail"].startswith("records[1]: ")
    assert len(item["meta"]["created_records"]) == 1
