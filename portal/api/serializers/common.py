"""Envelopes every endpoint shares: errors, warnings, pagination, created records."""

from __future__ import annotations

from rest_framework import serializers


class ErrorMetaSerializer(serializers.Serializer):
    origin = serializers.ChoiceField(choices=["supaglue", "remote-provider"])
    cause = serializers.DictField(
        required=False,
        help_text="The provider's own answer, if any: its JSON body, or `{body: <text>}`.",
    )


class ErrorSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    detail = serializers.CharField(help_text="What went wrong, naming the field or header.")
    code = serializers.ChoiceField(
        choices=[
            "BAD_REQUEST",
            "UNAUTHORIZED_ERROR",
            "FORBIDDEN_ERROR",
            "NOT_FOUND_ERROR",
            "METHOD_NOT_ALLOWED_ERROR",
            "CONFLICT_ERROR",
            "PAYLOAD_TOO_LARGE_ERROR",
            "UNSUPPORTED_MEDIA_TYPE_ERROR",
            "UNPROCESSABLE_ENTITY_ERROR",
            "TOO_MANY_REQUESTS_ERROR",
            "INTERNAL_SERVER_ERROR",
            "NOT_IMPLEMENTED_ERROR",
            "REMOTE_PROVIDER_ERROR",
        ]
    )
    problem_type = serializers.CharField(help_text="Supaglue's deprecated name of `code`.")
    status = serializers.CharField(help_text='The HTTP status, as a string ("404").')
    meta = ErrorMetaSerializer()


class ErrorsSerializer(serializers.Serializer):
    errors = ErrorSerializer(many=True)


class WarningSerializer(serializers.Serializer):
    title = serializers.CharField()
    detail = serializers.CharField()
    problem_type = serializers.CharField()


class PaginationSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True, help_text="Cursor of the next page, or null.")
    previous = serializers.CharField(
        allow_null=True, help_text="Cursor of the previous page, or null."
    )
    total_count = serializers.IntegerField(help_text="Rows matching the filters, on all pages.")


class CreatedRecordSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The provider's id of the record.")


class WriteResultSerializer(serializers.Serializer):
    record = CreatedRecordSerializer()
    warnings = WarningSerializer(many=True)
