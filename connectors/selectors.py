"""Reads of the rows `connectors` owns: customers, connections, providers, magic links, and
the live rate windows. Nothing here calls a provider or writes (reads from a provider
refresh tokens and spend rate budget: they are services, in `services/records.py`).

A lookup by the caller's names raises `NotFound` saying what is missing.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from connectors.exceptions import NotFound
from connectors.models import Connection, Customer, MagicLink, Provider
from connectors.ratelimit.shared import shared_store


def customer_list() -> QuerySet[Customer]:
    return Customer.objects.all()


def customer_get(*, customer_id: str) -> Customer:
    """The customer the developer calls `customer_id`."""
    customer = Customer.objects.filter(customer_id=customer_id).first()
    if customer is None:
        raise NotFound(f"No customer {customer_id!r}.")
    return customer


def connection_list(*, customer_id: str) -> QuerySet[Connection]:
    """The customer's connections (`NotFound` for an unknown customer, not an empty list)."""
    customer = customer_get(customer_id=customer_id)
    return Connection.objects.filter(customer=customer).select_related("customer", "provider")


def connection_get(*, customer_id: str, provider_name: str) -> Connection:
    """The connection of `customer_id` to `provider_name`."""
    connection = (
        Connection.objects.select_related("customer", "provider")
        .filter(customer__customer_id=customer_id, provider__name=provider_name)
        .first()
    )
    if connection is None:
        raise NotFound(f"Customer {customer_id!r} has no {provider_name!r} connection.")
    return connection


def provider_list() -> QuerySet[Provider]:
    return Provider.objects.all()


def provider_get(*, provider_id: str) -> Provider:
    """A provider by its primary key (all digits) or its name."""
    lookup = {"pk": provider_id} if provider_id.isdigit() else {"name": provider_id}
    provider = Provider.objects.filter(**lookup).first()
    if provider is None:
        raise NotFound("No Provider matches the given query.")
    return provider


def magic_link_list(*, customer_id: str | None = None) -> QuerySet[MagicLink]:
    """Magic links, newest first, optionally for one customer."""
    links = MagicLink.objects.select_related("customer", "provider")
    if customer_id is not None:
        links = links.filter(customer__customer_id=customer_id)
    return links


def magic_link_get(*, magic_link_id: str) -> MagicLink:
    link = MagicLink.objects.filter(pk=magic_link_id).first() if magic_link_id.isdigit() else None
    if link is None:
        raise NotFound(f"No magic link {magic_link_id!r}.")
    return link


def rate_budget_windows(*, now: float | None = None) -> dict[str, dict[str, Any]]:
    """The current rate window of every provider account (`provider:account` keys): what
    is left of its budget and when it resets. A window that has ended shows its full limit."""
    now = time.time() if now is None else now
    windows = {}
    for key, state in shared_store(redis_url=settings.REDIS_URL).states().items():
        ended = state.window_end <= now
        windows[key] = {
            "limit": state.limit,
            "remaining": state.limit if ended else state.remaining,
            "resets_in": 0 if ended else round(state.window_end - now),
        }
    return windows
