"""`/mgmt/v2/`: customers, their connections, providers and magic links.

Shapes follow Supaglue's management API: these lists are plain JSON arrays, as Supaglue's
were; the long lists (syncs, sync runs, in `mgmt_syncs.py`) are paginated.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from connectors import selectors
from connectors.exceptions import NotFound
from connectors.services import connect_session_url, connection_rate_window, customer_upsert
from portal.api import mgmt_services
from portal.api.auth import ApiView, customer_key_check
from portal.api.errors import BadRequest
from portal.api.schema import ERRORS, WRITE_ERRORS
from portal.api.serializers.mgmt import (
    ConnectionCreateSerializer,
    ConnectionSerializer,
    ConnectSessionCreateSerializer,
    ConnectSessionSerializer,
    CustomerSerializer,
    CustomerUpsertSerializer,
    MagicLinkCreateSerializer,
    MagicLinkSerializer,
    ProviderSerializer,
    ProviderUserIdSerializer,
    ProviderWriteSerializer,
    RateLimitInfoSerializer,
)

CUSTOMERS = ["Customers"]
CONNECTIONS = ["Connections"]
PROVIDERS = ["Providers"]
CUSTOMER_ID = OpenApiParameter(
    "customer_id", str, OpenApiParameter.PATH, description="Your own id for the customer."
)
PROVIDER_NAME = OpenApiParameter("provider_name", str, OpenApiParameter.PATH)
PROVIDER_ID = OpenApiParameter(
    "provider_id", str, OpenApiParameter.PATH, description="The provider's id or its name."
)


class CustomersView(ApiView):
    @extend_schema(
        operation_id="getCustomers",
        summary="List customers",
        tags=CUSTOMERS,
        responses={200: CustomerSerializer(many=True), **ERRORS},
    )
    def get(self, request) -> Response:
        return Response(CustomerSerializer(selectors.customer_list(), many=True).data)

    @extend_schema(
        operation_id="upsertCustomer",
        summary="Upsert customer",
        description="Creates the customer, or updates its name and email.",
        tags=CUSTOMERS,
        request=CustomerUpsertSerializer,
        responses={200: CustomerSerializer, **ERRORS},
        examples=[
            OpenApiExample(
                "upsert",
                value={"customer_id": "acme-42", "name": "Acme", "email": "ops@acme.example"},
                request_only=True,
            )
        ],
    )
    def put(self, request) -> Response:
        serializer = CustomerUpsertSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = customer_upsert(**serializer.validated_data)
        return Response(CustomerSerializer(customer).data)


class CustomerView(ApiView):
    customer_key_methods = frozenset({"GET"})

    @extend_schema(
        operation_id="getCustomer",
        summary="Get customer",
        tags=CUSTOMERS,
        parameters=[CUSTOMER_ID],
        responses={200: CustomerSerializer, **ERRORS},
    )
    def get(self, request, customer_id: str) -> Response:
        customer = selectors.customer_get(customer_id=customer_id)
        return Response(CustomerSerializer(customer).data)

    @extend_schema(
        operation_id="deleteCustomer",
        summary="Delete customer",
        description="Deletes the customer with its connections, syncs and synced records.",
        tags=CUSTOMERS,
        parameters=[CUSTOMER_ID],
        responses={204: None, **ERRORS},
    )
    def delete(self, request, customer_id: str) -> Response:
        customer = selectors.customer_get(customer_id=customer_id)
        mgmt_services.customer_delete(customer=customer)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConnectionsView(ApiView):
    # Connecting with an API key is the developer's (account-wide keys), as are magic links.
    customer_key_methods = frozenset({"GET"})

    @extend_schema(
        operation_id="getConnections",
        summary="List connections",
        tags=CONNECTIONS,
        parameters=[CUSTOMER_ID],
        responses={200: ConnectionSerializer(many=True), **ERRORS},
    )
    def get(self, request, customer_id: str) -> Response:
        connections = selectors.connection_list(customer_id=customer_id)
        return Response(ConnectionSerializer(connections, many=True).data)

    @extend_schema(
        operation_id="createConnection",
        summary="Create connection",
        description="Connects the customer (who must exist) with an API key, checked with the "
        "provider first (a refused key is a 400 naming `api_key`). OAuth connections are made "
        "through a connect session or a magic link. Answers 200, as Supaglue did.",
        tags=CONNECTIONS,
        parameters=[CUSTOMER_ID],
        request=ConnectionCreateSerializer,
        responses={200: ConnectionSerializer, **WRITE_ERRORS},
        examples=[
            OpenApiExample(
                "api key",
                value={"provider_name": "salesloft", "type": "api_key", "api_key": "v2_ak_…"},
                request_only=True,
            )
        ],
    )
    def post(self, request, customer_id: str) -> Response:
        serializer = ConnectionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        connection = mgmt_services.connection_create(
            customer_id=customer_id,
            provider_name=data["provider_name"],
            api_key=data["api_key"],
            replace=data["replace"],
        )
        return Response(ConnectionSerializer(connection).data)


class ProviderUserIdView(ApiView):
    customer_key_methods = frozenset({"GET"})

    @extend_schema(
        operation_id="getProviderUserId",
        summary="Get the provider user id",
        description="The provider's id of the user who connected (for an API key, the key's "
        "owner), recorded when the connection was made. No provider call.",
        tags=CONNECTIONS,
        parameters=[
            CUSTOMER_ID,
            OpenApiParameter("provider_name", str, OpenApiParameter.QUERY, required=True),
        ],
        responses={200: ProviderUserIdSerializer, **ERRORS},
    )
    def get(self, request, customer_id: str) -> Response:
        provider_name = request.query_params.get("provider_name", "").strip()
        if not provider_name:
            raise BadRequest("provider_name: this query parameter is required.")
        connection = selectors.connection_get(customer_id=customer_id, provider_name=provider_name)
        if not connection.remote_user_id:
            raise NotFound(
                "This connection did not record its provider user (it predates that); "
                "reconnecting records it."
            )
        return Response(ProviderUserIdSerializer({"user_id": connection.remote_user_id}).data)


class RateLimitInfoView(ApiView):
    customer_key_methods = frozenset({"GET"})

    @extend_schema(
        operation_id="getConnectionRateLimitInfo",
        summary="Get rate limit info",
        description="The connection's provider account's per-minute cost budget, as Glue "
        "spends it (shared by syncs, API writes and passthrough of every connection to that "
        "account): `other.minute`.",
        tags=CONNECTIONS,
        parameters=[CUSTOMER_ID, PROVIDER_NAME],
        responses={200: RateLimitInfoSerializer, **ERRORS},
    )
    def get(self, request, customer_id: str, provider_name: str) -> Response:
        connection = selectors.connection_get(customer_id=customer_id, provider_name=provider_name)
        window = connection_rate_window(connection=connection)
        minute = {"limit": window["limit"], "remaining": window["remaining"]}
        if window["resets_at"] is not None:
            minute["reset_time"] = window["resets_at"]
        return Response(RateLimitInfoSerializer({"other": {"minute": minute}}).data)


class ConnectionView(ApiView):
    customer_key_methods = frozenset({"GET"})

    @extend_schema(
        operation_id="getConnection",
        summary="Get connection",
        tags=CONNECTIONS,
        parameters=[CUSTOMER_ID, PROVIDER_NAME],
        responses={200: ConnectionSerializer, **ERRORS},
    )
    def get(self, request, customer_id: str, provider_name: str) -> Response:
        connection = selectors.connection_get(customer_id=customer_id, provider_name=provider_name)
        return Response(ConnectionSerializer(connection).data)

    @extend_schema(
        operation_id="deleteConnection",
        summary="Delete connection",
        description="Disconnects the customer (revoking the token where the provider can) and "
        "deletes the connection with its syncs and synced records.",
        tags=CONNECTIONS,
        parameters=[CUSTOMER_ID, PROVIDER_NAME],
        responses={204: None, **WRITE_ERRORS},
    )
    def delete(self, request, customer_id: str, provider_name: str) -> Response:
        connection = selectors.connection_get(customer_id=customer_id, provider_name=provider_name)
        mgmt_services.connection_delete(connection=connection)
        return Response(status=status.HTTP_204_NO_CONTENT)


PROVIDER_EXAMPLE = OpenApiExample(
    "provider",
    value={
        "name": "salesloft",
        "category": "engagement",
        "auth_type": "oauth2",
        "config": {
            "oauth": {
                "oauth_scopes": [],
                "credentials": {"oauth_client_id": "abc123", "oauth_client_secret": "s3cret"},
            }
        },
    },
    request_only=True,
)


class ProvidersView(ApiView):
    @extend_schema(
        operation_id="getProviders",
        summary="List providers",
        description="Client secrets are never returned; `has_client_secret` says if one is set.",
        tags=PROVIDERS,
        responses={200: ProviderSerializer(many=True), **ERRORS},
    )
    def get(self, request) -> Response:
        return Response(ProviderSerializer(selectors.provider_list(), many=True).data)

    @extend_schema(
        operation_id="createProvider",
        summary="Create provider",
        description="The OAuth app at the provider. Endpoints default to the real provider's.",
        tags=PROVIDERS,
        request=ProviderWriteSerializer,
        responses={201: ProviderSerializer, **WRITE_ERRORS},
        examples=[PROVIDER_EXAMPLE],
    )
    def post(self, request) -> Response:
        serializer = ProviderWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        provider = mgmt_services.provider_write(
            provider=None, data=serializer.validated_data, key=request.auth
        )
        return Response(ProviderSerializer(provider).data, status=status.HTTP_201_CREATED)


class ProviderView(ApiView):
    @extend_schema(
        operation_id="getProvider",
        summary="Get provider",
        tags=PROVIDERS,
        parameters=[PROVIDER_ID],
        responses={200: ProviderSerializer, **ERRORS},
    )
    def get(self, request, provider_id: str) -> Response:
        return Response(ProviderSerializer(selectors.provider_get(provider_id=provider_id)).data)

    @extend_schema(
        operation_id="updateProvider",
        summary="Update provider",
        description="A blank or absent `oauth_client_secret` keeps the stored secret.",
        tags=PROVIDERS,
        parameters=[PROVIDER_ID],
        request=ProviderWriteSerializer,
        responses={200: ProviderSerializer, **WRITE_ERRORS},
        examples=[PROVIDER_EXAMPLE],
    )
    def put(self, request, provider_id: str) -> Response:
        provider = selectors.provider_get(provider_id=provider_id)
        serializer = ProviderWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        provider = mgmt_services.provider_write(
            provider=provider, data=serializer.validated_data, key=request.auth
        )
        return Response(ProviderSerializer(provider).data)

    @extend_schema(
        operation_id="deleteProvider",
        summary="Delete provider",
        description="Refused (409) while customers are connected through it. Answers the "
        "deleted provider, as Supaglue did.",
        tags=PROVIDERS,
        parameters=[PROVIDER_ID],
        responses={200: ProviderSerializer, **WRITE_ERRORS},
    )
    def delete(self, request, provider_id: str) -> Response:
        provider = selectors.provider_get(provider_id=provider_id)
        data = ProviderSerializer(provider).data
        mgmt_services.provider_delete(provider=provider)
        return Response(data)


MAGIC_LINKS = ["Magic Links"]


class MagicLinksView(ApiView):
    @extend_schema(
        operation_id="getMagicLinks",
        summary="List magic links",
        tags=MAGIC_LINKS,
        responses={200: MagicLinkSerializer(many=True), **ERRORS},
    )
    def get(self, request) -> Response:
        links = selectors.magic_link_list()
        return Response(MagicLinkSerializer(links, many=True).data)

    @extend_schema(
        operation_id="createMagicLink",
        summary="Create magic link",
        description="A single-use, expiring link that lets the customer connect their account. "
        "The customer is created if it is new; `return_url` must be on an allowed host.",
        tags=MAGIC_LINKS,
        request=MagicLinkCreateSerializer,
        responses={201: MagicLinkSerializer, **ERRORS},
        examples=[
            OpenApiExample(
                "link",
                value={
                    "customer_id": "acme-42",
                    "provider_name": "salesloft",
                    "return_url": "http://127.0.0.1:8000/",
                    "expiration_secs": 86400,
                },
                request_only=True,
            )
        ],
    )
    def post(self, request) -> Response:
        serializer = MagicLinkCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        link = mgmt_services.magic_link_create(**serializer.validated_data)
        return Response(MagicLinkSerializer(link).data, status=status.HTTP_201_CREATED)


class MagicLinkView(ApiView):
    @extend_schema(
        operation_id="deleteMagicLink",
        summary="Delete magic link",
        tags=MAGIC_LINKS,
        parameters=[OpenApiParameter("magic_link_id", str, OpenApiParameter.PATH)],
        responses={204: None, **ERRORS},
    )
    def delete(self, request, magic_link_id: str) -> Response:
        link = selectors.magic_link_get(magic_link_id=magic_link_id)
        mgmt_services.magic_link_delete(link=link)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConnectSessionsView(ApiView):
    customer_key_methods = frozenset({"POST"})

    @extend_schema(
        operation_id="createConnectSession",
        summary="Create connect session",
        description="Issues a short-lived, single-use link (`connect_url`) that takes one "
        "customer's browser through the provider's consent page and back to `return_url`. It "
        "is the only way into a connect flow: the link works in the first browser that opens "
        "it, for CONNECT_SESSION_MAX_AGE seconds, and connecting another provider account than "
        "the customer's current one needs `replace: true`. The customer is created if new.",
        tags=CONNECTIONS,
        request=ConnectSessionCreateSerializer,
        responses={201: ConnectSessionSerializer, **WRITE_ERRORS},
        examples=[
            OpenApiExample(
                "session",
                value={
                    "customer_id": "acme-42",
                    "provider_name": "salesloft",
                    "return_url": "http://localhost:3000/settings/integrations",
                },
                request_only=True,
            )
        ],
    )
    def post(self, request) -> Response:
        serializer = ConnectSessionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer_key_check(request, serializer.validated_data["customer_id"])
        session, token = mgmt_services.connect_session_create(
            **serializer.validated_data, origin=f"API key {request.auth}"
        )
        body = {
            "token": token,
            "connect_url": connect_session_url(token=token),
            "expires_at": session.expires_at,
            "customer_id": session.customer.customer_id,
            "provider_name": session.provider.name,
            "return_url": session.return_url,
            "replace": session.replace,
        }
        return Response(ConnectSessionSerializer(body).data, status=status.HTTP_201_CREATED)
