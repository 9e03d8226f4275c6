"""API keys: hashed at rest, shown once, revocable."""

from __future__ import annotations

import pytest

from portal.models import ApiKey
from portal.services import api_key_authenticate, api_key_create, api_key_revoke

pytestmark = pytest.mark.django_db


def test_only_the_hash_and_prefix_are_stored():
    key, raw = api_key_create(name="backend")
    stored = ApiKey.objects.values_list("prefix", "hashed_key").get()
    assert raw not in stored
    assert raw.startswith(stored[0]) and len(stored[0]) < len(raw) / 2
    assert api_key_authenticate(raw_key=raw) == key
    assert api_key_authenticate(raw_key=raw + "x") is None


def test_revoked_keys_stop_working():
    key, raw = api_key_create(name="backend")
    api_key_revoke(key=key)
    assert api_key_authenticate(raw_key=raw) is None


def test_admin_shows_the_full_key_once(admin_client):
    response = admin_client.post("/admin/portal/apikey/add/", {"name": "ci"}, follow=True)
    page = response.content.decode()
    key = ApiKey.objects.get()
    shown = page.split('data-copy="')[1].split('"')[0]
    assert shown.startswith(key.prefix)
    assert api_key_authenticate(raw_key=shown) == key
    detail = admin_client.get(f"/admin/portal/apikey/{key.pk}/change/").content.decode()
    assert shown not in detail and key.prefix in detail


def test_admin_creates_a_key_limited_to_one_customer(admin_client):
    from tests.factories import CustomerFactory

    customer = CustomerFactory(customer_id="acme")
    admin_client.post(
        "/admin/portal/apikey/add/", {"name": "acme backend", "customer": customer.pk}
    )
    key = ApiKey.objects.get()
    assert key.customer == customer
    listing = admin_client.get("/admin/portal/apikey/").content.decode()
    assert "customer acme" in listing
