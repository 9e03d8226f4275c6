"""A second provider, Fake CRM (tests/fakeprovider), registered by one line of the tests'
settings: it is connected, synced and served through the unified API like Salesloft,
with no change to `portal/` or `syncs/`. What it does not offer is refused (405)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from connectors.models import AuthType, Connection, Provider
from connectors.registry import PROVIDERS
from connectors.services import connection_create_with_api_key, provider_defaults, provider_save
from portal.services import api_key_create
from syncs.engine import run_sync
from syncs.models import Account, Contact, Sync, SyncConfig
from tests.factories import CustomerFactory
from tests.fakeprovider import store
from tests.portal.api.conftest import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> Api:
    """The developer's key, asking for the customer's Fake CRM connection."""
    api = Api(api_key_create(name="backend")[1], "fc-customer")
    api.headers["x-provider-name"] = "fakecrm"
    return api


@pytest.fixture
def fake_connection() -> Connection:
    store.reset(accounts=3, contacts=5)
    provider = provider_save(
        provider=Provider(**provider_defaults(name="fakecrm")),
        fields={"auth_type": AuthType.API_KEY},
    )
    SyncConfig.objects.create(provider=provider, common_objects=["accounts", "contacts"])
    return connection_create_with_api_key(
        customer=CustomerFactory(customer_id="fc-customer"), provider=provider, api_key=store.KEY
    )


def test_it_is_installed_beside_salesloft():
    assert set(PROVIDERS) == {"salesloft", "fakecrm"}
    assert PROVIDERS["fakecrm"].offers("contacts", "create")
    assert not PROVIDERS["fakecrm"].offers("accounts", "create")


def test_it_connects_syncs_and_serves_the_unified_api(fake_connection, api):
    assert fake_connection.remote_account_id == store.TEAM["id"]
    assert fake_connection.remote_user_id == store.TEAM["user_id"]
    syncs = Sync.objects.filter(connection=fake_connection).order_by("object_name")
    assert [s.object_name for s in syncs] == ["accounts", "contacts"]  # from its config
    for sync in syncs:
        run = run_sync(sync)
        assert run.status == "success", run.error_message
    assert Account.objects.filter(connection=fake_connection).count() == 3
    assert Contact.objects.filter(connection=fake_connection).count() == 5

    listed = api.get("/engagement/v2/contacts").json()["records"]
    assert {r["id"] for r in listed} == {f"pe-{n}" for n in range(5)}
    assert listed[0]["email_addresses"][0]["email_address"].endswith("@fake.example")

    created = api.post(
        "/engagement/v2/contacts",
        {"record": {"first_name": "Ada", "email_addresses": [
            {"email_address": "ada@fake.example", "email_address_type": "work"}]}},
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    new_id = created.json()["record"]["id"]
    assert any(p["uid"] == new_id for p in store.RECORDS["people"])  # written to Fake CRM
    assert api.get(f"/engagement/v2/contacts/{new_id}").json()["first_name"] == "Ada"  # mirrored


def test_what_it_does_not_offer_is_refused(fake_connection, api):
    refused = api.post("/engagement/v2/accounts", {"record": {"name": "Nope"}})
    assert refused.status_code == 405
    assert "Fake CRM cannot create accounts" in refused.json()["errors"][0]["detail"]
    assert api.patch("/engagement/v2/contacts/pe-1", {"record": {}}).status_code == 405
    assert len(store.RECORDS["companies"]) == 3


def test_record_events_are_batched_per_page_and_only_for_changes(fake_connection):
    """With an endpoint for record events, each stored page is one delivery per kind; a
    page read again unchanged (the incremental boundary) is no event at all."""
    from portal.models import WebhookDelivery
    from portal.webhooks.services import webhook_endpoint_create

    webhook_endpoint_create(url="http://127.0.0.1:9/hooks", event_types=["record.created",
                            "record.updated"])  # fmt: skip
    sync = Sync.objects.get(connection=fake_connection, object_name="contacts")
    run_sync(sync)
    created = WebhookDelivery.objects.filter(event_type="record.created").order_by("pk")
    assert [len(d.payload["data"]["records"]) for d in created] == [2, 2, 1]  # two a page
    first = created[0].payload["data"]
    assert (first["object"], first["provider_name"], first["customer_id"]) == (
        "contacts",
        "fakecrm",
        "fc-customer",
    )
    assert "raw_data" not in first["records"][0] and first["records"][0]["id"] == "pe-0"

    store.RECORDS["people"][4]["given"] = "Changed"
    store.RECORDS["people"][4]["changed"] += timedelta(hours=1)
    run_sync(sync)  # incremental: re-reads the boundary, finds one change
    updated = WebhookDelivery.objects.filter(event_type="record.updated")
    assert [[r["id"] for r in d.payload["data"]["records"]] for d in updated] == [["pe-4"]]
    assert updated[0].payload["data"]["records"][0]["first_name"] == "Changed"
    assert WebhookDelivery.objects.filter(event_type="record.created").count() == 3


def test_no_record_event_is_computed_without_an_endpoint(fake_connection, monkeypatch):
    from syncs import engine

    compared = []
    monkeypatch.setattr(engine, "records_stored_state", lambda **kw: compared.append(kw) or {})
    run_sync(Sync.objects.get(connection=fake_connection, object_name="contacts"))
    assert compared == []  # no endpoint wants record events: no query per page
