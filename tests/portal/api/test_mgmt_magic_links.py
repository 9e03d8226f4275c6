"""/mgmt/v2/magic_links: single-use connect links, no open redirect."""

from __future__ import annotations

import pytest

from connectors.models import Customer, MagicLink
from tests.portal.api.conftest import error

pytestmark = pytest.mark.django_db

BODY = {
    "customer_id": "new-cust",
    "provider_name": "salesloft",
    "return_url": "http://127.0.0.1:8000/done",
    "expiration_secs": 3600,
}


def test_create_list_delete(api, conn_a):
    created = api.post("/mgmt/v2/magic_links", BODY)
    assert created.status_code == 201, created.json()
    link = created.json()
    assert link["customer_id"] == "new-cust" and link["status"] == "new"
    assert link["return_url"] == BODY["return_url"]
    stored = MagicLink.objects.get()
    assert link["url"].endswith(stored.token)
    assert Customer.objects.filter(customer_id="new-cust").exists()
    assert [x["id"] for x in api.get("/mgmt/v2/magic_links").json()] == [link["id"]]
    assert api.delete(f"/mgmt/v2/magic_links/{link['id']}").status_code == 204
    assert not MagicLink.objects.exists()
    assert api.delete(f"/mgmt/v2/magic_links/{link['id']}").status_code == 404


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"return_url": "https://evil.example/steal"}, "return_url"),
        ({"return_url": "not a url"}, "return_url"),
        ({"expiration_secs": 0}, "expiration_secs"),
        ({"provider_name": "hubspot"}, "provider_name"),
    ],
)
def test_bad_links_are_refused(api, conn_a, change, named):
    response = api.post("/mgmt/v2/magic_links", {**BODY, **change})
    assert response.status_code == 400
    assert error(response)["detail"].startswith(named)
    assert not MagicLink.objects.exists()
