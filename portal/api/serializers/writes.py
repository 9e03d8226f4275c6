"""Write bodies in: `{"record": {...}}` per object, checked before anything reaches the provider.

Types are checked here (a 400 naming `record.<field>`); what only the provider's rules can
refuse (a second phone of one type, a step interval in hours) is refused by the connector's
mapper before its call, also as a 400 naming the field. Keys a record may carry but that
cannot be written (`id`, `created_at`, ...) are ignored, each with a warning in the answer.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from portal.api.serializers.records import (
    SHARE_TYPES,
    AddressSerializer,
    EmailAddressSerializer,
    PhoneNumberSerializer,
    SequenceStepSerializer,
)


def _text(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(allow_null=True, allow_blank=True, required=False, **kwargs)


def _id(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(allow_null=True, required=False, max_length=64, **kwargs)


class AccountWriteSerializer(serializers.Serializer):
    name = _text()
    domain = _text()
    owner_id = _id(help_text="Id of the user owning the account.")
    custom_fields = serializers.DictField(allow_null=True, required=False)


class ContactWriteSerializer(serializers.Serializer):
    first_name = _text()
    last_name = _text()
    job_title = _text()
    address = AddressSerializer(allow_null=True, required=False)
    email_addresses = EmailAddressSerializer(many=True, required=False, allow_null=True)
    phone_numbers = PhoneNumberSerializer(many=True, required=False, allow_null=True)
    owner_id = _id()
    account_id = _id()
    custom_fields = serializers.DictField(allow_null=True, required=False)
    tags = serializers.ListField(child=serializers.CharField(), allow_null=True, required=False)


class SequenceWriteSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.ChoiceField(
        choices=SHARE_TYPES,
        required=False,
        help_text="Sharing (required, as in Supaglue's spec, unless `share_type` is given): "
        "`team` shares with the whole team, `private` only with the owner.",
    )
    share_type = serializers.ChoiceField(
        choices=SHARE_TYPES, required=False, help_text="Accepted as a synonym of `type`."
    )
    tags = serializers.ListField(child=serializers.CharField(), required=False)
    custom_fields = serializers.DictField(required=False)
    steps = SequenceStepSerializer(many=True, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Supaglue's create_sequence requires `type`; a missing one must not quietly become
        # a private cadence the caller meant to share.
        if not self.partial and "type" not in attrs and "share_type" not in attrs:
            raise serializers.ValidationError({"type": ["This field is required."]})
        return attrs


class SequenceStateWriteSerializer(serializers.Serializer):
    contact_id = serializers.CharField(max_length=64)
    sequence_id = serializers.CharField(max_length=64)
    mailbox_id = _id(help_text="The sending mailbox; for this provider, equal to user_id.")
    user_id = _id(help_text="The user adding the contact; default: the connected user.")


class SequenceStepCreateSerializer(SequenceStepSerializer):
    """Supaglue's create_sequence_step: a step without an id (the provider gives it one)."""

    id = None
    custom_fields = serializers.DictField(required=False)


class StepTemplateUpdateSerializer(serializers.Serializer):
    subject = serializers.CharField(allow_blank=True, required=False)
    body = serializers.CharField(allow_blank=True, required=False)


class SequenceStepUpdateSerializer(serializers.Serializer):
    """Supaglue's update_sequence_step: a new subject and/or body for the step's template."""

    template = StepTemplateUpdateSerializer(required=False)
    custom_fields = serializers.DictField(required=False)


# One batch is one HTTP request doing that many provider writes: keep it short enough to
# finish well inside a client's timeout.
BATCH_MAX = 100
# Supaglue's batchCreateSequenceState: "the same sequenceId, userId and mailboxId for all".
BATCH_SHARED = ("sequence_id", "user_id", "mailbox_id")


class SequenceStateBatchSerializer(serializers.Serializer):
    records = SequenceStateWriteSerializer(many=True, allow_empty=False, max_length=BATCH_MAX)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        records = attrs["records"]
        for key in BATCH_SHARED:
            first = records[0].get(key)
            for index, record in enumerate(records[1:], start=1):
                if record.get(key) != first:
                    message = f"must be the same in every record (records[0] has {first!r})"
                    raise serializers.ValidationError({"records": {str(index): {key: [message]}}})
        return attrs


def ignored_warnings(
    raw: Any, serializer: serializers.Serializer, *, prefix: str = "record"
) -> list[dict[str, str]]:
    if not isinstance(raw, dict):
        return []
    return [
        {
            "title": "Field ignored",
            "detail": f"{prefix}.{key} cannot be written and was ignored.",
            "problem_type": "IGNORED_FIELD",
        }
        for key in raw
        if key not in serializer.fields
    ]


def unstored_warnings(*, sent: dict[str, Any], stored: dict[str, Any]) -> list[dict[str, str]]:
    """A warning for each part of a sent `address` that the provider did not keep.

    Some providers have no place for every address line (a Salesloft person keeps city,
    state and country only). Supaglue dropped such parts silently; the record read back
    after the write says what was kept, so the answer names what was not.
    """
    address = sent.get("address")
    if not isinstance(address, dict):
        return []
    kept = stored.get("address") or {}
    return [
        {
            "title": "Field not stored",
            "detail": f"record.address.{key} has no place at the provider and was dropped.",
            "problem_type": "FIELD_NOT_STORED",
        }
        for key, value in address.items()
        if value not in (None, "") and kept.get(key) in (None, "")
    ]


def record_body_validate(
    data: Any, *, record_serializer: type[serializers.Serializer], partial: bool = False
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """`{"record": {...}}` → (the fields the caller sent, validated; warnings)."""
    if not isinstance(data, dict) or "record" not in data:
        raise serializers.ValidationError({"record": ["This field is required."]})
    if not isinstance(data["record"], dict):
        raise serializers.ValidationError({"record": ["Must be an object."]})
    inner = record_serializer(data=data["record"], partial=partial)
    if not inner.is_valid():
        raise serializers.ValidationError({"record": inner.errors})
    # Only what was sent: a PATCH must not clear the fields it leaves out.
    record = {key: value for key, value in inner.validated_data.items() if key in data["record"]}
    return record, ignored_warnings(data["record"], inner)


def record_envelope(record_serializer: type[serializers.Serializer]) -> type:
    """`{"record": <record_serializer>}` for the schema."""
    name = record_serializer.__name__.removesuffix("Serializer")
    attrs = {"record": record_serializer(), "__module__": __name__}
    return type(f"{name}Body", (serializers.Serializer,), attrs)


class AccountUpsertOnSerializer(serializers.Serializer):
    name = serializers.CharField(required=False)
    domain = serializers.CharField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("name") and not attrs.get("domain"):
            raise serializers.ValidationError("give name, domain or both")
        return attrs


class AccountUpsertSerializer(serializers.Serializer):
    record = AccountWriteSerializer()
    upsert_on = AccountUpsertOnSerializer()


class ContactSearchFilterSerializer(serializers.Serializer):
    emails = serializers.ListField(child=serializers.CharField(), allow_empty=False)


class ContactSearchSerializer(serializers.Serializer):
    filter = ContactSearchFilterSerializer()


class AccountSearchFilterSerializer(serializers.Serializer):
    name = serializers.CharField(required=False)
    domain = serializers.CharField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("name") and not attrs.get("domain"):
            raise serializers.ValidationError("give name, domain or both")
        return attrs


class AccountSearchSerializer(serializers.Serializer):
    filter = AccountSearchFilterSerializer()


class SequenceStateSearchFilterSerializer(serializers.Serializer):
    contact_id = serializers.CharField(required=False)
    sequence_id = serializers.CharField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("contact_id") and not attrs.get("sequence_id"):
            raise serializers.ValidationError("give contact_id, sequence_id or both")
        return attrs


class SequenceStateSearchSerializer(serializers.Serializer):
    filter = SequenceStateSearchFilterSerializer()
