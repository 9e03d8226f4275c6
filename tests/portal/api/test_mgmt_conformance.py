"""Every /mgmt/v2 and /actions/v2 operation answers what Supaglue's spec says it may:
a declared status and a body valid against its schema, for a valid call and an error."""

from __future__ import annotations

import json
import re
import time

import pytest

from syncs.models import Sync, SyncRun
from tests.portal.api.supaglue_spec import assert_conforms, assert_schema

pytestmark = pytest.mark.django_db

PROVIDER_BODY = {
    "name": "salesloft",
    "category": "engagement",
    "auth_type": "oauth2",
    "config": {
        "provider_app_id": "",
        "oauth": {
            "oauth_scopes": [],
            "credentials": {"oauth_client_id": "cid", "oauth_client_secret": "s3cret"},
        },
    },
}
SYNC_CONFIG_BODY = {
    "destination_name": "glue",
    "provider_name": "salesloft",
    "config": {
        "default_config": {"period_ms": 3600000, "strategy": "full then incremental"},
        "common_objects": [{"object": "contacts"}, {"object": "accounts"}],
    },
}


def check(response, status: int, spec: str = "mgmt"):
    assert response.status_code == status, response.content[:1000]
    assert_conforms(response, spec)
    return response.json() if response.content else None


def test_customers(api):
    check(api.get("/mgmt/v2/customers"), 200)
    body = {"customer_id": "acme", "name": "Acme", "email": "ops@acme.example"}
    check(api.put("/mgmt/v2/customers", body), 200)
    check(api.put("/mgmt/v2/customers", {"name": "x"}), 400)
    check(api.get("/mgmt/v2/customers/acme"), 200)
    check(api.get("/mgmt/v2/customers/nobody"), 404)
    check(api.delete("/mgmt/v2/customers/acme"), 204)
    check(api.delete("/mgmt/v2/customers/acme"), 404)


def test_connections(api, conn_a):
    check(api.get("/mgmt/v2/customers/cust-a/connections"), 200)
    check(api.get("/mgmt/v2/customers/nobody/connections"), 404)
    check(api.get("/mgmt/v2/customers/cust-a/connections/salesloft"), 200)
    check(api.get("/mgmt/v2/customers/cust-a/connections/outreach"), 404)
    check(api.delete("/mgmt/v2/customers/cust-a/connections/salesloft"), 204)
    check(api.delete("/mgmt/v2/customers/cust-a/connections/salesloft"), 404)


def test_providers(api):
    from connectors.models import Connection, Provider

    Connection.objects.all().delete()
    Provider.objects.all().delete()
    created = check(api.post("/mgmt/v2/providers", PROVIDER_BODY), 201)
    check(api.post("/mgmt/v2/providers", PROVIDER_BODY), 409)
    check(api.get("/mgmt/v2/providers"), 200)
    check(api.get(f"/mgmt/v2/providers/{created['id']}"), 200)
    check(api.get("/mgmt/v2/providers/nothing"), 404)
    check(api.put("/mgmt/v2/providers/salesloft", PROVIDER_BODY), 200)
    check(api.put("/mgmt/v2/providers/salesloft", {**PROVIDER_BODY, "name": "hubspot"}), 400)
    deleted = check(api.delete("/mgmt/v2/providers/salesloft"), 200)
    assert deleted["id"] == created["id"]


def test_sync_configs(api, conn_a):
    from syncs.models import SyncConfig

    SyncConfig.objects.all().delete()
    created = check(api.post("/mgmt/v2/sync_configs", SYNC_CONFIG_BODY), 201)
    check(api.post("/mgmt/v2/sync_configs", SYNC_CONFIG_BODY), 409)
    check(api.get("/mgmt/v2/sync_configs"), 200)
    path = f"/mgmt/v2/sync_configs/{created['id']}"
    check(api.get(path), 200)
    check(api.get("/mgmt/v2/sync_configs/999"), 404)
    check(api.put(path, {"config": SYNC_CONFIG_BODY["config"]}), 200)
    check(api.put(path, {"config": {"default_config": {"period_ms": 5}}}), 400)
    check(api.delete(path), 200)
    check(api.delete(path), 404)


@pytest.fixture
def synced(api, conn_a):
    from syncs.services import sync_config_save

    sync_config_save(provider=conn_a.provider, fields={"common_objects": ["contacts"]})
    return Sync.objects.get(connection=conn_a, object_name="contacts")


def test_syncs_and_runs(api, synced, django_capture_on_commit_callbacks):
    check(api.get("/mgmt/v2/syncs"), 200)
    check(api.get("/mgmt/v2/syncs", cursor="nonsense"), 400)
    body = {"object_type": "common", "object": "contacts"}
    check(api.post("/mgmt/v2/syncs/_pause", body), 200)
    check(api.post("/mgmt/v2/syncs/_pause", {**body, "object": "emails"}), 404)
    check(api.post("/mgmt/v2/syncs/_resume", body), 200)
    with django_capture_on_commit_callbacks(execute=False):
        triggered = check(api.post("/mgmt/v2/syncs/_trigger", body), 200)
    check(api.post("/mgmt/v2/syncs/_trigger", {**body, "perform_full_refresh": 3}), 400)
    runs = check(api.get("/mgmt/v2/sync-runs"), 200)
    assert [r["id"] for r in runs["results"]] == [triggered["run_id"]]
    assert runs["results"][0]["sync_id"] == str(synced.pk)
    check(api.get("/mgmt/v2/sync-runs", status="sometimes"), 400)
    # The extension: one run by id, the spec's sync_run object.
    one = api.get(f"/mgmt/v2/sync-runs/{triggered['run_id']}")
    assert one.status_code == 200
    assert_schema(one.json(), "sync_run")
    assert one.json() == runs["results"][0]
    assert api.get("/mgmt/v2/sync-runs/999999").status_code == 404
    assert SyncRun.objects.count() == 1


# --- routes Glue added for the spec: API-key connections, user id, rate budget ------------


@pytest.fixture(scope="module")
def sandbox():
    from salesloft_sandbox.testing import run_sandbox

    with run_sandbox(people=5, accounts=2, users=2, cadences=1, memberships=1, emails=1) as box:
        yield box


@pytest.fixture
def sandbox_provider(sandbox):
    from connectors.models import Provider

    provider, _ = Provider.objects.update_or_create(
        name="salesloft",
        defaults={
            "authorize_url": sandbox.authorize_url,
            "token_url": sandbox.token_url,
            "api_base_url": sandbox.api_base,
            "client_id": sandbox.client_id,
            "client_secret": sandbox.client_secret,
        },
    )
    return provider


def test_api_key_connection_user_id_rate_limit_and_passthrough(api, sandbox, sandbox_provider):
    from connectors.models import Connection
    from tests.factories import CustomerFactory

    CustomerFactory(customer_id="keyed")
    path = "/mgmt/v2/customers/keyed/connections"
    body = {"provider_name": "salesloft", "type": "api_key", "api_key": sandbox.api_key}
    created = check(api.post(path, body), 200)
    connection = Connection.objects.get(customer__customer_id="keyed")
    assert created["id"] == str(connection.pk) and created["status"] == "available"
    assert sandbox.api_key not in json.dumps(created)
    assert connection.api_key == sandbox.api_key and connection.remote_user_id
    refused = check(api.post(path, {**body, "api_key": "wrong"}), 400)
    assert refused["errors"][0]["detail"].startswith("api_key")
    check(api.post("/mgmt/v2/customers/nobody/connections", body), 404)
    check(api.post(path, {**body, "type": "oauth2"}), 400)

    user = check(api.get(f"{path}/_provider_user_id", provider_name="salesloft"), 200)
    assert user == {"user_id": connection.remote_user_id}
    check(api.get(f"{path}/_provider_user_id"), 400)
    check(api.get("/mgmt/v2/customers/cust-a/connections/_provider_user_id?provider_name=x"), 404)

    # Before any call the whole budget is there; a passthrough call spends from it.
    rate_path = f"{path}/salesloft/_rate_limit_info"
    before = check(api.get(rate_path), 200)["other"]["minute"]
    assert before["remaining"] == before["limit"] and "reset_time" not in before
    keyed = {"x-customer-id": "keyed"}
    answer = api.post(
        "/actions/v2/passthrough", {"path": "/v2/people", "method": "GET"}, headers=keyed
    )
    assert check(answer, 200, spec="actions")["status"] == 200
    after = check(api.get(rate_path), 200)["other"]["minute"]
    assert after["remaining"] < after["limit"] and after["reset_time"] > time.time()
    other = api.get("/mgmt/v2/customers/keyed/connections/outreach/_rate_limit_info")
    assert other.status_code == 404

    # A provider answer without a body still conforms (the spec's `body` is never null).
    deleted = api.post(
        "/actions/v2/passthrough",
        {"path": f"/v2/people/{_a_person(sandbox)}", "method": "DELETE"},
        headers=keyed,
    )
    relayed = check(deleted, 200, spec="actions")
    assert relayed["status"] == 204 and relayed.get("body", "") == ""


def _a_person(sandbox) -> int:
    import requests

    people = requests.get(
        f"{sandbox.api_base}/people",
        headers={"Authorization": f"Bearer {sandbox.api_key}"},
        timeout=30,
    ).json()["data"]
    return people[0]["id"]


# --- what Glue has nothing of: answered as the spec documents it -----------------------


def test_connection_sync_configs(api, conn_a):
    path = "/mgmt/v2/connection_sync_configs"
    assert check(api.get(path), 200) == {}
    assert check(api.put(path, {}), 200) == {}
    assert check(api.put(path, {"standard_objects": []}), 200) == {}
    refused = check(api.put(path, {"standard_objects": [{"object": "Contact"}]}), 422)
    assert refused["errors"][0]["detail"].startswith("standard_objects: Glue has no")
    check(api.delete(path), 204)
    check(api.get(path, headers={"x-customer-id": "nobody"}), 404)


def test_destinations_schemas_entities_and_mappings(api, conn_a):
    (destination,) = check(api.get("/mgmt/v2/destinations"), 200)
    assert destination["type"] == "supaglue" and destination["name"] == "glue"
    assert check(api.get("/mgmt/v2/destinations/glue"), 200) == destination
    check(api.get("/mgmt/v2/destinations/pg"), 404)
    why = check(api.post("/mgmt/v2/destinations", {"type": "postgres"}), 422)
    assert "own database" in why["errors"][0]["detail"]
    check(api.put("/mgmt/v2/destinations/glue", {"type": "supaglue"}), 422)
    check(api.put("/mgmt/v2/destinations/pg", {"type": "supaglue"}), 404)
    for family in ("schemas", "entities"):
        assert check(api.get(f"/mgmt/v2/{family}"), 200) == []
        check(api.post(f"/mgmt/v2/{family}", {"name": "x", "config": {}}), 422)
        missing = check(api.get(f"/mgmt/v2/{family}/abc"), 404)
        assert f"Glue has no {family}" in missing["errors"][0]["detail"]
        check(api.put(f"/mgmt/v2/{family}/abc", {"name": "x", "config": {}}), 404)
        check(api.delete(f"/mgmt/v2/{family}/abc"), 404)
    assert check(api.get("/mgmt/v2/field_mappings"), 200) == []
    update = {"name": "contact", "type": "common", "field_mappings": []}
    check(api.put("/mgmt/v2/field_mappings/_update_object", update), 422)
    assert check(api.get("/mgmt/v2/entity_mappings"), 200) == []
    check(api.put("/mgmt/v2/entity_mappings/abc", {"entity_id": "abc"}), 404)
    check(api.delete("/mgmt/v2/entity_mappings/abc"), 404)
    check(api.get("/mgmt/v2/entity_mappings", headers={"x-customer-id": "nobody"}), 404)


def test_every_operation_of_the_specs_is_routed(api):
    """No operation of mgmt.json or actions.json answers "no such endpoint"."""
    from django.urls import resolve

    from portal.api.errors import not_found_view
    from tests.portal.api.supaglue_spec import PREFIXES, spec_dict

    unrouted = []
    for spec in ("mgmt", "actions"):
        for template, item in spec_dict(spec)["paths"].items():
            path = PREFIXES[spec] + re.sub(r"\{[^}]+\}", "x1", template)
            match = resolve(path)
            view = getattr(match.func, "view_class", None)
            for method in item:
                if method == "parameters":
                    continue
                if match.func is not_found_view or not hasattr(view, method):
                    unrouted.append(f"{method.upper()} {template}")
    assert unrouted == []


def test_passthrough_of_a_null_body_leaves_it_out(api, monkeypatch):
    from connectors import services as connector_services
    from connectors.services import PassthroughResponse

    answer = PassthroughResponse(
        url="https://api.salesloft.com/v2/x", status=200, headers={}, body=None
    )
    monkeypatch.setattr(connector_services, "passthrough_request", lambda **kw: answer)
    relayed = check(
        api.post("/actions/v2/passthrough", {"path": "/x", "method": "GET"}), 200, "actions"
    )
    assert "body" not in relayed and relayed["status"] == 200
