"""Who is calling, and for which customer: resolved once, before any view code runs.

`x-api-key` authenticates the developer's program (hashed keys, `portal.services`).
Unified and actions calls also name the customer (`x-customer-id`, the developer's own id
for it) and the provider (`x-provider-name`); `ConnectionScopedView` turns the two into
exactly one `Connection`, and every query below it starts from that connection, so one
customer's rows can never reach another's response.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.views import APIView

from connectors.exceptions import NotFound
from connectors.models import Connection
from connectors.registry import PROVIDERS
from connectors.selectors import connection_get
from portal.api.errors import BadRequest
from portal.models import ApiKey
from portal.services import api_key_authenticate

API_KEY_HEADER = "x-api-key"
CUSTOMER_HEADER = "x-customer-id"
PROVIDER_HEADER = "x-provider-name"


@dataclass(frozen=True)
class ApiClient:
    """The program behind an API key; DRF's `request.user` for API calls."""

    key: ApiKey
    is_authenticated: bool = True


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request) -> tuple[ApiClient, ApiKey]:
        raw_key = request.headers.get(API_KEY_HEADER, "")
        if not raw_key:
            raise exceptions.NotAuthenticated(f"Send your API key in the {API_KEY_HEADER} header.")
        key = api_key_authenticate(raw_key=raw_key)
        if key is None:
            raise exceptions.AuthenticationFailed(f"The {API_KEY_HEADER} is unknown or revoked.")
        return ApiClient(key=key), key

    def authenticate_header(self, request) -> str:
        # A non-empty value makes DRF answer 401 (not 403) to a missing or wrong key.
        return API_KEY_HEADER


class HasApiKey(BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.user, ApiClient)


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "portal.api.auth.ApiKeyAuthentication"
    name = "x-api-key"

    def get_security_definition(self, auto_schema) -> dict[str, Any]:
        return {"type": "apiKey", "in": "header", "name": API_KEY_HEADER}


class ApiView(APIView):
    """Every API endpoint: authenticated by `x-api-key`, errors in the one envelope.

    A key limited to one customer may call only the methods a view lists in
    `customer_key_methods`, and only for its customer: a `customer_id` in the path is
    checked here; views that take the customer elsewhere call `customer_key_check`.
    """

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasApiKey]
    customer_key_methods: frozenset[str] = frozenset()

    def initial(self, request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.auth.customer_id is None:
            return
        if request.method not in self.customer_key_methods:
            raise PermissionDenied(
                "This API key is limited to one customer; this call needs an account-wide key."
            )
        if "customer_id" in kwargs:
            customer_key_check(request, kwargs["customer_id"])


def customer_key_check(request, customer_id: str) -> None:
    """Refuse (403) a key limited to one customer asking for another customer."""
    key: ApiKey = request.auth
    if key.customer_id is not None and key.customer.customer_id != customer_id:
        raise PermissionDenied(f"This API key is limited to customer {key.customer.customer_id!r}.")


def connection_resolve(*, customer_id: str, provider_name: str) -> Connection:
    """The connection of `customer_id` to `provider_name`; the 404 says which headers named
    it."""
    try:
        return connection_get(customer_id=customer_id, provider_name=provider_name)
    except NotFound as exc:
        raise NotFound(
            f"{str(exc).rstrip('.')} (check the {CUSTOMER_HEADER} and {PROVIDER_HEADER} headers)."
        ) from None


def required_header(request, name: str) -> str:
    value = request.headers.get(name, "").strip()
    if not value:
        raise BadRequest(f"The {name} header is required.")
    return value


class ConnectionScopedView(ApiView):
    """An endpoint acting on one customer's connection, named by the two headers.

    The connection is resolved in `initial()` (after authentication), once per request,
    and kept as `self.connection`; subclasses never look it up themselves.
    """

    connection: Connection
    customer_key_methods = frozenset({"GET", "POST", "PATCH", "PUT", "DELETE"})

    def initial(self, request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        customer_id = required_header(request, CUSTOMER_HEADER)
        customer_key_check(request, customer_id)
        self.connection = connection_resolve(
            customer_id=customer_id, provider_name=required_header(request, PROVIDER_HEADER)
        )


CONNECTION_HEADERS = [
    OpenApiParameter(
        CUSTOMER_HEADER,
        str,
        OpenApiParameter.HEADER,
        required=True,
        description="Your own id for the customer whose data this call reads or writes.",
    ),
    OpenApiParameter(
        PROVIDER_HEADER,
        str,
        OpenApiParameter.HEADER,
        required=True,
        enum=sorted(PROVIDERS),
        description="The provider of the customer's connection.",
    ),
]
