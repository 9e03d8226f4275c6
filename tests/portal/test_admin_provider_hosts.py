"""The provider form keeps endpoints on the provider's hosts (or PROVIDER_ALLOWED_HOSTS),
asks for the Secret again to move them, and logs every move."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry

from connectors.models import Provider
from tests.factories import ProviderFactory
from tests.portal.test_admin_provider import ADD_URL, provider_form

pytestmark = pytest.mark.django_db

REAL = {
    "authorize_url": "https://accounts.salesloft.com/oauth/authorize",
    "token_url": "https://accounts.salesloft.com/oauth/token",
    "api_base_url": "https://api.salesloft.com/v2",
}


def _change(admin_client, provider, **overrides):
    return admin_client.post(
        f"/admin/connectors/provider/{provider.pk}/change/",
        provider_form(client_id=provider.client_id, **{**REAL, **overrides}),
    )


def _errors(response) -> dict:
    assert response.status_code == 200
    return response.context["adminform"].form.errors


def _unchanged(provider) -> None:
    stored = Provider.objects.get(pk=provider.pk)
    assert {f: getattr(stored, f) for f in REAL} == REAL
    assert stored.client_secret == provider.client_secret
    assert not LogEntry.objects.filter(change_message__startswith="Endpoints moved").exists()


def test_an_unlisted_host_is_a_field_error(admin_client):
    provider = ProviderFactory()
    response = _change(admin_client, provider, api_base_url="http://127.0.0.2:9999/v2")
    assert "127.0.0.2 is not a Salesloft host" in str(_errors(response)["api_base_url"])
    _unchanged(provider)


def test_the_real_host_over_http_is_a_field_error_on_the_add_form(admin_client, settings):
    settings.PROVIDER_ALLOWED_HOSTS = []
    response = admin_client.post(
        ADD_URL, provider_form(**{**REAL, "token_url": "http://accounts.salesloft.com/oauth/token"})
    )
    assert "Use https" in str(_errors(response)["token_url"])
    assert not Provider.objects.exists()


def test_moving_a_host_without_the_secret_asks_for_it(admin_client):
    provider = ProviderFactory()
    response = _change(
        admin_client, provider, client_secret="", token_url="http://127.0.0.1:8765/oauth/token"
    )
    assert _errors(response)["client_secret"] == [
        "Enter the Secret again to change where credentials are sent."
    ]
    _unchanged(provider)


def test_moving_a_host_with_the_secret_is_saved_and_logged_as_the_admin(admin_client, admin_user):
    provider = ProviderFactory()
    response = _change(
        admin_client,
        provider,
        client_secret="re-entered",
        api_base_url="http://127.0.0.1:8765/v2",
    )
    assert response.status_code == 302
    stored = Provider.objects.get()
    assert (stored.api_base_url, stored.client_secret) == ("http://127.0.0.1:8765/v2", "re-entered")
    entry = LogEntry.objects.get(change_message__startswith="Endpoints moved")
    assert entry.user == admin_user
    assert "api_base_url: https://api.salesloft.com:443 → http://127.0.0.1:8765" in (
        entry.change_message
    )
