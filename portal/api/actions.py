"""`/actions/v2/passthrough`: a request sent as is to the customer's provider, with the
connection's credentials; the provider's own status comes back inside the answer."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from connectors import services as connector_services
from portal.api.auth import CONNECTION_HEADERS, ConnectionScopedView
from portal.api.schema import WRITE_ERRORS


class PassthroughRequestSerializer(serializers.Serializer):
    path = serializers.CharField(help_text="Path at the provider's API base, e.g. /v2/people.")
    method = serializers.ChoiceField(choices=["GET", "POST", "PUT", "PATCH", "DELETE"])
    headers = serializers.DictField(child=serializers.CharField(), required=False)
    query = serializers.DictField(child=serializers.CharField(), required=False)
    body = serializers.JSONField(required=False, help_text="A JSON value or a string.")


class PassthroughResponseSerializer(serializers.Serializer):
    url = serializers.CharField(help_text="The full URL the request went to.")
    status = serializers.IntegerField(help_text="The provider's status code.")
    headers = serializers.DictField(child=serializers.CharField())
    body = serializers.JSONField(
        required=False, help_text="Absent when the provider's answer had no body."
    )


class PassthroughView(ConnectionScopedView):
    @extend_schema(
        operation_id="sendPassthroughRequest",
        summary="Send passthrough request",
        description="Sent to the provider with the connection's credentials (refreshed when "
        "needed). The provider's status, headers and body come back inside a 200.",
        tags=["Passthrough"],
        parameters=CONNECTION_HEADERS,
        request=PassthroughRequestSerializer,
        responses={200: PassthroughResponseSerializer, **WRITE_ERRORS},
        examples=[
            OpenApiExample(
                "request",
                value={"path": "/v2/me", "method": "GET"},
                request_only=True,
            ),
            OpenApiExample(
                "answer",
                value={
                    "url": "https://api.salesloft.com/v2/me",
                    "status": 200,
                    "headers": {"content-type": "application/json"},
                    "body": {"data": {"id": 1}},
                },
                response_only=True,
            ),
        ],
    )
    def post(self, request) -> Response:
        serializer = PassthroughRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        answer = connector_services.passthrough_request(
            connection=self.connection,
            method=data["method"],
            path=data["path"],
            query=data.get("query"),
            headers=data.get("headers"),
            body=data.get("body"),
        )
        result = {"url": answer.url, "status": answer.status, "headers": dict(answer.headers)}
        # The spec's `body` is any JSON value but null: an empty answer has none.
        if answer.body is not None:
            result["body"] = answer.body
        return Response(result)
