"""`/mgmt/v2/webhook_endpoints` and `/mgmt/v2/webhook_deliveries`: where Glue sends events,
and the log of what it sent (with `_resend`). Account-wide keys only.

Supaglue configured its (Svix) webhooks in its dashboard; these routes are Glue's own.
An endpoint's signing `secret` is in the create response only.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from connectors import selectors as connector_selectors
from connectors.exceptions import NotFound
from portal.api.auth import ApiView
from portal.api.mgmt_syncs import paged_response
from portal.api.schema import ERRORS, WRITE_ERRORS
from portal.api.serializers.mgmt import paginated
from portal.models import WebhookDelivery, WebhookEndpoint
from portal.webhooks import selectors
from portal.webhooks.services import (
    EVENT_TYPES,
    webhook_delivery_resend,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_update,
)
from portal.webhooks.transport import DestinationRefused, destination_check

WEBHOOKS = ["Webhooks"]
ENDPOINT_ID = OpenApiParameter("endpoint_id", str, OpenApiParameter.PATH)
DELIVERY_ID = OpenApiParameter("delivery_id", str, OpenApiParameter.PATH)


class WebhookEndpointSerializer(serializers.Serializer):
    id = serializers.CharField(source="pk")
    url = serializers.CharField()
    event_types = serializers.ListField(
        child=serializers.CharField(), help_text="Empty: every event type."
    )
    customer_id = serializers.CharField(source="customer.customer_id", allow_null=True)
    enabled = serializers.BooleanField()
    disabled_at = serializers.DateTimeField(
        allow_null=True, help_text="When Glue disabled it after failing deliveries."
    )
    consecutive_failures = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(help_text="`whsec_…`: shown in this response only.")


def _url_checked(value: str) -> str:
    try:
        destination_check(url=value)
    except DestinationRefused as exc:
        raise serializers.ValidationError(str(exc)) from None
    return value


class WebhookEndpointWriteSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=2000, validators=[_url_checked])
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPES), required=False, default=list
    )
    customer_id = serializers.CharField(required=False, allow_null=True, default=None)

    def validate_customer_id(self, value: str | None):
        if value is None:
            return None
        try:
            return connector_selectors.customer_get(customer_id=value)
        except NotFound:
            raise serializers.ValidationError(f"no customer {value!r}") from None


class WebhookEndpointUpdateSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=2000, required=False, validators=[_url_checked])
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPES), required=False
    )
    enabled = serializers.BooleanField(required=False)


class WebhookDeliverySerializer(serializers.Serializer):
    id = serializers.CharField(source="pk")
    endpoint_id = serializers.CharField()
    msg_id = serializers.CharField(help_text="The `webhook-id` header: the same on every try.")
    event_type = serializers.CharField()
    payload = serializers.JSONField()
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices)
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    last_response_code = serializers.IntegerField(allow_null=True)
    last_response_ms = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField()
    created_at = serializers.DateTimeField()


def _endpoint_data(endpoint: WebhookEndpoint) -> dict:
    return WebhookEndpointSerializer(endpoint).data


class WebhookEndpointsView(ApiView):
    @extend_schema(
        operation_id="getWebhookEndpoints",
        summary="List webhook endpoints",
        tags=WEBHOOKS,
        responses={200: WebhookEndpointSerializer(many=True), **ERRORS},
    )
    def get(self, request) -> Response:
        endpoints = selectors.webhook_endpoint_list()
        return Response(WebhookEndpointSerializer(endpoints, many=True).data)

    @extend_schema(
        operation_id="createWebhookEndpoint",
        summary="Create webhook endpoint",
        description="Answers the endpoint with its signing `secret` (shown once). Events are "
        "signed per Standard Webhooks. A URL on a private network is a 400 unless the "
        "operator set WEBHOOK_ALLOW_PRIVATE_NETWORKS.",
        tags=WEBHOOKS,
        request=WebhookEndpointWriteSerializer,
        responses={201: WebhookEndpointCreatedSerializer, **WRITE_ERRORS},
    )
    def post(self, request) -> Response:
        serializer = WebhookEndpointWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        endpoint, secret = webhook_endpoint_create(
            url=data["url"], event_types=data["event_types"], customer=data["customer_id"]
        )
        return Response({**_endpoint_data(endpoint), "secret": secret}, status=201)


class WebhookEndpointView(ApiView):
    @extend_schema(
        operation_id="getWebhookEndpoint",
        summary="Get webhook endpoint",
        tags=WEBHOOKS,
        parameters=[ENDPOINT_ID],
        responses={200: WebhookEndpointSerializer, **ERRORS},
    )
    def get(self, request, endpoint_id: str) -> Response:
        return Response(_endpoint_data(selectors.webhook_endpoint_get(endpoint_id=endpoint_id)))

    @extend_schema(
        operation_id="updateWebhookEndpoint",
        summary="Update webhook endpoint",
        description="`enabled: true` also re-enables an endpoint Glue disabled for failing.",
        tags=WEBHOOKS,
        parameters=[ENDPOINT_ID],
        request=WebhookEndpointUpdateSerializer,
        responses={200: WebhookEndpointSerializer, **WRITE_ERRORS},
    )
    def patch(self, request, endpoint_id: str) -> Response:
        endpoint = selectors.webhook_endpoint_get(endpoint_id=endpoint_id)
        serializer = WebhookEndpointUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = webhook_endpoint_update(endpoint=endpoint, **serializer.validated_data)
        return Response(_endpoint_data(endpoint))

    @extend_schema(
        operation_id="deleteWebhookEndpoint",
        summary="Delete webhook endpoint",
        description="Deletes the endpoint and its delivery log.",
        tags=WEBHOOKS,
        parameters=[ENDPOINT_ID],
        responses={204: None, **ERRORS},
    )
    def delete(self, request, endpoint_id: str) -> Response:
        webhook_endpoint_delete(endpoint=selectors.webhook_endpoint_get(endpoint_id=endpoint_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveriesView(ApiView):
    @extend_schema(
        operation_id="getWebhookDeliveries",
        summary="List webhook deliveries",
        description="Newest first.",
        tags=WEBHOOKS,
        parameters=[
            OpenApiParameter("endpoint_id", str),
            OpenApiParameter("status", str, enum=WebhookDelivery.Status.values),
            OpenApiParameter("event_type", str, enum=EVENT_TYPES),
        ],
        responses={
            200: paginated("PaginatedWebhookDeliveryList", WebhookDeliverySerializer),
            **ERRORS,
        },
    )
    def get(self, request) -> Response:
        query = request.query_params
        if query.get("status") and query["status"].lower() not in WebhookDelivery.Status.values:
            raise serializers.ValidationError(
                {"status": [f"must be one of {', '.join(WebhookDelivery.Status.values)}"]}
            )
        deliveries = selectors.webhook_delivery_list(
            endpoint_id=query.get("endpoint_id"),
            status=query.get("status"),
            event_type=query.get("event_type"),
        )
        return paged_response(query, deliveries, WebhookDeliverySerializer)


class WebhookDeliveryResendView(ApiView):
    @extend_schema(
        operation_id="resendWebhookDelivery",
        summary="Resend webhook delivery",
        description="Sends the same message (same `webhook-id`) again now, with fresh retries.",
        tags=WEBHOOKS,
        parameters=[DELIVERY_ID],
        request=None,
        responses={202: WebhookDeliverySerializer, **ERRORS},
    )
    def post(self, request, delivery_id: str) -> Response:
        delivery = selectors.webhook_delivery_get(delivery_id=delivery_id)
        delivery = webhook_delivery_resend(delivery=delivery)
        return Response(WebhookDeliverySerializer(delivery).data, status=202)
