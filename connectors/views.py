"""The connect flow's pages: /oauth/connect, /oauth/callback and magic links (/links/<token>).

Views parse the request, call one service and present the outcome. Failures go back to
the developer's return URL as `?error=<code>&error_description=<text>` when the flow's
session is known; otherwise (no session, a forged state) a short page says what went
wrong. Nothing here names a provider: the provider comes from the connect session.
"""

from __future__ import annotations

import logging
import re
import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods
from social_core.exceptions import SocialAuthBaseException
from social_django.utils import load_strategy

from connectors.exceptions import ConnectorError
from connectors.models import ConnectSession, OAuthState, Provider
from connectors.oauth import oauth_backend
from connectors.services import (
    BROWSER_COOKIE,
    ConnectFlowError,
    connect_session_open,
    connect_session_unsigned,
    magic_link_open,
    magic_link_session,
    magic_link_use,
    oauth_state_consume,
    provider_redirect_url,
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
    backend_class = oauth_backend(provider.name)
    return backend_class(load_strategy(request), redirect_uri=provider_redirect_url())


def _browser_id(request: HttpRequest) -> str:
    return request.COOKIES.get(BROWSER_COOKIE) or secrets.token_urlsafe(32)


def _to_authorize(
    request: HttpRequest, session: ConnectSession, state: str, browser_id: str
) -> HttpResponse:
    """To the provider's consent page, with the cookie that binds this browser to the flow."""
    backend = _backend(request, session.provider)
    backend.connect_state = state
    backend.connect_scopes = session.scopes.split()
    response = HttpResponseRedirect(backend.auth_url())
    # Lax: sent on the provider's top-level redirect back to /oauth/callback.
    response.set_cookie(
        BROWSER_COOKIE,
        browser_id,
        max_age=settings.CONNECT_SESSION_MAX_AGE + settings.OAUTH_STATE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure() or settings.PUBLIC_URL.startswith("https://"),
    )
    return response


@require_GET
def oauth_connect(request: HttpRequest) -> HttpResponse:
    """`?session=<token>` from a connect session. Supaglue's bare `?customerId=&providerName=
    &returnUrl=` answers 400 unless the operator allowed it (`CONNECT_ALLOW_UNSIGNED`)."""
    browser_id = _browser_id(request)
    try:
        token = request.GET.get("session", "")
        if not token:
            token = connect_session_unsigned(
                customer_id=request.GET.get("customerId", ""),
                provider_name=request.GET.get("providerName", ""),
                return_url=request.GET.get("returnUrl", ""),
            )
        session, state = connect_session_open(token=token, browser_id=browser_id)
    except ConnectFlowError as exc:
        return _problem(request, exc)
    return _to_authorize(request, session, state, browser_id)


def _finish(state: OAuthState, **outcome: str) -> HttpResponse:
    return HttpResponseRedirect(
        return_url_with(
            state.session.return_url,
            **outcome,
            customerId=state.session.customer.customer_id,
            providerName=state.session.provider.name,
        )
    )


@require_GET
def oauth_callback(request: HttpRequest) -> HttpResponse:
    """Where the provider sends the customer back: exchange the code, save, return."""
    try:
        state = oauth_state_consume(
            state=request.GET.get("state", ""), browser_id=request.COOKIES.get(BROWSER_COOKIE, "")
        )
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
    backend = _backend(request, state.session.provider)
    backend.oauth_state = state
    try:
        result = backend.complete()
    except ConnectFlowError as exc:
        return _finish(state, error=exc.code, error_description=exc.message[:300])
    except (ConnectorError, SocialAuthBaseException) as exc:
        logger.warning("Connect flow for %s failed: %s", state.session.customer, exc)
        return _finish(state, error="connection_failed", error_description=str(exc)[:300])
    if isinstance(result, HttpResponse):
        return result
    return _finish(state, error="connection_failed", error_description="Nothing was saved.")


@require_http_methods(["GET", "POST"])
def magic_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with a Connect button. POST (the button): spend the link, go connect."""
    browser_id = _browser_id(request)
    try:
        if request.method == "GET":
            link = magic_link_open(token=token)
            return render(request, "connectors/magic_link.html", {"link": link})
        link = magic_link_use(token=token)
        session, state = connect_session_open(
            token=magic_link_session(link=link), browser_id=browser_id
        )
    except ConnectFlowError as exc:
        exc.return_url = ""  # a link problem is shown on the link's own page
        return _problem(request, exc, status=404 if exc.code == "invalid_link" else 410)
    return _to_authorize(request, session, state, browser_id)
