"""Connect sessions: the only way into a connect flow, and the OAuth states they open.

A session is issued by someone Glue trusts (the developer's backend with an API key, the
admin, a magic link) and binds customer, provider, return URL, scopes and whether the
customer's account may be replaced. Its token is random, stored hashed, short-lived, and
opened by one browser only: the first browser to open it gets a cookie whose hash is kept
on the session, and the OAuth callback must come back with the same cookie. So neither a
connect URL made up by an attacker nor an authorize link forwarded to someone else can
connect an account to a customer.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from connectors.exceptions import InvalidInput, NotFound
from connectors.models import ConnectSession, Customer, MagicLink, OAuthState
from connectors.selectors import customer_get
from connectors.services.connect import ConnectFlowError, connect_provider, return_url_check

STATE_SALT = "connectors.oauth.state"
BROWSER_COOKIE = "glue_connect_browser"
# One session may be retried (the customer pressed Back) but not used to mint states forever.
MAX_STATES_PER_SESSION = 10
# RFC 6749 §3.3 scope-token: printable ASCII without space, '"' and '\'.
_SCOPE = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]+$")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _scopes_clean(scopes: Iterable[str] | str | None) -> str:
    items = scopes.split() if isinstance(scopes, str) else list(scopes or [])
    bad = [s for s in items if not isinstance(s, str) or not _SCOPE.match(s)]
    if bad:
        raise InvalidInput("scopes", f"not an OAuth scope: {bad[0]!r}")
    if len(" ".join(items)) > 1000:
        raise InvalidInput("scopes", "at most 1000 characters in all")
    return " ".join(items)


def connect_session_create(
    *,
    customer: Customer,
    provider_name: str,
    return_url: str,
    scopes: Iterable[str] | str | None = None,
    replace: bool = False,
    origin: str = "",
    magic_link: MagicLink | None = None,
) -> tuple[ConnectSession, str]:
    """Issue a connect session; returns it with its token (shown once, stored hashed).

    Bad input raises `InvalidInput` naming the field (`return_url`, `provider_name`,
    `scopes`)."""
    try:
        return_url_check(return_url=return_url)
        provider = connect_provider(provider_name=provider_name)
    except ConnectFlowError as exc:
        field = "return_url" if exc.code == "invalid_return_url" else "provider_name"
        raise InvalidInput(field, exc.message) from exc
    token = secrets.token_urlsafe(32)
    session = ConnectSession.objects.create(
        token_hash=_digest(token),
        customer=customer,
        provider=provider,
        return_url=return_url,
        scopes=_scopes_clean(scopes),
        replace=bool(replace),
        origin=origin[:200],
        magic_link=magic_link,
        expires_at=timezone.now() + timedelta(seconds=settings.CONNECT_SESSION_MAX_AGE),
    )
    return session, token


def connect_session_url(*, token: str) -> str:
    """The link that starts the session's connect flow in the customer's browser."""
    return f"{settings.PUBLIC_URL}{reverse('oauth-connect')}?{urlencode({'session': token})}"


def connect_session_unsigned(*, customer_id: str, provider_name: str, return_url: str) -> str:
    """A session for Supaglue's bare `/oauth/connect?customerId=…` URL, when the operator
    allowed it (`CONNECT_ALLOW_UNSIGNED`, unsafe); else a `ConnectFlowError` saying how to
    get a session. Never creates a customer; the pending ones are bounded."""
    if not settings.CONNECT_ALLOW_UNSIGNED:
        raise ConnectFlowError(
            "connect_session_required",
            "Connect links must come from a connect session: your backend calls "
            "POST /mgmt/v2/connect_sessions with its API key and sends the customer to the "
            "connect_url it returns.",
        )
    return_url_check(return_url=return_url)
    try:
        customer = customer_get(customer_id=customer_id)
    except NotFound:
        raise ConnectFlowError(
            "unknown_customer",
            f"No customer {customer_id!r}: create it first (PUT /mgmt/v2/customers).",
            return_url=return_url,
        ) from None
    pending = ConnectSession.objects.filter(
        origin="unsigned connect URL", opened_at__isnull=True, expires_at__gt=timezone.now()
    )
    if pending.count() >= settings.CONNECT_MAX_PENDING_UNSIGNED:
        raise ConnectFlowError(
            "too_many_pending", "Too many connect flows are pending; try again later."
        )
    try:
        _, token = connect_session_create(
            customer=customer,
            provider_name=provider_name,
            return_url=return_url,
            origin="unsigned connect URL",
        )
    except InvalidInput as exc:
        code = "invalid_return_url" if exc.field == "return_url" else "unknown_provider"
        raise ConnectFlowError(code, exc.message, return_url=return_url) from exc
    return token


def connect_session_open(*, token: str, browser_id: str) -> tuple[ConnectSession, str]:
    """Open the session in the browser known by `browser_id` (its cookie); returns the
    session and the signed OAuth `state` for the provider's consent page.

    The first browser to open a session is bound to it; another browser is refused."""
    with transaction.atomic():
        session = (
            ConnectSession.objects.select_for_update(of=("self",))
            .select_related("customer", "provider")
            .filter(token_hash=_digest(token or ""))
            .first()
        )
        if session is None:
            raise ConnectFlowError("invalid_session", "This connect link is not valid.")
        if session.used_at is not None:
            raise ConnectFlowError("session_used", "This connect link was already used.")
        if session.is_expired:
            raise ConnectFlowError(
                "session_expired", "This connect link has expired; ask for a new one."
            )
        browser = _digest(browser_id)
        if session.browser_hash and not secrets.compare_digest(session.browser_hash, browser):
            raise ConnectFlowError(
                "session_opened_elsewhere",
                "This connect link was already opened in another browser; ask for a new one.",
            )
        if session.states.count() >= MAX_STATES_PER_SESSION:
            raise ConnectFlowError(
                "too_many_attempts", "This connect link was tried too often; ask for a new one."
            )
        if not session.browser_hash:
            session.browser_hash, session.opened_at = browser, timezone.now()
            session.save(update_fields=["browser_hash", "opened_at"])
        nonce = secrets.token_urlsafe(24)
        OAuthState.objects.create(nonce=nonce, session=session)
    return session, signing.TimestampSigner(salt=STATE_SALT).sign(nonce)


def oauth_state_consume(*, state: str, browser_id: str) -> OAuthState:
    """The flow `state` names, spent: valid once, for OAUTH_STATE_MAX_AGE, and only in the
    browser that opened its session (a forwarded consent link comes back without it)."""
    signer = signing.TimestampSigner(salt=STATE_SALT)
    try:
        nonce = signer.unsign(state or "", max_age=settings.OAUTH_STATE_MAX_AGE)
        expired = False
    except signing.SignatureExpired:
        nonce, expired = signer.unsign(state), True
    except signing.BadSignature as exc:
        raise ConnectFlowError("invalid_state", "The connect request is not valid.") from exc
    with transaction.atomic():
        row = (
            OAuthState.objects.select_for_update(of=("self",))
            .select_related("session__customer", "session__provider", "session__magic_link")
            .filter(nonce=nonce)
            .first()
        )
        if row is None:
            raise ConnectFlowError("invalid_state", "The connect request is not valid.")
        return_url = row.session.return_url
        if not secrets.compare_digest(row.session.browser_hash, _digest(browser_id or "")):
            # Not spent: the person who opened the flow may still finish it.
            raise ConnectFlowError(
                "browser_mismatch",
                "This connect flow was started in another browser; start again from the app.",
                return_url=return_url,
            )
        if row.used_at is not None or row.session.used_at is not None:
            raise ConnectFlowError(
                "invalid_state", "This connect request was already used.", return_url=return_url
            )
        row.used_at = timezone.now()
        row.save(update_fields=["used_at"])
    if expired:
        raise ConnectFlowError(
            "expired_state",
            "The connect request expired; please start again.",
            return_url=return_url,
        )
    return row


def connect_sessions_prune() -> dict[str, int]:
    """Delete OAuth states past their lifetime and sessions that can no longer be used
    (expired or spent) once any state they opened has expired too."""
    lifetime = timedelta(seconds=settings.OAUTH_STATE_MAX_AGE)
    cutoff = timezone.now() - lifetime
    states = OAuthState.objects.filter(created_at__lt=cutoff).delete()[0]
    sessions = (
        ConnectSession.objects.filter(Q(expires_at__lt=cutoff) | Q(used_at__lt=cutoff))
        .delete()[1]
        .get(ConnectSession._meta.label, 0)
    )
    return {"sessions": sessions, "states": states}
