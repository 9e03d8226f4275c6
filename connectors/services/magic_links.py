"""Magic links: single-use links that send a customer into a connect flow."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from connectors.exceptions import InvalidInput
from connectors.models import Customer, MagicLink, Provider
from connectors.services.connect import ConnectFlowError, return_url_check
from connectors.services.connect_sessions import connect_session_create


def magic_link_create(
    *, customer: Customer, provider_name: str, return_url: str, expiration_secs: int
) -> MagicLink:
    """A single-use link (`MagicLink.url`) to send a customer to connect `provider_name`."""
    try:
        return_url_check(return_url=return_url)
    except ConnectFlowError as exc:
        raise InvalidInput("return_url", exc.message) from exc
    if not Provider.objects.filter(name=provider_name).exists():
        raise InvalidInput("provider_name", f"no provider {provider_name!r} is set up")
    if not isinstance(expiration_secs, int) or not 0 < expiration_secs <= 60 * 60 * 24 * 90:
        raise InvalidInput("expiration_secs", "must be a whole number of seconds, at most 90 days")
    return MagicLink.objects.create(
        customer=customer,
        provider=Provider.objects.get(name=provider_name),
        return_url=return_url,
        expires_at=timezone.now() + timedelta(seconds=expiration_secs),
    )


def _magic_link_usable(*, token: str, lock: bool = False) -> MagicLink:
    """The link behind `token` if it can still be followed, else the `ConnectFlowError`
    its page shows (unknown, used or expired). `lock` takes the row lock, so the caller
    must be in a transaction."""
    links = MagicLink.objects.select_related("customer", "provider")
    if lock:
        links = links.select_for_update(of=("self",))
    link = links.filter(token=token).first()
    if link is None:
        raise ConnectFlowError("invalid_link", "This link is not valid.")
    if link.status == MagicLink.Status.USED:
        raise ConnectFlowError("magic_link_used", "This link was already used.")
    if link.is_expired:
        raise ConnectFlowError("magic_link_expired", "This link has expired.")
    return link


def magic_link_open(*, token: str) -> MagicLink:
    """The link behind `token` for its landing page (marked opened); `ConnectFlowError`
    when it is unknown, used or expired."""
    link = _magic_link_usable(token=token)
    if link.status == MagicLink.Status.NEW:
        MagicLink.objects.filter(pk=link.pk, status=MagicLink.Status.NEW).update(
            status=MagicLink.Status.OPENED
        )
        link.status = MagicLink.Status.OPENED
    return link


def magic_link_use(*, token: str) -> MagicLink:
    """Spend the link (its Connect button was pressed): used once, never again."""
    with transaction.atomic():
        link = _magic_link_usable(token=token, lock=True)
        link.status, link.used_at = MagicLink.Status.USED, timezone.now()
        link.save(update_fields=["status", "used_at"])
    return link


def magic_link_session(*, link: MagicLink) -> str:
    """A connect session for a spent link (its Connect button was pressed): the token."""
    try:
        _, token = connect_session_create(
            customer=link.customer,
            provider_name=link.provider.name,
            return_url=link.return_url,
            origin=f"magic link {link.pk}",
            magic_link=link,
        )
    except InvalidInput as exc:
        raise ConnectFlowError("provider_not_configured", exc.message) from exc
    return token
