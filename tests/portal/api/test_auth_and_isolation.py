"""x-api-key, the customer/provider headers, and one customer never reaching another's rows."""

from __future__ import annotations

import pytest

from portal.models import ApiKey
from portal.services import api_key_revoke
from tests.portal.api.conftest import Api, error, make_record

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("key", [None, "", "glue_wrong"])
def test_missing_or_wrong_key_is_401(api, key):
    response = api.get("/engagement/v2/contacts", headers={"x-api-key": key})
    assert response.status_code == 401
    item = error(response)
    assert item["code"] == "UNAUTHORIZED_ERROR" and "x-api-key" in item["detail"]


def test_revoked_key_is_401(api):
    api_key_revoke(key=ApiKey.objects.get())
    assert api.get("/engagement/v2/contacts").status_code == 401


def test_the_key_is_checked_before_anything_else(api):
    response = api.get("/engagement/v2/widgets/1", headers={"x-api-key": "nope"})
    assert response.status_code in (401, 404)  # unknown paths never leak more than a 404
    assert api.get("/mgmt/v2/customers", headers={"x-api-key": "nope"}).status_code == 401


@pytest.mark.parametrize("header", ["x-customer-id", "x-provider-name"])
def test_missing_customer_or_provider_header_is_400_naming_it(api, header):
    response = api.get("/engagement/v2/contacts", headers={header: None})
    assert response.status_code == 400
    assert header in error(response)["detail"]


@pytest.mark.parametrize("headers", [{"x-customer-id": "nobody"}, {"x-provider-name": "outreach"}])
def test_unknown_customer_or_provider_is_404(api, headers):
    response = api.get("/engagement/v2/contacts", headers=headers)
    assert response.status_code == 404
    assert error(response)["code"] == "NOT_FOUND_ERROR"


def test_a_customer_without_connection_is_404(api, raw_key):
    from tests.factories import CustomerFactory

    CustomerFactory(customer_id="lonely")
    response = api.as_customer("lonely").get("/engagement/v2/contacts")
    assert response.status_code == 404


@pytest.fixture
def two_customers(api, conn_a, conn_b):
    for conn, prefix in ((conn_a, "a"), (conn_b, "b")):
        for object_name in (
            "accounts",
            "contacts",
            "users",
            "mailboxes",
            "sequences",
            "sequence_states",
            "emails",
        ):
            make_record(
                conn,
                object_name,
                f"{prefix}1",
                **(
                    {
                        "email_addresses": [
                            {"email_address": "same@x.example", "email_address_type": "primary"}
                        ]
                    }
                    if object_name == "contacts"
                    else {"name": "Same", "domain": "same.example"}
                    if object_name == "accounts"
                    else {"contact_id": "c", "sequence_id": "s"}
                    if object_name == "sequence_states"
                    else {}
                ),
            )
    return api


@pytest.mark.parametrize(
    "object_name",
    ["accounts", "contacts", "users", "mailboxes", "sequences", "sequence_states", "emails"],
)
def test_lists_and_gets_show_only_the_callers_rows(two_customers, object_name):
    api = two_customers
    for caller, mine, theirs in (("cust-a", "a1", "b1"), ("cust-b", "b1", "a1")):
        client = api.as_customer(caller)
        ids = [r["id"] for r in client.get(f"/engagement/v2/{object_name}").json()["records"]]
        assert ids == [mine]
        assert client.get(f"/engagement/v2/{object_name}/{theirs}").status_code == 404


def test_searches_show_only_the_callers_rows(two_customers):
    api = two_customers
    searches = [
        ("/engagement/v2/contacts/_search", {"filter": {"emails": ["same@x.example"]}}),
        ("/engagement/v2/accounts/_search", {"filter": {"domain": "same.example"}}),
        ("/engagement/v2/sequence_states/_search", {"filter": {"contact_id": "c"}}),
    ]
    for path, body in searches:
        for caller, mine in (("cust-a", "a1"), ("cust-b", "b1")):
            response = api.as_customer(caller).post(path, body)
            assert [r["id"] for r in response.json()["records"]] == [mine], path


def test_writes_on_another_customers_record_are_404_before_any_provider_call(two_customers):
    # No provider is reachable in this test: a call would fail with a 5xx, not a 404.
    api = two_customers
    patch = api.patch("/engagement/v2/contacts/b1", {"record": {"first_name": "X"}})
    assert patch.status_code == 404
    assert api.patch("/engagement/v2/accounts/b1", {"record": {"name": "X"}}).status_code == 404
    assert api.delete("/engagement/v2/sequence_states/b1").status_code == 404


@pytest.fixture
def key_for_a(conn_a) -> Api:
    """A key limited to customer A (e.g. held by a per-customer backend)."""
    from portal.services import api_key_create

    return Api(api_key_create(name="a only", customer=conn_a.customer)[1])


def test_a_customer_key_reads_its_customer_and_nothing_else(key_for_a, conn_a, conn_b):
    make_record(conn_a, "contacts", "1")
    make_record(conn_b, "contacts", "2")
    ids = [r["id"] for r in key_for_a.get("/engagement/v2/contacts").json()["records"]]
    assert ids == ["1"]
    assert key_for_a.get("/mgmt/v2/customers/cust-a").status_code == 200
    assert key_for_a.get("/mgmt/v2/customers/cust-a/connections").status_code == 200

    as_b = key_for_a.as_customer("cust-b")
    refused = as_b.get("/engagement/v2/contacts")
    assert refused.status_code == 403 and "cust-a" in error(refused)["detail"]
    assert as_b.get("/engagement/v2/contacts/2").status_code == 403
    assert key_for_a.get("/mgmt/v2/customers/cust-b").status_code == 403
    assert key_for_a.get("/mgmt/v2/customers/cust-b/connections/salesloft").status_code == 403


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/mgmt/v2/customers"),
        ("put", "/mgmt/v2/customers"),
        ("delete", "/mgmt/v2/customers/cust-a"),
        ("delete", "/mgmt/v2/customers/cust-a/connections/salesloft"),
        ("get", "/mgmt/v2/providers"),
        ("put", "/mgmt/v2/providers/salesloft"),
        ("get", "/mgmt/v2/sync_configs"),
        ("get", "/mgmt/v2/syncs"),
        ("post", "/mgmt/v2/syncs/_pause"),
        ("get", "/mgmt/v2/sync-runs"),
        ("get", "/mgmt/v2/magic_links"),
    ],
)
def test_a_customer_key_cannot_manage_the_account(key_for_a, conn_a, method, path):
    response = getattr(key_for_a, method)(path)
    assert response.status_code == 403
    assert "account-wide" in error(response)["detail"]
    assert conn_a.customer.__class__.objects.filter(pk=conn_a.customer.pk).exists()


def test_a_customer_key_issues_connect_sessions_for_its_customer_only(key_for_a, conn_a):
    body = {"provider_name": "salesloft", "return_url": "http://localhost/back"}
    own = key_for_a.post("/mgmt/v2/connect_sessions", {**body, "customer_id": "cust-a"})
    assert own.status_code == 201, own.content
    other = key_for_a.post("/mgmt/v2/connect_sessions", {**body, "customer_id": "cust-new"})
    assert other.status_code == 403
    from connectors.models import ConnectSession, Customer

    assert not Customer.objects.filter(customer_id="cust-new").exists()
    assert ConnectSession.objects.count() == 1
