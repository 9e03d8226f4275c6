"""Provider endpoints are not a way out: the rule on save, the second check before any
credential is sent, and the admin log of every endpoint move."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from social_django.utils import load_strategy

from connectors.exceptions import ProviderError
from connectors.models import AuthType, Connection, Provider
from connectors.oauth import oauth_backend
from connectors.registry import provider_spec
from connectors.services import (
    connection_refresh,
    passthrough_request,
    provider_identity,
    provider_save,
    provider_test,
)
from connectors.services.providers import SERVICE_USERNAME
from tests.factories import ConnectionFactory, ProviderFactory
from tests.listener import Listener

pytestmark = pytest.mark.django_db

SECRET = "app-client-secret-plaintext"


def test_the_real_hosts_come_from_the_providers_spec():
    assert provider_spec("salesloft").hosts == {"accounts.salesloft.com", "api.salesloft.com"}


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://api.salesloft.com/v2", True),
        ("https://accounts.salesloft.com:443/oauth/token", True),
        ("http://api.salesloft.com/v2", False),  # the real host only over https
        ("https://api.salesloft.com:8443/v2", False),
        ("https://api.salesloft.com.evil.example/v2", False),
        ("https://api.salesloft.com@evil.example/v2", False),
        ("https://user:pw@api.salesloft.com/v2", False),
        ("http://127.0.0.2:9999/v2", False),
        ("http://127.0.0.1:8765/v2", True),  # PROVIDER_ALLOWED_HOSTS in the tests
        ("http://localhost:1/v2", True),
    ],
)
def test_the_endpoint_rule(url, allowed):
    provider = ProviderFactory()
    saved = {f: getattr(provider, f) for f in ("authorize_url", "token_url", "api_base_url")}
    try:
        provider_save(provider=provider, client_secret="s", fields={"api_base_url": url})
    except ValidationError as exc:
        assert not allowed and set(exc.message_dict) == {"api_base_url"}
        provider.refresh_from_db()
        assert provider.api_base_url == saved["api_base_url"]
    else:
        assert allowed


def test_without_the_setting_only_the_real_hosts_are_allowed(settings):
    settings.PROVIDER_ALLOWED_HOSTS = []
    with pytest.raises(ValidationError) as caught:
        provider_save(
            provider=Provider(name="salesloft", client_id="id"),
            client_secret="s",
            fields={
                "authorize_url": "http://127.0.0.1:8765/oauth/authorize",
                "token_url": "http://127.0.0.1:8765/oauth/token",
                "api_base_url": "https://api.salesloft.com/v2",
            },
        )
    assert set(caught.value.message_dict) == {"authorize_url", "token_url"}
    assert "PROVIDER_ALLOWED_HOSTS" in caught.value.message_dict["token_url"][0]
    assert not Provider.objects.exists()


def test_moving_the_token_host_needs_the_secret_and_is_logged():
    provider = ProviderFactory()
    move = {"token_url": "http://127.0.0.1:8765/oauth/token"}
    with pytest.raises(ValidationError) as caught:
        provider_save(provider=provider, fields=move)
    assert caught.value.message_dict == {
        "client_secret": ["Enter the Secret again to change where credentials are sent."]
    }
    assert Provider.objects.get().token_url == "https://accounts.salesloft.com/oauth/token"
    assert not LogEntry.objects.exists()

    provider_save(provider=provider, fields=move, client_secret="new-secret", change_note="Why.")
    stored = Provider.objects.get()
    assert (stored.token_url, stored.client_secret) == (move["token_url"], "new-secret")
    entry = LogEntry.objects.get()
    assert entry.action_flag == CHANGE and entry.object_id == str(provider.pk)
    assert entry.change_message == (
        "Endpoints moved: token_url: https://accounts.salesloft.com:443 → "
        "http://127.0.0.1:8765. Why."
    )
    # No person made it: the inactive service user, who cannot log in, is the author.
    assert entry.user.username == SERVICE_USERNAME
    assert not entry.user.is_active and not entry.user.has_usable_password()


def test_another_port_on_the_same_host_is_a_move_but_the_same_origin_is_not():
    provider = ProviderFactory(api_base_url="http://127.0.0.1:8765/v2")
    with pytest.raises(ValidationError) as caught:
        provider_save(provider=provider, fields={"api_base_url": "http://127.0.0.1:9999/v2"})
    assert set(caught.value.message_dict) == {"client_secret"}
    provider_save(provider=provider, fields={"api_base_url": "http://127.0.0.1:8765/v3"})
    assert Provider.objects.get().client_secret == SECRET
    assert not LogEntry.objects.exists()


# --- the second check: a row written around the service sends nothing -----------------------


@pytest.fixture
def trap():
    """A listener on a loopback address that is not allowed, and a connection whose
    provider row was pointed at it directly in the database."""
    with Listener(host="127.0.0.2") as listener:
        connection = ConnectionFactory(expires_at=None)
        Provider.objects.filter(pk=connection.provider_id).update(
            token_url=f"{listener.url}/oauth/token", api_base_url=f"{listener.url}/v2"
        )
        connection = Connection.objects.select_related("provider").get(pk=connection.pk)
        yield listener, connection
        assert listener.requests == []  # nothing, not even a probe, reached it


def _no_secret_in(exc: Exception, connection: Connection) -> None:
    text = str(exc)
    for secret in (SECRET, connection.access_token, connection.refresh_token):
        assert secret not in text


def test_a_refresh_never_sends_the_refresh_token_or_secret_to_a_bad_host(trap):
    listener, connection = trap
    with pytest.raises(ProviderError) as caught:
        connection_refresh(connection=connection)
    assert "127.0.0.2" in str(caught.value)
    _no_secret_in(caught.value, connection)
    assert listener.requests == []
    assert Connection.objects.get(pk=connection.pk).status == Connection.Status.ACTIVE


def test_passthrough_never_sends_the_bearer_token_to_a_bad_host(trap):
    listener, connection = trap
    with pytest.raises(ProviderError) as caught:
        passthrough_request(connection=connection, method="GET", path="/people")
    _no_secret_in(caught.value, connection)
    assert listener.requests == []


def test_an_api_key_is_never_sent_to_a_bad_host(trap):
    listener, connection = trap
    Connection.objects.filter(pk=connection.pk).update(auth_type=AuthType.API_KEY, api_key="k-1")
    connection.refresh_from_db()
    with pytest.raises(ProviderError):
        passthrough_request(connection=connection, method="GET", path="/people")
    with pytest.raises(ProviderError):
        provider_identity(provider=connection.provider, token="k-1")
    assert listener.requests == []


def test_the_admins_test_button_and_the_code_exchange_contact_no_bad_host(trap):
    listener, connection = trap
    with pytest.raises(ProviderError):
        provider_test(provider=connection.provider)
    backend = oauth_backend("salesloft")(load_strategy())
    with pytest.raises(ProviderError):
        backend.access_token_url()
    assert listener.requests == []
