"""/mgmt/v2/: customers, connections, providers, sync configs, syncs and runs."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from connectors.models import Connection, Customer, Provider
from syncs.models import Sync, SyncConfig, SyncRun
from tests.factories import ConnectionFactory, CustomerFactory
from tests.portal.api.conftest import error, make_record

pytestmark = pytest.mark.django_db


# --- customers -----------------------------------------------------------------------------


def test_customer_upsert_creates_then_updates(api):
    body = {"customer_id": "acme-1", "name": "Acme", "email": "ops@acme.example"}
    created = api.put("/mgmt/v2/customers", body)
    assert created.status_code == 200
    assert created.json() == {"application_id": "glue", **body}
    updated = api.put("/mgmt/v2/customers", {**body, "name": "Acme Inc"}).json()
    assert updated["name"] == "Acme Inc"
    assert Customer.objects.filter(customer_id="acme-1").count() == 1
    assert api.get("/mgmt/v2/customers/acme-1").json()["name"] == "Acme Inc"
    listed = api.get("/mgmt/v2/customers").json()
    assert isinstance(listed, list) and "acme-1" in [c["customer_id"] for c in listed]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"name": "x"}, "customer_id"),
        ({"customer_id": "has space"}, "customer_id"),
        ({"customer_id": "ok", "email": "not-an-email"}, "email"),
        ({"customer_id": ["x"]}, "customer_id"),
    ],
)
def test_bad_customer_bodies_are_400_and_write_nothing(api, body, named):
    before = Customer.objects.count()
    response = api.put("/mgmt/v2/customers", body)
    assert response.status_code == 400 and error(response)["detail"].startswith(named)
    assert Customer.objects.count() == before


def test_customer_delete_takes_connections_and_records(api, conn_a):
    make_record(conn_a, "contacts", "1")
    response = api.delete("/mgmt/v2/customers/cust-a")
    assert response.status_code == 204 and response.content == b""
    assert not Connection.objects.filter(pk=conn_a.pk).exists()
    assert api.get("/mgmt/v2/customers/cust-a").status_code == 404


def test_unknown_customer_is_404(api):
    response = api.get("/mgmt/v2/customers/nobody")
    assert response.status_code == 404 and error(response)["code"] == "NOT_FOUND_ERROR"
    assert api.get("/mgmt/v2/customers/nobody/connections").status_code == 404


# --- connections ---------------------------------------------------------------------------


def test_connections_of_a_customer(api, conn_a, conn_b):
    listed = api.get("/mgmt/v2/customers/cust-a/connections").json()
    assert [c["id"] for c in listed] == [str(conn_a.pk)]
    (one,) = listed
    assert one["customer_id"] == "cust-a" and one["provider_name"] == "salesloft"
    assert one["status"] == "available" and one["category"] == "engagement"
    assert "access_token" not in json.dumps(one) and conn_a.access_token not in json.dumps(one)
    got = api.get("/mgmt/v2/customers/cust-a/connections/salesloft").json()
    assert got == one
    assert api.get("/mgmt/v2/customers/cust-a/connections/outreach").status_code == 404


def test_connection_status_tells_when_to_reconnect(api, conn_a):
    Connection.objects.filter(pk=conn_a.pk).update(status=Connection.Status.NEEDS_REAUTH)
    got = api.get("/mgmt/v2/customers/cust-a/connections/salesloft").json()
    assert got["status"] == "needs_reauth"


def test_connection_delete(api, conn_a, conn_b):
    response = api.delete("/mgmt/v2/customers/cust-a/connections/salesloft")
    assert response.status_code == 204
    assert not Connection.objects.filter(pk=conn_a.pk).exists()
    assert Connection.objects.filter(pk=conn_b.pk).exists()


# --- providers -----------------------------------------------------------------------------


def _provider_body(**overrides):
    body = {
        "name": "salesloft",
        "category": "engagement",
        "auth_type": "oauth2",
        "config": {
            "oauth": {
                "oauth_scopes": ["read", "write"],
                "credentials": {"oauth_client_id": "cid", "oauth_client_secret": "TOPSECRET"},
            }
        },
    }
    body.update(overrides)
    return body


def test_provider_lifecycle_never_returns_the_secret(api):
    Connection.objects.all().delete()
    Provider.objects.all().delete()
    created = api.post("/mgmt/v2/providers", _provider_body())
    assert created.status_code == 201, created.json()
    assert "TOPSECRET" not in created.content.decode()
    data = created.json()
    # The spec requires the key: it is always "", the secret being write-only.
    assert data["config"]["oauth"]["credentials"] == {
        "oauth_client_id": "cid",
        "oauth_client_secret": "",
    }
    assert data["config"]["oauth"]["oauth_scopes"] == ["read", "write"]
    assert data["has_client_secret"] is True
    assert data["api_base_url"].startswith("https://")
    provider = Provider.objects.get()
    assert provider.client_secret == "TOPSECRET"

    # PUT without a secret keeps it; by id or by name.
    body = _provider_body()
    del body["config"]["oauth"]["credentials"]["oauth_client_secret"]
    body["config"]["oauth"]["credentials"]["oauth_client_id"] = "cid2"
    updated = api.put(f"/mgmt/v2/providers/{provider.pk}", body)
    assert updated.status_code == 200 and updated.json()["config"]["oauth"]["credentials"] == {
        "oauth_client_id": "cid2",
        "oauth_client_secret": "",
    }
    provider.refresh_from_db()
    assert provider.client_secret == "TOPSECRET"
    # Reading the provider and putting it back as it came (secret "") keeps the secret.
    echoed = api.get("/mgmt/v2/providers/salesloft").json()
    assert api.put("/mgmt/v2/providers/salesloft", echoed).status_code == 200
    provider.refresh_from_db()
    assert provider.client_secret == "TOPSECRET"
    for path in ("/mgmt/v2/providers", "/mgmt/v2/providers/salesloft"):
        assert "TOPSECRET" not in api.get(path).content.decode()
    deleted = api.delete("/mgmt/v2/providers/salesloft")
    assert deleted.status_code == 200 and deleted.json()["id"] == str(provider.pk)
    assert "TOPSECRET" not in deleted.content.decode()
    assert not Provider.objects.exists()


def test_provider_conflicts_and_bad_input(api, conn_a):
    duplicate = api.post("/mgmt/v2/providers", _provider_body())
    assert duplicate.status_code == 409 and error(duplicate)["code"] == "CONFLICT_ERROR"
    in_use = api.delete("/mgmt/v2/providers/salesloft")
    assert in_use.status_code == 409
    unknown = api.post("/mgmt/v2/providers", _provider_body(name="hubspot"))
    assert unknown.status_code == 400 and error(unknown)["detail"].startswith("name")
    bad_url = api.put("/mgmt/v2/providers/salesloft", _provider_body(token_url="not a url"))
    assert bad_url.status_code == 400 and error(bad_url)["detail"].startswith("token_url")
    assert api.get("/mgmt/v2/providers/999").status_code == 404


# --- sync configs --------------------------------------------------------------------------


def _config_body(**default):
    return {
        "provider_name": "salesloft",
        "destination_name": "ignored",
        "config": {
            "default_config": {
                "period_ms": 120000,
                "strategy": "full only",
                **default,
            },
            "common_objects": [{"object": "contacts"}, {"object": "accounts"}],
        },
    }


def test_sync_config_lifecycle_creates_syncs(api, conn_a):
    created = api.post("/mgmt/v2/sync_configs", _config_body())
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["provider_name"] == "salesloft"
    assert data["config"]["default_config"]["strategy"] == "full only"
    assert [o["object"] for o in data["config"]["common_objects"]] == ["contacts", "accounts"]
    assert set(Sync.objects.filter(connection=conn_a).values_list("object_name", flat=True)) == {
        "contacts",
        "accounts",
    }
    config_id = data["id"]
    assert api.get(f"/mgmt/v2/sync_configs/{config_id}").json() == data
    assert [c["id"] for c in api.get("/mgmt/v2/sync_configs").json()] == [config_id]

    again = api.post("/mgmt/v2/sync_configs", _config_body())
    assert again.status_code == 409

    changed = api.put(
        f"/mgmt/v2/sync_configs/{config_id}",
        _config_body(strategy="full then incremental", period_ms=600000),
    ).json()
    assert changed["config"]["default_config"]["strategy"] == "full then incremental"
    assert SyncConfig.objects.get().period_ms == 600000
    deleted = api.delete(f"/mgmt/v2/sync_configs/{config_id}")
    assert deleted.status_code == 200 and deleted.json()["id"] == config_id
    assert not SyncConfig.objects.exists() and not Sync.objects.exists()


@pytest.mark.parametrize(
    ("default", "objects", "named"),
    [
        ({"period_ms": 1000}, None, "config.default_config.period_ms"),
        ({"strategy": "sometimes"}, None, "config.default_config.strategy"),
        ({}, [{"object": "widgets"}], "common_objects"),
    ],
)
def test_bad_sync_configs_are_400(api, conn_a, default, objects, named):
    body = _config_body(**default)
    if objects is not None:
        body["config"]["common_objects"] = objects
    response = api.post("/mgmt/v2/sync_configs", body)
    assert response.status_code == 400
    assert error(response)["detail"].startswith(named)
    assert not SyncConfig.objects.exists()


# --- syncs and runs ------------------------------------------------------------------------


@pytest.fixture
def syncs(api, conn_a, conn_b):
    api.post("/mgmt/v2/sync_configs", _config_body())
    return api


def test_syncs_list_and_filters(syncs, conn_a):
    api = syncs
    body = api.get("/mgmt/v2/syncs").json()
    assert set(body) == {"next", "previous", "results", "total_count"}
    assert body["total_count"] == 4
    first = body["results"][0]
    assert first["type"] == "object" and first["object_type"] == "common"
    assert first["sync_config_id"] == str(SyncConfig.objects.get().pk)
    mine = api.get("/mgmt/v2/syncs", customer_id="cust-a").json()["results"]
    assert {s["connection_id"] for s in mine} == {str(conn_a.pk)}
    contacts = api.get("/mgmt/v2/syncs", object="contacts", provider_name="salesloft").json()
    assert {s["object"] for s in contacts["results"]} == {"contacts"}
    assert contacts["total_count"] == 2
    assert api.get("/mgmt/v2/syncs", object_type="standard").json()["total_count"] == 0
    paged = api.get("/mgmt/v2/syncs", page_size=3).json()
    assert len(paged["results"]) == 3 and paged["next"]
    rest = api.get("/mgmt/v2/syncs", page_size=3, cursor=paged["next"]).json()
    assert len(rest["results"]) == 1 and rest["previous"] and rest["next"] is None
    ids = [s["id"] for s in paged["results"] + rest["results"]]
    assert len(set(ids)) == 4


@pytest.mark.parametrize(
    "cursor",
    [
        "eyJvIjoxZTMwMH0",  # {"o":1e300}
        "eyJvIjoxMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwfQ",  # {"o":1000000000000000000000000}
        "eyJvIjpJbmZpbml0eX0",  # {"o":Infinity}
    ],
)
def test_an_out_of_range_offset_cursor_is_a_400(api, cursor):
    for path in ("/mgmt/v2/syncs", "/mgmt/v2/sync-runs"):
        response = api.get(path, cursor=cursor)
        assert response.status_code == 400
        assert error(response)["detail"].startswith("cursor")


def test_pause_resume_trigger(syncs, conn_a, django_capture_on_commit_callbacks):
    api = syncs
    body = {"object_type": "common", "object": "contacts"}
    paused = api.post("/mgmt/v2/syncs/_pause", body)
    assert paused.status_code == 200 and paused.json()["paused"] is True
    sync = Sync.objects.get(connection=conn_a, object_name="contacts")
    assert sync.paused
    assert api.post("/mgmt/v2/syncs/_resume", body).json()["paused"] is False
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        triggered = api.post("/mgmt/v2/syncs/_trigger", {**body, "perform_full_refresh": True})
    assert triggered.status_code == 200 and len(callbacks) == 1
    sync.refresh_from_db()
    assert sync.full_refresh_next is True
    # The other customer's sync was not touched.
    other = Sync.objects.exclude(connection=conn_a).get(object_name="contacts")
    assert not other.paused and not other.full_refresh_next


def test_sync_actions_need_the_headers_and_a_known_object(syncs):
    api = syncs
    body = {"object_type": "common", "object": "contacts"}
    missing = api.post("/mgmt/v2/syncs/_pause", body, headers={"x-customer-id": None})
    assert missing.status_code == 400
    unknown = api.post("/mgmt/v2/syncs/_pause", {"object_type": "common", "object": "emails"})
    assert unknown.status_code == 404
    bad = api.post("/mgmt/v2/syncs/_trigger", {**body, "perform_full_refresh": "often"})
    assert bad.status_code == 400 and error(bad)["detail"].startswith("perform_full_refresh")


def _run(sync, minutes, status, **fields):
    start = timezone.now() - timedelta(hours=1) + timedelta(minutes=minutes)
    return SyncRun.objects.create(
        sync=sync,
        status=status,
        strategy="full",
        started_at=start,
        ended_at=None if status == "in_progress" else start + timedelta(seconds=30),
        heartbeat_at=start,
        **fields,
    )


def test_sync_runs_list_and_filters(syncs, conn_a, conn_b):
    api = syncs
    a_contacts = Sync.objects.get(connection=conn_a, object_name="contacts")
    b_accounts = Sync.objects.get(connection=conn_b, object_name="accounts")
    r1 = _run(a_contacts, 1, "success", upserted=10)
    r2 = _run(a_contacts, 2, "failure", error_message="boom")
    r3 = _run(b_accounts, 3, "in_progress")
    body = api.get("/mgmt/v2/sync-runs").json()
    assert [r["id"] for r in body["results"]] == [str(r3.pk), str(r2.pk), str(r1.pk)]
    assert body["results"][0]["sync_id"] == str(b_accounts.pk)
    first = body["results"][2]
    assert first["status"] == "SUCCESS" and first["num_records_synced"] == 10
    assert first["customer_id"] == "cust-a" and first["object"] == "contacts"
    assert body["results"][1]["error_message"] == "boom"

    def ids(**query):
        response = api.get("/mgmt/v2/sync-runs", **query)
        assert response.status_code == 200, response.json()
        return [r["id"] for r in response.json()["results"]]

    assert ids(customer_id="cust-b") == [str(r3.pk)]
    assert ids(object="contacts") == [str(r2.pk), str(r1.pk)]
    assert ids(status="failure") == [str(r2.pk)]
    assert ids(status="SUCCESS") == [str(r1.pk)]
    middle = (r2.started_at - timedelta(seconds=1)).isoformat().replace("+00:00", "Z")
    assert ids(start_timestamp=f">{middle}") == [str(r3.pk), str(r2.pk)]
    assert ids(start_timestamp=f"<{middle}") == [str(r1.pk)]
    assert ids(end_timestamp=f">{middle}") == [str(r2.pk)]
    for query in (
        {"status": "done"},
        {"start_timestamp": "2024-01-01"},
        {"end_timestamp": ">yesterday"},
        {"end_timestamp": ">9999-12-31T23:00:00-05:00"},
    ):
        response = api.get("/mgmt/v2/sync-runs", **query)
        assert response.status_code == 400
        assert error(response)["detail"].startswith(next(iter(query)))


def test_mgmt_lists_do_not_depend_on_customer_headers(api, raw_key):
    # Management calls act on the whole install: no customer headers are needed.
    CustomerFactory(customer_id="solo")
    ConnectionFactory(customer=Customer.objects.get(customer_id="solo"))
    response = api.get(
        "/mgmt/v2/customers", headers={"x-customer-id": None, "x-provider-name": None}
    )
    assert response.status_code == 200


def test_supaglue_order_provider_then_sync_config(api):
    """A provider created through the API gets the default config; Supaglue's client then
    POSTs its own, which replaces the untouched default (same id). Once changed, a POST is a
    409 and PUT with Supaglue's `{config}` body updates it."""
    Connection.objects.all().delete()
    Provider.objects.all().delete()
    assert api.post("/mgmt/v2/providers", _provider_body()).status_code == 201
    default = SyncConfig.objects.get()
    created = api.post("/mgmt/v2/sync_configs", _config_body())
    assert created.status_code == 201, created.json()
    assert created.json()["id"] == str(default.pk)
    assert created.json()["destination_name"] == "glue"
    assert SyncConfig.objects.get().strategy == "full_only"
    assert api.post("/mgmt/v2/sync_configs", _config_body()).status_code == 409
    body = {"config": _config_body(period_ms=300000)["config"]}
    body["config"]["common_objects"] = [
        {
            "object": "contacts",
            "sync_strategy_override": {"period_ms": 900000, "strategy": "full then incremental"},
        }
    ]
    updated = api.put(f"/mgmt/v2/sync_configs/{default.pk}", body)
    assert updated.status_code == 200, updated.json()
    config = SyncConfig.objects.get()
    assert config.period_ms == 300000 and config.common_objects == ["contacts"]
    assert config.settings_for("contacts").period_ms == 900000
    (item,) = updated.json()["config"]["common_objects"]
    assert item["sync_strategy_override"] == {
        "period_ms": 900000,
        "strategy": "full then incremental",
    }
    assert "full_sync_every_n_incrementals" not in updated.json()["config"]["default_config"]
    moved = api.put(f"/mgmt/v2/sync_configs/{default.pk}", {**body, "provider_name": "fakecrm"})
    assert moved.status_code == 400 and error(moved)["detail"].startswith("provider_name")
