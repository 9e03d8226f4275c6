"""docs/salesloft-api.md §12–§13: creates, partial updates, idempotent deletes, validation,
cadences."""

import pytest

from .conftest import session_for


@pytest.fixture
def sb(make_sandbox):
    return make_sandbox(people=300)


@pytest.fixture
def http(sb):
    return session_for(sb)


def test_create_person_json_and_form(sb, http):
    created = http.post(
        f"{sb.api_base}/people",
        json={
            "email_address": "new.person@example.com",
            "first_name": "New",
            "last_name": "Person",
            "tags": ["x"],
        },
    )
    assert created.status_code == 200
    record = created.json()["data"]
    assert record["display_name"] == "New Person" and record["tags"] == ["x"]
    assert record["created_at"] == record["updated_at"]
    assert http.get(f"{sb.api_base}/people/{record['id']}").json()["data"] == record
    form = http.post(
        f"{sb.api_base}/people",
        data={
            "phone": "+15550001111",
            "last_name": "Formly",
            "tags[]": ["a", "b"],
            "custom_fields[Persona]": "Buyer",
        },
    )
    assert form.status_code == 200
    assert form.json()["data"]["tags"] == ["a", "b"] and form.json()["data"]["custom_fields"] == {
        "Persona": "Buyer"
    }


def test_person_validation_errors(sb, http):
    missing = http.post(f"{sb.api_base}/people", json={"first_name": "Nobody"})
    assert missing.status_code == 422 and "email_address" in missing.json()["errors"]
    existing = http.get(f"{sb.api_base}/people").json()["data"][0]["email_address"]
    taken = http.post(f"{sb.api_base}/people", json={"email_address": existing.upper()})
    assert taken.status_code == 422
    assert taken.json() == {"errors": {"email_address": ["is already taken"]}}


def test_put_is_partial_and_bumps_updated_at(sb, http):
    person = http.get(f"{sb.api_base}/people", params={"sort_direction": "ASC"}).json()["data"][0]
    updated = http.put(
        f"{sb.api_base}/people/{person['id']}", json={"title": "Chief Sandbox Officer"}
    ).json()["data"]
    assert updated["title"] == "Chief Sandbox Officer"
    assert (
        updated["email_address"] == person["email_address"]
        and updated["created_at"] == person["created_at"]
    )
    assert (
        updated["updated_at"] > person["updated_at"]
        or updated["updated_at"][:4] > person["updated_at"][:4]
    )
    newest = http.get(f"{sb.api_base}/people", params={"per_page": 1}).json()["data"][0]
    assert newest["id"] == person["id"]  # default sort updated_at DESC puts it first
    since = http.get(
        f"{sb.api_base}/people",
        params={"updated_at[gt]": person["updated_at"], "ids[]": person["id"]},
    )
    assert [p["id"] for p in since.json()["data"]] == [person["id"]]
    assert http.put(f"{sb.api_base}/people/1", json={"title": "x"}).status_code == 404


def test_delete_person_is_idempotent_and_the_record_disappears(sb, http):
    person = http.get(f"{sb.api_base}/people").json()["data"][0]
    for _ in range(2):
        response = http.delete(f"{sb.api_base}/people/{person['id']}")
        assert response.status_code == 204 and response.content == b""
    assert http.get(f"{sb.api_base}/people/{person['id']}").status_code == 404
    listed = http.get(f"{sb.api_base}/people", params={"ids[]": person["id"]}).json()["data"]
    assert listed == []


def test_accounts_create_update_delete(sb, http):
    missing = http.post(f"{sb.api_base}/accounts", json={"name": "No Domain Co"})
    assert missing.status_code == 422 and missing.json()["errors"] == {"domain": ["can't be blank"]}
    taken_domain = http.get(f"{sb.api_base}/accounts").json()["data"][0]["domain"]
    taken = http.post(
        f"{sb.api_base}/accounts", json={"name": "Dup", "domain": taken_domain.upper()}
    )
    assert taken.status_code == 422 and "domain" in taken.json()["errors"]
    account = http.post(
        f"{sb.api_base}/accounts", data={"name": "Form Co", "domain": "formco.example"}
    ).json()["data"]
    archived = http.put(f"{sb.api_base}/accounts/{account['id']}", json={"archived": True}).json()[
        "data"
    ]
    assert archived["archived_at"] and archived["name"] == "Form Co"
    assert archived["updated_at"] > account["updated_at"]
    person = http.post(
        f"{sb.api_base}/people",
        json={"email_address": "a@formco.example", "account_id": account["id"]},
    ).json()["data"]
    assert http.delete(f"{sb.api_base}/accounts/{account['id']}").status_code == 204
    assert http.delete(f"{sb.api_base}/accounts/{account['id']}").status_code == 204
    assert (
        http.get(f"{sb.api_base}/people/{person['id']}").json()["data"]["account"] is None
    )  # detached


def test_memberships_from_query_or_body_and_removal(sb, http):
    person = http.get(f"{sb.api_base}/people").json()["data"][5]
    cadence = http.get(f"{sb.api_base}/cadences", params={"archived": "false"}).json()["data"][0]
    missing = http.post(f"{sb.api_base}/cadence_memberships", json={"person_id": person["id"]})
    assert missing.status_code == 422 and missing.json()["errors"] == {
        "cadence_id": ["is required"]
    }
    by_query = http.post(
        f"{sb.api_base}/cadence_memberships",
        params={"person_id": person["id"], "cadence_id": cadence["id"]},
    )
    assert by_query.status_code == 200
    membership = by_query.json()["data"]
    assert membership["currently_on_cadence"] and membership["person"]["id"] == person["id"]
    again = http.post(
        f"{sb.api_base}/cadence_memberships",
        json={"person_id": person["id"], "cadence_id": cadence["id"]},
    )
    assert again.json()["data"]["id"] == membership["id"]  # re-adding reuses the membership
    assert http.delete(f"{sb.api_base}/cadence_memberships/{membership['id']}").status_code == 204
    assert http.delete(f"{sb.api_base}/cadence_memberships/{membership['id']}").status_code == 204
    removed = http.get(f"{sb.api_base}/cadence_memberships/{membership['id']}").json()["data"]
    assert removed["currently_on_cadence"] is False and removed["current_state"] == "removed"
    assert removed["updated_at"] > membership["updated_at"]


def test_cadence_import_and_export(sb, http):
    body = {
        "settings": {
            "name": "Imported Cadence",
            "target_daily_people": 20,
            "cadence_function": "outbound",
            "remove_bounced": True,
            "remove_replied": False,
            "external_identifier": "ext-1",
        },
        "sharing_settings": {"team_cadence": True, "shared": False},
        "cadence_content": {
            "step_groups": [
                {
                    "day": 1,
                    "automated": False,
                    "due_immediately": True,
                    "reference_id": 1,
                    "steps": [
                        {"enabled": True, "type": "Email", "name": "Intro", "type_settings": {}}
                    ],
                },
                {
                    "day": 3,
                    "automated": False,
                    "due_immediately": False,
                    "reference_id": 2,
                    "steps": [
                        {"enabled": True, "type": "Phone", "name": "Call", "type_settings": {}},
                        {
                            "enabled": False,
                            "type": "Other",
                            "name": "LinkedIn",
                            "type_settings": {},
                        },
                    ],
                },
            ]
        },
    }
    created = http.post(f"{sb.api_base}/cadence_imports", json=body)
    assert created.status_code == 200
    cadence_id = created.json()["data"]["cadence"]["id"]
    cadence = http.get(f"{sb.api_base}/cadences/{cadence_id}").json()["data"]
    assert (cadence["name"], cadence["team_cadence"], cadence["shared"]) == (
        "Imported Cadence",
        True,
        False,
    )
    assert cadence["remove_replies_enabled"] is False and cadence["external_identifier"] == "ext-1"
    steps = http.get(
        f"{sb.api_base}/steps", params={"cadence_id": cadence_id, "include_paging_counts": 1}
    ).json()
    assert steps["metadata"]["paging"]["total_count"] == 3
    assert {s["type"] for s in steps["data"]} == {"email", "phone", "other"}
    exported = http.get(f"{sb.api_base}/cadence_exports/{cadence_id}.json").json()["data"]
    assert exported["sharing_settings"] == {"team_cadence": True, "shared": False}
    assert [len(g["steps"]) for g in exported["cadence_content"]["step_groups"]] == [1, 2]
    assert exported["settings"]["name"] == "Imported Cadence"
    invalid = http.post(f"{sb.api_base}/cadence_imports", json={"settings": {}})
    assert invalid.status_code == 422
    assert http.get(f"{sb.api_base}/cadence_exports/1").status_code == 404
