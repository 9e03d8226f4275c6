"""Who may call what: every route of the URL conf, called as every kind of caller.

The routes are read from the URL conf itself, so a route added without a row here fails
`test_every_route_has_a_row`. Each row names the route's kind; the kind says what each
caller must get:

- anonymous, a revoked key, and a logged-in admin user (a browser session never
  authenticates the API) → 401 on every API route;
- a key limited to customer A asking for customer B → 403 (and so does such a key on an
  account-wide route);
- a valid account-wide key → neither 401 nor 403 (its own 2xx/4xx), never a 500.

Public routes (the connect flow's pages, the API docs) are the same for everyone, and each
row states its status. The admin's own URLs and actions are in test_admin_matrix.py.
"""

from __future__ import annotations

import pytest
import responses
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from connectors import http
from connectors.base import COMMON_OBJECTS
from connectors.models import MagicLink
from portal.services import api_key_create, api_key_revoke
from syncs.models import SyncConfig
from tests.factories import ConnectionFactory, CustomerFactory, ProviderFactory

DATA = "data"  # acts on the connection named by x-customer-id / x-provider-name
CUSTOMER_READ = "customer read"  # a customer-limited key may GET its own customer
CONNECT = "connect session"  # a customer-limited key may POST for its own customer
ACCOUNT = "account"  # account-wide keys only
# What a key limited to one customer may call, for that customer.
CUSTOMER_KEY_METHODS = {
    DATA: {"get", "post", "put", "patch", "delete"},
    CUSTOMER_READ: {"get"},
    CONNECT: {"post"},
    ACCOUNT: set(),
}

E, M = "engagement/v2", "mgmt/v2"

API_ROUTES: dict[str, str] = {
    f"{E}/accounts/_upsert": DATA,
    f"{E}/accounts/_search": DATA,
    f"{E}/contacts/_search": DATA,
    f"{E}/sequence_states/_search": DATA,
    f"{E}/sequence_states/_batch": DATA,
    f"{E}/sequences/<str:remote_id>/sequence_steps": DATA,
    f"{E}/sequences/<str:remote_id>/sequence_steps/<str:step_id>": DATA,
    **{f"{E}/{name}": DATA for name in COMMON_OBJECTS},
    **{f"{E}/{name}/<str:remote_id>": DATA for name in COMMON_OBJECTS},
    "actions/v2/passthrough": DATA,
    f"{M}/customers": ACCOUNT,
    f"{M}/customers/<str:customer_id>": CUSTOMER_READ,
    f"{M}/customers/<str:customer_id>/connections": CUSTOMER_READ,
    f"{M}/customers/<str:customer_id>/connections/<str:provider_name>": CUSTOMER_READ,
    f"{M}/customers/<str:customer_id>/connections/_provider_user_id": CUSTOMER_READ,
    f"{M}/customers/<str:customer_id>/connections/<str:provider_name>/_rate_limit_info": (
        CUSTOMER_READ
    ),
    f"{M}/providers": ACCOUNT,
    f"{M}/providers/<str:provider_id>": ACCOUNT,
    f"{M}/sync_configs": ACCOUNT,
    f"{M}/sync_configs/<str:sync_config_id>": ACCOUNT,
    f"{M}/syncs": ACCOUNT,
    f"{M}/syncs/_pause": ACCOUNT,
    f"{M}/syncs/_resume": ACCOUNT,
    f"{M}/syncs/_trigger": ACCOUNT,
    f"{M}/sync-runs": ACCOUNT,
    f"{M}/sync-runs/<str:run_id>": ACCOUNT,
    f"{M}/connection_sync_configs": CUSTOMER_READ,
    f"{M}/destinations": ACCOUNT,
    f"{M}/destinations/<str:destination_id>": ACCOUNT,
    f"{M}/schemas": ACCOUNT,
    f"{M}/schemas/<str:schema_id>": ACCOUNT,
    f"{M}/entities": ACCOUNT,
    f"{M}/entities/<str:entity_id>": ACCOUNT,
    f"{M}/field_mappings": CUSTOMER_READ,
    f"{M}/field_mappings/_update_object": ACCOUNT,
    f"{M}/entity_mappings": CUSTOMER_READ,
    f"{M}/entity_mappings/<str:entity_id>": ACCOUNT,
    f"{M}/connect_sessions": CONNECT,
    f"{M}/magic_links": ACCOUNT,
    f"{M}/magic_links/<str:magic_link_id>": ACCOUNT,
    f"{M}/webhook_endpoints": ACCOUNT,
    f"{M}/webhook_endpoints/<str:endpoint_id>": ACCOUNT,
    f"{M}/webhook_deliveries": ACCOUNT,
    f"{M}/webhook_deliveries/<str:delivery_id>/_resend": ACCOUNT,
}

# Anyone reaches these, and gets the same answer: (method, path or None for the route) → status.
PUBLIC_ROUTES: dict[str, tuple[str, str | None, int]] = {
    "": ("get", "/", 302),
    "oauth/connect": ("get", None, 400),  # no session: a page saying how to get one
    "oauth/callback": ("get", None, 400),  # no state
    "links/<str:token>": ("get", "/links/not-a-token", 404),
    # Unauthenticated by design: the provider's signature with the connection's callback
    # token is the proof (tests/connectors/test_webhooks_in.py); unsigned → 401.
    "webhooks/<str:provider_name>/<str:public_id>": ("post", "/webhooks/salesloft/x", 401),
    "api/schema/": ("get", None, 200),
    "api/docs/": ("get", None, 200),
    "api/redoc/": ("get", None, 200),
    r"^(?:engagement|mgmt|actions)/v2(?:/.*)?$": ("get", "/mgmt/v2/nothing-here", 404),
}
ADMIN_PREFIX = "admin/"

METHODS = ["get", "post", "put", "patch", "delete"]


def _routes(patterns=None, prefix: str = ""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _methods(pattern: URLPattern) -> list[str]:
    view = getattr(pattern.callback, "view_class", None)
    return [m for m in METHODS if view is not None and hasattr(view, m)]


ALL_ROUTES = list(_routes())
API_CELLS = [
    (route, method)
    for route, pattern in ALL_ROUTES
    if route in API_ROUTES
    for method in _methods(pattern)
]


def test_every_route_has_a_row():
    missing = [
        route
        for route, _ in ALL_ROUTES
        if route not in API_ROUTES
        and route not in PUBLIC_ROUTES
        and not route.startswith(ADMIN_PREFIX)
    ]
    assert missing == [], f"routes without a row in the authorization matrix: {missing}"
    assert not [route for route in API_ROUTES if route not in dict(ALL_ROUTES)]
    assert len(API_CELLS) >= len(API_ROUTES)  # every API route has at least one method


@pytest.fixture
def world(db, monkeypatch):
    """Customers A and B connected, a sync config, a magic link, and keys of every kind.
    No request may leave the machine (responses refuses them), and retries do not sleep."""
    monkeypatch.setattr(http, "_default", http.HttpClient(sleep=lambda s: None))
    provider = ProviderFactory()
    conn_a = ConnectionFactory(provider=provider, customer=CustomerFactory(customer_id="cust-a"))
    ConnectionFactory(provider=provider, customer=CustomerFactory(customer_id="cust-b"))
    config = SyncConfig.objects.create(provider=provider)
    link = MagicLink.objects.create(
        customer=conn_a.customer,
        provider=provider,
        return_url="http://localhost/x",
        expires_at="2099-01-01T00:00:00Z",
    )
    revoked, revoked_raw = api_key_create(name="old")
    api_key_revoke(key=revoked)
    users = get_user_model()
    return {
        "config": config,
        "link": link,
        "key": api_key_create(name="backend")[1],
        "key_a": api_key_create(name="a only", customer=conn_a.customer)[1],
        "revoked": revoked_raw,
        "superuser": users.objects.create_superuser("root", "root@example.com", "x"),
    }


def _path(route: str, world: dict, customer_id: str) -> str:
    values = {
        "<str:customer_id>": customer_id,
        "<str:provider_name>": "salesloft",
        "<str:provider_id>": "salesloft",
        "<str:remote_id>": "1",
        "<str:step_id>": "1",
        "<str:sync_config_id>": str(world["config"].pk),
        "<str:magic_link_id>": str(world["link"].pk),
        "<str:run_id>": "1",
        "<str:destination_id>": "glue",
        "<str:schema_id>": "1",
        "<str:entity_id>": "1",
        "<str:endpoint_id>": "1",
        "<str:delivery_id>": "1",
    }
    for placeholder, value in values.items():
        route = route.replace(placeholder, value)
    assert "<" not in route, route
    return "/" + route


def _call(client, method: str, route: str, world: dict, *, key: str | None, customer_id: str):
    headers = {"x-customer-id": customer_id, "x-provider-name": "salesloft"}
    if key is not None:
        headers["x-api-key"] = key
    body = None
    if method in ("post", "put", "patch"):
        # A valid body where the customer is named in it, so the check that refuses another
        # customer is reached; elsewhere an empty body (a 400 for the account-wide key).
        body = (
            {
                "customer_id": customer_id,
                "provider_name": "salesloft",
                "return_url": "http://localhost/b",
            }
            if API_ROUTES[route] == CONNECT
            else {}
        )
    with responses.RequestsMock(assert_all_requests_are_fired=False):
        return getattr(client, method)(
            _path(route, world, customer_id), body, format="json", headers=headers
        )


@pytest.mark.parametrize(("route", "method"), API_CELLS)
def test_api_route(world, route, method):
    kind = API_ROUTES[route]
    api = APIClient(enforce_csrf_checks=True)

    # Nobody, a revoked key, and an admin's browser session: 401.
    assert _call(api, method, route, world, key=None, customer_id="cust-a").status_code == 401
    revoked = _call(api, method, route, world, key=world["revoked"], customer_id="cust-a")
    assert revoked.status_code == 401
    admin = APIClient(enforce_csrf_checks=True)
    admin.force_login(world["superuser"])
    assert _call(admin, method, route, world, key=None, customer_id="cust-a").status_code == 401

    # A key limited to customer A, asking for customer B: 403.
    other = _call(api, method, route, world, key=world["key_a"], customer_id="cust-b")
    assert other.status_code == 403, other.content

    # The same key for its own customer: only what its kind allows.
    own = _call(api, method, route, world, key=world["key_a"], customer_id="cust-a")
    allowed = method in CUSTOMER_KEY_METHODS[kind]
    assert (own.status_code not in (401, 403)) == allowed, (own.status_code, own.content)
    assert own.status_code < 500 or own.status_code == 502

    # An account-wide key: its own answer, never refused, never a crash.
    answer = _call(api, method, route, world, key=world["key"], customer_id="cust-a")
    assert answer.status_code not in (401, 403), answer.content
    assert answer.status_code < 500 or answer.status_code == 502, answer.content


@pytest.mark.parametrize("route", list(PUBLIC_ROUTES))
def test_public_route(world, route):
    method, path, expected = PUBLIC_ROUTES[route]
    path = path or "/" + route
    callers = {"anonymous": Client(), "superuser": Client()}
    callers["superuser"].force_login(world["superuser"])
    for name, client in callers.items():
        answer = getattr(client, method)(path)
        assert answer.status_code == expected, (name, answer.status_code)
