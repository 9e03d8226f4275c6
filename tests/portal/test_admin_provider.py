"""The provider credentials form: write-only secret, redirect URL, clear errors."""

from __future__ import annotations

import pytest

from connectors.models import Customer, Provider
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/connectors/provider/add/"


def provider_form(**overrides) -> dict:
    return {
        "name": "salesloft",
        "auth_type": "oauth2",
        "client_id": "my-app-id",
        "client_secret": "my-app-secret",
        "scopes": "",
        "authorize_url": "http://127.0.0.1:8765/oauth/authorize",
        "token_url": "http://127.0.0.1:8765/oauth/token",
        "api_base_url": "http://127.0.0.1:8765/v2",
        **overrides,
    }


def test_add_form_shows_redirect_url_help_and_real_hosts(admin_client, settings):
    page = admin_client.get(ADD_URL).content.decode()
    assert f"{settings.PUBLIC_URL}/oauth/callback" in page
    assert "Copy" in page
    assert "Redirect URI" in page and "Application ID" in page
    assert "https://api.salesloft.com/v2" in page  # defaults to the real hosts


def test_saving_credentials_encrypts_and_never_renders_the_secret(admin_client):
    response = admin_client.post(ADD_URL, provider_form())
    assert response.status_code == 302, response.content
    provider = Provider.objects.get()
    assert provider.client_secret == "my-app-secret"
    assert provider.category == "engagement"

    page = admin_client.get(f"/admin/connectors/provider/{provider.pk}/change/").content.decode()
    assert "my-app-secret" not in page
    assert "set" in page and "not set" not in page
    listing = admin_client.get("/admin/connectors/provider/").content.decode()
    assert "my-app-secret" not in listing


def test_blank_secret_keeps_the_stored_one(admin_client):
    provider = ProviderFactory(client_secret="kept-secret")
    # Same endpoints as stored: moving them would need the Secret again.
    urls = {f: getattr(provider, f) for f in ("authorize_url", "token_url", "api_base_url")}
    response = admin_client.post(
        f"/admin/connectors/provider/{provider.pk}/change/",
        provider_form(client_id="new-id", client_secret="", **urls),
    )
    assert response.status_code == 302, response.content
    provider.refresh_from_db()
    assert (provider.client_id, provider.client_secret) == ("new-id", "kept-secret")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"client_id": "  "}, "client_id", "Application ID"),
        ({"client_secret": ""}, "client_secret", "Secret"),
        ({"api_base_url": "not a url"}, "api_base_url", "valid URL"),
        ({"token_url": "ftp//x"}, "token_url", "valid URL"),
    ],
)
def test_bad_input_is_refused_on_the_form_and_nothing_saved(
    admin_client, overrides, field, message
):
    response = admin_client.post(ADD_URL, provider_form(**overrides))
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors[field])
    assert not Provider.objects.exists()


def test_duplicate_customer_id_is_refused(admin_client):
    data = {"customer_id": "acme", "name": "Acme", "email": "ops@acme.test"}
    data.update({"connections-TOTAL_FORMS": 0, "connections-INITIAL_FORMS": 0})
    assert admin_client.post("/admin/connectors/customer/add/", data).status_code == 302
    response = admin_client.post("/admin/connectors/customer/add/", data)
    assert response.status_code == 200
    assert "already exists" in str(response.context["adminform"].form.errors["customer_id"])
    assert Customer.objects.count() == 1
