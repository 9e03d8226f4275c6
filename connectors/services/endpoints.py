"""Where a provider's credentials may go: the real provider's hosts (from its `ProviderSpec`),
over https, or a host the operator allowed in `settings.PROVIDER_ALLOWED_HOSTS` (the local
sandbox, a proxy), over http or https.

The rule is checked twice: when a provider row is saved (`provider_save`, a validation error
naming the field) and again just before any credential is sent (`endpoint_check`, a
`ProviderError` and nothing sent), so a row written around the service cannot leak either.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

from connectors.exceptions import ProviderError
from connectors.models import Provider
from connectors.registry import PROVIDERS, provider_spec

URL_FIELDS = ("authorize_url", "token_url", "api_base_url")


def allowed_hosts() -> frozenset[str]:
    """The operator's extra hosts (exact host names, any port), lower-cased."""
    return frozenset(
        host.strip().lower() for host in getattr(settings, "PROVIDER_ALLOWED_HOSTS", []) if host
    )


def endpoint_problem(*, provider_name: str, url: str) -> str | None:
    """Why `url` may not be an endpoint of provider `provider_name`; None when it may."""
    parts = urlsplit(url or "")
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        return "Enter an http or https URL with a host."
    if parts.username is not None or parts.password is not None:
        return "Remove the user name and password from the URL."
    if host in allowed_hosts():
        return None
    spec = provider_spec(provider_name)
    if host in spec.hosts:
        try:
            port = parts.port
        except ValueError:
            return "Enter a valid port."
        if parts.scheme != "https" or port not in (None, 443):
            return f"Use https (on its default port) for {host}."
        return None
    return (
        f"{host} is not a {spec.label} host ({', '.join(sorted(spec.hosts))}); "
        "an operator can allow it with the PROVIDER_ALLOWED_HOSTS setting."
    )


def endpoint_check(*, provider: Provider, url: str) -> None:
    """Called before credentials go to `url`: `ProviderError` (naming the host, never a
    credential) when the rule forbids it, so nothing is sent."""
    problem = endpoint_problem(provider_name=provider.name, url=url)
    if problem is not None:
        host = urlsplit(url or "").hostname or url
        raise ProviderError(
            f"Glue did not contact {host}: credentials of the {provider.name} provider may only "
            f"go to its own hosts. {problem}"
        )


def url_on_provider_host(url: str | None) -> bool:
    """True when `url` is on a real provider's host over https, or on a host the operator
    allowed (PROVIDER_ALLOWED_HOSTS): its answers may be shown to API callers. An API key
    can point a provider at no other host, so no caller-chosen host's answer is echoed."""
    parts = urlsplit(url or "")
    try:
        default_port = parts.port in (None, 443)
    except ValueError:
        return False
    if parts.hostname and parts.hostname.lower() in settings.PROVIDER_ALLOWED_HOSTS:
        return True
    return (
        parts.scheme == "https"
        and default_port
        and any(parts.hostname in spec.hosts for spec in PROVIDERS.values())
    )
