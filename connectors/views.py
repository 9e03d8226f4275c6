"""The connect flow's pages: /oauth/connect, /oauth/callback and magic links (/links/<token>).

Views parse the request, call one service and present the outcome. Failures go back to
the developer's `returnUrl` as `?error=<code>&error_description=<text>` when that URL is
known and allowed; otherwise (a bad `returnUrl`, a forged state) a short page says what
went wrong. Nothing here names a provider: the provider comes from `providerName`.
"""

from __future__ import annotations

import logging
import re

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods
from social_core.exceptions import SocialAuthBaseException
from social_django.utils import load_backend, load_strategy

from connectors.exceptions import ConnectorError
from connectors.models import OAuthState, Provider
from connectors.services import (
    ConnectFlowError,
    connect_provider,
    magic_link_open,
    magic_link_use,
    oauth_state_consume,
    oauth_state_create,
    provider_redirect_url,
    return_url_check,
    return_url_with,
)

logger = logging.getLogger(__name__)
_ERROR_CODE = re.compile(r"[^a-z0-9_]")


def _problem(request: HttpRequest, exc: ConnectFlowError, *, status: int = 400) -> HttpResponse:
    """Send the customer back with the error, or show it when there is nowhere to go."""
    if exc.return_url:
        return HttpResponseRedirect(
            return_url_with(exc.return_url, error=exc.code, error_description=exc.message)
        )
    context = {
        "title": "This connection could not be made",
        "message": exc.message,
        "code": exc.code,
    }
    return render(request, "connectors/connect_problem.html", context, status=status)


def _backend(request: HttpRequest, provider: Provider):
    return load_backend(load_strategy(request), provider.name, redirect_uri=provider_redirect_url())


def _to_authorize(request: HttpRequest, provider: Provider, state: str) -> HttpResponse:
    backend = _backend(request, provider)
    backend.connect_state = state
    return HttpResponseRedirect(backend.auth_url())


@require_GET
def oauth_connect(request: HttpRequest) -> HttpResponse:
    """`?customerId=&providerName=&returnUrl=` (Supaglue's; `applicationId` is ignored)."""
    return_url = request.GET.get("returnUrl", "")
    try:
        return_url_check(return_url=return_url)
        provider = connect_provider(
            provider_name=request.GET.get("providerName", ""), return_url=return_url
        )
        state = oauth_state_create(
            customer_id=request.GET.get("customerId", ""), provider=provider, return_url=return_url
        )
    except ConnectFlowError as exc:
        return _problem(request, exc)
    return _to_authorize(request, provider, state)


def _finish(state: OAuthState, **outcome: str) -> HttpResponse:
    return HttpResponseRedirect(
        return_url_with(
            state.return_url,
            **outcome,
            customerId=state.customer_id,
            providerName=state.provider.name,
        )
    )


@require_GET
def oauth_callback(request: HttpRequest) -> HttpResponse:
    """Where the provider sends the customer back: exchange the code, save, return."""
    try:
        state = oauth_state_consume(state=request.GET.get("state", ""))
    except ConnectFlowError as exc:
        return _problem(request, exc)
    error = request.GET.get("error")
    if error:
        code = _ERROR_CODE.sub("_", error.lower())[:64] or "provider_error"
        description = request.GET.get("error_description") or (
            "The authorization was declined." if "denied" in code else "The provider refused."
        )
        return _finish(state, error=code, error_description=description[:300])
    if not request.GET.get("code"):
        return _finish(state, error="missing_code", error_description="No code came back.")
    backend = _backend(request, state.provider)
    backend.oauth_state = state
    try:
        result = backend.complete()
    except (ConnectorError, SocialAuthBaseException) as exc:
        logger.warning("Connect flow for %s failed: %s", state.customer_id, exc)
        return _finish(state, error="connection_failed", error_description=str(exc)[:300])
    if isinstance(result, HttpResponse):
        return result
    return _finish(state, error="connection_failed", error_description="Nothing was saved.")


@require_http_methods(["GET", "POST"])
def magic_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with a Connect button. POST (the button): spend the link, go connect."""
    try:
        if request.method == "GET":
            link = magic_link_open(token=token)
            return render(request, "connectors/magic_link.html", {"link": link})
        link = magic_link_use(token=token)
        provider = connect_provider(provider_name=link.provider.name, return_url=link.return_url)
        state = oauth_state_create(
            customer_id=link.customer.customer_id,
            provider=provider,
            return_url=link.return_url,
            magic_link=link,
        )
    except ConnectFlowError as exc:
        exc.return_url = ""  # a link problem is shown on the link's own page
        return _problem(request, exc, status=404 if exc.code == "invalid_link" else 410)
    return _to_authorize(request, provider, state)
