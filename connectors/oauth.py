"""Connect flows' OAuth 2.0, on social-auth: one backend class for every provider.

Everything that varies comes from the provider's `Provider` row (client id and secret,
authorize and token URLs, scopes) and its `ProviderSpec` (the name, how to identify the
account behind a token), so the same code talks to the real provider or a local sandbox,
and a new provider needs no backend of its own (a spec may still name a subclass).

The `state` is issued and checked by `connectors.services` (signed, expiring, single-use,
bound to a connect session and its browser); the view hands it to the backend. The code
exchange goes through `connectors.http` like every other call. The backend runs its
pipeline (settings.SOCIAL_AUTH_PIPELINE: save the `Connection`, redirect) itself instead of
going through Django's `authenticate()`, so it is not an authentication backend: no Django
user or `UserSocialAuth` row is ever created or logged in.
"""

from __future__ import annotations

from functools import cache, cached_property
from typing import Any

from social_core.backends.oauth import BaseOAuth2

from connectors.exceptions import ProviderError
from connectors.http import default_client, error_message
from connectors.models import OAuthState, Provider
from connectors.registry import provider_spec


class ConnectOAuth2(BaseOAuth2):
    name = ""  # the provider's name, set per provider by `oauth_backend()`
    ACCESS_TOKEN_METHOD = "POST"  # noqa: S105 (an HTTP method, not a password)
    STATE_PARAMETER = True
    REDIRECT_STATE = False
    EXTRA_DATA: list = []

    # Set by connectors.views: the signed state and the connect session's scopes to send,
    # and the consumed state on return.
    connect_state: str | None = None
    connect_scopes: list[str] | None = None
    oauth_state: OAuthState | None = None

    @cached_property
    def provider(self) -> Provider:
        return Provider.objects.get(name=self.name)

    def get_key_and_secret(self) -> tuple[str, str]:
        return self.provider.client_id, self.provider.client_secret

    def authorization_url(self) -> str:
        return self._checked(self.provider.authorize_url)

    def access_token_url(self) -> str:
        return self._checked(self.provider.token_url)

    def _checked(self, url: str) -> str:
        # The code exchange sends the client secret: only to a host credentials may go to.
        from connectors.services.endpoints import endpoint_check

        endpoint_check(provider=self.provider, url=url)
        return url

    def get_scope(self) -> list[str]:
        return self.connect_scopes or self.provider.scopes.split()

    def get_or_create_state(self) -> str | None:
        return self.connect_state

    def validate_state(self) -> str | None:
        # connectors.services.oauth_state_consume() already checked and spent it.
        if self.oauth_state is None:
            raise ValueError("the callback view must consume the state first")
        return self.get_request_state()

    def request_access_token(self, url: str, method: str = "POST", *args: Any, **kwargs: Any):
        """The code exchange, through connectors.http (timeouts, redaction), sent once: an
        authorization code is single-use."""
        response = default_client().request(
            method,
            url,
            data=kwargs.get("data"),
            json=kwargs.get("json"),
            params=kwargs.get("params"),
            headers={"Accept": "application/json"},
            raise_errors=False,
            retry=False,
        )
        body = response.body if isinstance(response.body, dict) else {}
        if response.status >= 400 or "access_token" not in body:
            raise ProviderError(
                f"The code exchange failed ({response.status}): {error_message(body)}",
                status=response.status,
                body=body,
                url=url,
            )
        return body

    def user_data(self, access_token: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from connectors.services import provider_identity

        return {"remote_identity": provider_identity(provider=self.provider, token=access_token)}

    def get_user_id(self, details: dict[str, Any], response: dict[str, Any]) -> str:
        return response["remote_identity"].account_id

    def get_user_details(self, response: dict[str, Any]) -> dict[str, Any]:
        return {}

    def do_auth(self, access_token: str, *args: Any, **kwargs: Any) -> Any:
        """Run the pipeline on this backend directly (not through Django's authenticate():
        no AUTHENTICATION_BACKENDS entry, so no provider can log anyone in)."""
        response = kwargs.get("response") or {}
        response.update(self.user_data(access_token))
        response.setdefault("access_token", access_token)
        kwargs.update(
            response=response,
            backend=self,
            strategy=self.strategy,
            storage=self.strategy.storage,
        )
        # The Django strategy's argument cleaning takes the request first, as authenticate() would.
        return self.run_authentication(self.strategy.request, *args, **kwargs)


@cache
def oauth_backend(provider_name: str) -> type[ConnectOAuth2]:
    """The social-auth backend class of an installed provider."""
    spec = provider_spec(provider_name)
    base = spec.oauth_backend or ConnectOAuth2
    return type(
        f"{spec.label.replace(' ', '')}OAuth2",
        (base,),
        {
            "name": spec.name,
            "AUTHORIZATION_URL": spec.authorize_url,
            "ACCESS_TOKEN_URL": spec.token_url,
            "__module__": __name__,
        },
    )
