"""Unified records out of the synced tables (docs/unified-model.md §2–3), one serializer per
object.

The fields come from the model (`unified_field_names()`), so a column added to a record
table shows up here and in the OpenAPI schema without a second list to keep in step.
`raw_data` is only included with `include_raw_data=true`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.api.serializers.common import PaginationSerializer
from syncs.models import RECORD_MODELS, Contact, EngagementRecord, Sequence


class AddressSerializer(serializers.Serializer):
    street_1 = serializers.CharField(allow_null=True, allow_blank=True, required=False)
    street_2 = serializers.CharField(allow_null=True, allow_blank=True, required=False)
    city = serializers.CharField(allow_null=True, allow_blank=True, required=False)
    state = serializers.CharField(allow_null=True, allow_blank=True, required=False)
    postal_code = serializers.CharField(allow_null=True, allow_blank=True, required=False)
    country = serializers.CharField(allow_null=True, allow_blank=True, required=False)


class EmailAddressSerializer(serializers.Serializer):
    email_address = serializers.CharField()
    email_address_type = serializers.ChoiceField(
        choices=["primary", "personal", "work"], allow_null=True, required=False
    )


class PhoneNumberSerializer(serializers.Serializer):
    phone_number = serializers.CharField()
    phone_number_type = serializers.ChoiceField(
        choices=["primary", "work", "home", "mobile", "other"], allow_null=True, required=False
    )


class TemplateSerializer(serializers.Serializer):
    id = serializers.CharField(allow_null=True, required=False)
    name = serializers.CharField(allow_null=True, allow_blank=True, required=False)
    subject = serializers.CharField(allow_null=True, allow_blank=True, required=False)
    body = serializers.CharField(allow_null=True, allow_blank=True, required=False)
    to = serializers.ListField(child=serializers.CharField(), allow_null=True, required=False)
    cc = serializers.ListField(child=serializers.CharField(), allow_null=True, required=False)
    bcc = serializers.ListField(child=serializers.CharField(), allow_null=True, required=False)


STEP_TYPES = ["auto_email", "manual_email", "call", "task", "linkedin_send_message"]
SHARE_TYPES = ["team", "private"]


class SequenceStepSerializer(serializers.Serializer):
    id = serializers.CharField(allow_null=True, required=False)
    name = serializers.CharField(allow_null=True, allow_blank=True, required=False)
    type = serializers.ChoiceField(choices=STEP_TYPES)
    interval_seconds = serializers.IntegerField(
        allow_null=True,
        required=False,
        min_value=0,
        help_text="Wait after the previous step (for the first: after the contact is added).",
    )
    date = serializers.DateField(allow_null=True, required=False)
    is_reply = serializers.BooleanField(allow_null=True, required=False)
    order = serializers.IntegerField(allow_null=True, required=False)
    task_note = serializers.CharField(allow_null=True, allow_blank=True, required=False)
    template = TemplateSerializer(allow_null=True, required=False)


class RecordSerializer(serializers.ModelSerializer):
    """Base of every unified record: `id` is the provider's, `raw_data` is on request."""

    id = serializers.CharField(source="remote_id", help_text="The provider's id, as a string.")
    raw_data = serializers.JSONField(
        required=False, help_text="The provider's record as received (include_raw_data=true)."
    )

    def to_representation(self, instance: EngagementRecord) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.context.get("include_raw_data"):
            data.pop("raw_data", None)
        return data


def _fields(model: type[EngagementRecord]) -> list[str]:
    names = [name for name in model.unified_field_names() if name != "remote_id"]
    names.remove("raw_data")
    return ["id", *names, "raw_data"]


def _record_serializer(model: type[EngagementRecord], **declared: Any) -> type[RecordSerializer]:
    singular = model._meta.verbose_name.title().replace(" ", "")
    meta = type("Meta", (), {"model": model, "fields": _fields(model)})
    attrs = {"Meta": meta, "__module__": __name__, **declared}
    return type(f"{singular}Serializer", (RecordSerializer,), attrs)


CONTACT_NESTED = {
    "address": AddressSerializer(allow_null=True),
    "email_addresses": EmailAddressSerializer(many=True),
    "phone_numbers": PhoneNumberSerializer(many=True),
    "tags": serializers.ListField(child=serializers.CharField()),
}
SEQUENCE_NESTED = {
    "tags": serializers.ListField(child=serializers.CharField()),
    "share_type": serializers.ChoiceField(choices=SHARE_TYPES, allow_null=True),
}

RECORD_SERIALIZERS: dict[str, type[RecordSerializer]] = {
    name: _record_serializer(
        model,
        **(CONTACT_NESTED if model is Contact else SEQUENCE_NESTED if model is Sequence else {}),
    )
    for name, model in RECORD_MODELS.items()
}


_TEMPLATE_TEXT = ("subject", "body")


def sequence_step_present(step: dict[str, Any]) -> dict[str, Any]:
    """A provider's sequence_step as Supaglue's `sequence_step` schema has it: a key the
    provider has no value for is left out rather than sent as `null` (none of the schema's
    step fields is nullable), and an email template always has a `subject` and `body`
    (required there; `""` when the provider has none, as Supaglue sent)."""
    shown = {key: value for key, value in step.items() if value is not None and key != "template"}
    template = step.get("template")
    if isinstance(template, dict):
        shown["template"] = {
            **{key: value for key, value in template.items() if value is not None},
            **{key: template.get(key) or "" for key in _TEMPLATE_TEXT},
        }
    return shown


class SequenceWithStepsSerializer(RECORD_SERIALIZERS["sequences"]):
    """`GET /sequences/{id}`: the sequence and its steps, read from the provider."""

    steps = serializers.SerializerMethodField()

    class Meta(RECORD_SERIALIZERS["sequences"].Meta):
        fields = [*RECORD_SERIALIZERS["sequences"].Meta.fields, "steps"]

    @extend_schema_field(SequenceStepSerializer(many=True))
    def get_steps(self, instance: Sequence) -> list[dict[str, Any]]:
        return [sequence_step_present(step) for step in self.context.get("steps", [])]


@cache
def record_page_serializer(object_name: str) -> type[serializers.Serializer]:
    """`{pagination, records}` for one object (for the schema)."""
    record = RECORD_SERIALIZERS[object_name]
    name = record.__name__.removesuffix("Serializer")
    return type(
        f"Paginated{name}List",
        (serializers.Serializer,),
        {
            "pagination": PaginationSerializer(),
            "records": record(many=True),
            "__module__": __name__,
        },
    )
