"""docs/salesloft-api.md §1, §4, §11: paths with and without .json, single records, bearer
auth, scopes."""

import pytest

from .conftest import session_for

NO_TOKEN = (
    "No Bearer Token attached to request, please see documentation at developers.salesloft.com"
)
COLLECTIONS = [
    "users",
    "accounts",
    "people",
    "cadences",
    "steps",
    "cadence_memberships",
    "activities/emails",
    "custom_fields",
    "groups",
]


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_collections_answer_with_and_without_json_suffix(sandbox, api, collection):
    plain = api.get(f"{sandbox.api_base}/{collection}")
    suffixed = api.get(f"{sandbox.api_base}/{collection}.json")
    assert plain.status_code == suffixed.status_code == 200
    assert plain.json() == suffixed.json()
    record = plain.json()["data"][0]
    one = api.get(f"{sandbox.api_base}/{collection}/{record['id']}")
    one_json = api.get(f"{sandbox.api_base}/{collection}/{record['id']}.json")
    assert one.json() == one_json.json() == {"data": record}


def test_unknown_id_and_unknown_path_are_404(sandbox, api):
    assert api.get(f"{sandbox.api_base}/people/1").status_code == 404
    assert api.get(f"{sandbox.api_base}/people/abc").json() == {"error": "Not Found"}
    assert api.get(f"{sandbox.api_base}/mailboxes").status_code == 404  # docs/salesloft-api.md §14


def test_missing_token_is_401_with_the_documented_body(sandbox):
    import requests

    response = requests.get(f"{sandbox.api_base}/people")
    assert response.status_code == 401
    assert response.json() == {"error": NO_TOKEN}
    malformed = requests.get(f"{sandbox.api_base}/people", headers={"Authorization": "Token abc"})
    assert malformed.status_code == 401 and malformed.json() == {"error": NO_TOKEN}


def test_unknown_token_is_401_json(sandbox):
    response = session_for(sandbox, "ak" + "0" * 64).get(f"{sandbox.api_base}/people")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"
    assert "Bearer" in response.headers["WWW-Authenticate"]


def test_me_and_team(sandbox, api):
    me = api.get(f"{sandbox.api_base}/me").json()["data"]
    assert me["id"] == 9001 and me["team_admin"] is True and me["role"] == {"id": "Admin"}
    team = api.get(f"{sandbox.api_base}/team.json").json()["data"]
    assert team["id"] == me["team"]["id"] and team["plan"] in (
        "group",
        "professional",
        "enterprise",
    )


def test_users_are_unpaged_without_page_and_paged_with_it(sandbox, api):
    everything = api.get(f"{sandbox.api_base}/users").json()
    assert "paging" not in everything["metadata"]
    assert everything["metadata"]["sorting"] == {
        "sort_by": "id",
        "sort_direction": "DESC NULLS LAST",
    }
    ids = [u["id"] for u in everything["data"]]
    assert ids == sorted(ids, reverse=True) and len(ids) >= 5
    paged = api.get(f"{sandbox.api_base}/users", params={"page": 1, "per_page": 2}).json()
    assert paged["metadata"]["paging"]["next_page"] == 2 and len(paged["data"]) == 2


def test_groups_are_never_paged(sandbox, api):
    body = api.get(f"{sandbox.api_base}/groups", params={"page": 1}).json()
    assert "paging" not in body["metadata"] and len(body["data"]) == 3


def test_a_token_without_the_scope_gets_403(sandbox):
    import requests

    token = requests.post(
        sandbox.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": sandbox.client_id,
            "client_secret": sandbox.client_secret,
            "scope": "people:read",
        },
    ).json()["access_token"]
    session = session_for(sandbox, token)
    assert session.get(f"{sandbox.api_base}/people").status_code == 200
    denied = session.get(f"{sandbox.api_base}/accounts")
    assert denied.status_code == 403 and "accounts:read" in denied.json()["error"]
    assert (
        session.post(
            f"{sandbox.api_base}/people", json={"email_address": "x@y.example"}
        ).status_code
        == 403
    )
