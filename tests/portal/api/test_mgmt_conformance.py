"""Every /mgmt/v2 and /actions/v2 operation answers what Supaglue's spec says it may:
a declared status and a body valid against its schema, for a valid call and an error."""

from __future__ import annotations

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
