"""OpenAPI documentation of the unified endpoints, kept apart from the view code.

`documented(view_class)` decorates a view with its operations (ids as Supaglue named them,
tags, headers, parameters, bodies, answers, errors and examples). Views built per object by
`engagement.collection_view` / `item_view` are documented from their `object_name`.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers

from portal.api import engagement
from portal.api.auth import CONNECTION_HEADERS
from portal.api.params import CURSOR, INCLUDE_RAW_DATA, LIST_PARAMETERS, PAGE_SIZE
from portal.api.serializers.common import (
    CreatedRecordSerializer,
    ErrorsSerializer,
    WarningSerializer,
    WriteResultSerializer,
)
from portal.api.serializers.records import (
    RECORD_SERIALIZERS,
    SequenceWithStepsSerializer,
    record_page_serializer,
)
from portal.api.serializers.writes import (
    BATCH_MAX,
    AccountSearchSerializer,
    AccountUpsertSerializer,
    ContactSearchSerializer,
    SequenceStateBatchSerializer,
    SequenceStateSearchSerializer,
    SequenceStepCreateSerializer,
    SequenceStepUpdateSerializer,
    record_envelope,
)


def _error_example(status: int, code: str, detail: str, origin: str = "supaglue") -> OpenApiExample:
    return OpenApiExample(
        code,
        value={
            "errors": [
                {
                    "id": "5b0a3e4e-1f0e-4b7a-9d55-2f5a2c1d9e10",
                    "title": code.replace("_", " ").capitalize(),
                    "detail": detail,
                    "code": code,
                    "problem_type": code,
                    "status": str(status),
                    "meta": {"origin": origin},
                }
            ]
        },
        status_codes=[str(status)],
        response_only=True,
    )


ERRORS: dict[int, OpenApiResponse] = {
    400: OpenApiResponse(
        ErrorsSerializer,
        "Bad input: the detail names the field, parameter or header.",
        examples=[_error_example(400, "BAD_REQUEST", "page_size: must be between 1 and 1000")],
    ),
    401: OpenApiResponse(
        ErrorsSerializer,
        "Missing, unknown or revoked x-api-key.",
        examples=[_error_example(401, "UNAUTHORIZED_ERROR", "The x-api-key is unknown.")],
    ),
    404: OpenApiResponse(
        ErrorsSerializer,
        "No such customer connection or record (for this customer).",
        examples=[
            _error_example(404, "NOT_FOUND_ERROR", "No contact with id '42' for this customer.")
        ],
    ),
}
WRITE_ERRORS: dict[int, OpenApiResponse] = {
    **ERRORS,
    409: OpenApiResponse(ErrorsSerializer, "The request conflicts with existing records."),
    422: OpenApiResponse(
        ErrorsSerializer,
        "The provider refused the record; its field messages are in `detail` and `meta.cause`.",
        examples=[
            _error_example(
                422,
                "UNPROCESSABLE_ENTITY_ERROR",
                "The provider refused the record: email_address has already been taken",
                origin="remote-provider",
            )
        ],
    ),
    429: OpenApiResponse(ErrorsSerializer, "The provider's rate limit is spent; see Retry-After."),
    502: OpenApiResponse(
        ErrorsSerializer, "The provider failed, or the customer's credentials stopped working."
    ),
}

TAGS = {
    "accounts": "Accounts",
    "contacts": "Contacts",
    "users": "Users",
    "mailboxes": "Mailboxes",
    "sequences": "Sequences",
    "sequence_states": "Sequence States",
    "emails": "Emails",
}
SINGULAR = {
    "accounts": "Account",
    "contacts": "Contact",
    "users": "User",
    "mailboxes": "Mailbox",
    "sequences": "Sequence",
    "sequence_states": "SequenceState",
    "emails": "Email",
}
WRITE_EXAMPLES: dict[str, dict[str, Any]] = {
    "accounts": {"name": "Acme", "domain": "acme.example", "owner_id": "1"},
    "contacts": {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "job_title": "Analyst",
        "email_addresses": [{"email_address": "ada@acme.example", "email_address_type": "primary"}],
        "phone_numbers": [{"phone_number": "+14155550100", "phone_number_type": "mobile"}],
        "account_id": "12",
    },
    "sequences": {
        "name": "Onboarding",
        "type": "private",
        "steps": [
            {
                "type": "auto_email",
                "interval_seconds": 0,
                "template": {"name": "Hello", "subject": "Hello", "body": "<p>Hi there</p>"},
            },
            {"type": "call", "interval_seconds": 172800, "task_note": "Call them"},
        ],
    },
    "sequence_states": {"contact_id": "101", "sequence_id": "7", "user_id": "3"},
}
CREATED = OpenApiExample(
    "Created", value={"record": {"id": "123"}, "warnings": []}, response_only=True
)


def _list_op(object_name: str) -> Any:
    return extend_schema(
        operation_id=f"list{TAGS[object_name].replace(' ', '')}",
        summary=f"List {TAGS[object_name].lower()}",
        description="From the synced table, oldest change first, paged by cursor.",
        tags=[TAGS[object_name]],
        parameters=[*CONNECTION_HEADERS, *LIST_PARAMETERS],
        responses={200: record_page_serializer(object_name), **ERRORS},
    )


def _body_op(object_name: str, verb: str, summary: str, code: int, **extra: Any) -> Any:
    serializer = engagement.WRITE_SERIALIZERS[object_name]
    return extend_schema(
        operation_id=f"{verb}{SINGULAR[object_name]}",
        summary=summary,
        description="Written to the provider, read back and stored before the answer, so "
        "the next read sees it. Keys that cannot be written are ignored with a warning.",
        tags=[TAGS[object_name]],
        parameters=[*CONNECTION_HEADERS, *extra.pop("parameters", [])],
        request=record_envelope(serializer),
        responses={code: WriteResultSerializer, **WRITE_ERRORS},
        examples=[
            OpenApiExample(
                f"{verb} {object_name}",
                value={"record": WRITE_EXAMPLES[object_name]},
                request_only=True,
            ),
            CREATED,
        ],
        **extra,
    )


ID_PARAMETER = OpenApiParameter(
    "remote_id", str, OpenApiParameter.PATH, description="The provider's id of the record."
)


def _documented_collection(view: type, object_name: str) -> type:
    ops: dict[str, Any] = {"get": _list_op(object_name)}
    if hasattr(view, "post"):
        ops["post"] = _body_op(
            object_name, "create", f"Create {SINGULAR[object_name].lower()}", 201
        )
    return extend_schema_view(**ops)(view)


def _documented_item(view: type, object_name: str) -> type:
    title = SINGULAR[object_name]
    response = SequenceWithStepsSerializer if object_name == "sequences" else None
    ops: dict[str, Any] = {
        "get": extend_schema(
            operation_id=f"get{title}",
            summary=f"Get {title.lower()}",
            description="From the synced table"
            + ("; `steps` are read from the provider." if response else "."),
            tags=[TAGS[object_name]],
            parameters=[*CONNECTION_HEADERS, ID_PARAMETER, INCLUDE_RAW_DATA],
            responses={200: response or RECORD_SERIALIZERS[object_name], **ERRORS},
        )
    }
    if hasattr(view, "patch"):
        ops["patch"] = _body_op(
            object_name,
            "update",
            f"Update {title.lower()}",
            200,
            parameters=[ID_PARAMETER],
        )
    if hasattr(view, "delete"):
        ops["delete"] = extend_schema(
            operation_id=f"delete{title}",
            summary=f"Delete {title.lower()}",
            description="Deleted at the provider; the stored row is marked `is_deleted`.",
            tags=[TAGS[object_name]],
            parameters=[*CONNECTION_HEADERS, ID_PARAMETER],
            responses={204: None, **WRITE_ERRORS},
        )
    return extend_schema_view(**ops)(view)


def _search(object_name: str, body: type, example: dict[str, Any], what: str) -> Any:
    return extend_schema(
        operation_id=f"search{TAGS[object_name].replace(' ', '')}",
        summary=f"Search {TAGS[object_name].lower()}",
        description=f"{what} Served from the synced table; deleted records only with "
        "`include_deleted=true`.",
        tags=[TAGS[object_name]],
        parameters=[
            *CONNECTION_HEADERS,
            PAGE_SIZE,
            CURSOR,
            INCLUDE_RAW_DATA,
            OpenApiParameter("include_deleted", bool, description="Also match deleted records."),
        ],
        request=body,
        responses={200: record_page_serializer(object_name), **ERRORS},
        examples=[OpenApiExample("filter", value=example, request_only=True)],
    )


SPECIAL: dict[type, Any] = {
    engagement.AccountUpsertView: extend_schema(
        operation_id="upsertAccount",
        summary="Upsert account",
        description="Updates the one synced account matching `upsert_on` (name and/or domain, "
        "AND, case-insensitive), or creates it; more than one match is a 409.",
        tags=["Accounts"],
        parameters=CONNECTION_HEADERS,
        request=AccountUpsertSerializer,
        responses={201: WriteResultSerializer, **WRITE_ERRORS},
        examples=[
            OpenApiExample(
                "upsert",
                value={
                    "record": {"name": "Acme", "domain": "acme.example"},
                    "upsert_on": {"domain": "acme.example"},
                },
                request_only=True,
            ),
            CREATED,
        ],
    ),
    engagement.ContactSearchView: _search(
        "contacts",
        ContactSearchSerializer,
        {"filter": {"emails": ["ada@acme.example"]}},
        "Contacts having any of the emails (OR, case-insensitive).",
    ),
    engagement.AccountSearchView: _search(
        "accounts",
        AccountSearchSerializer,
        {"filter": {"domain": "acme.example"}},
        "Accounts with this name and/or domain (AND, case-insensitive).",
    ),
    engagement.SequenceStateSearchView: _search(
        "sequence_states",
        SequenceStateSearchSerializer,
        {"filter": {"contact_id": "101"}},
        "Memberships of a contact and/or in a sequence (AND).",
    ),
}


SEQUENCE_ID = OpenApiParameter(
    "remote_id", str, OpenApiParameter.PATH, description="The provider's id of the sequence."
)
STEP_ID = OpenApiParameter(
    "step_id", str, OpenApiParameter.PATH, description="The provider's id of the step."
)
BATCH_RESULT = type(
    "SequenceStateBatchResult",
    (serializers.Serializer,),
    {
        "records": CreatedRecordSerializer(many=True),
        "warnings": WarningSerializer(many=True),
        "__module__": __name__,
    },
)
SPECIAL[engagement.SequenceStepsView] = extend_schema(
    operation_id="createSequenceStep",
    summary="Create sequence step",
    description="Adds one step after the sequence's last step (`interval_seconds` after it). "
    "Where the provider's API cannot add steps, a 400 says so.",
    tags=["Sequences"],
    parameters=[*CONNECTION_HEADERS, SEQUENCE_ID],
    request=record_envelope(SequenceStepCreateSerializer),
    responses={201: WriteResultSerializer, **WRITE_ERRORS},
    examples=[
        OpenApiExample(
            "call step",
            value={"record": {"type": "call", "interval_seconds": 86400, "task_note": "Call"}},
            request_only=True,
        ),
        CREATED,
    ],
)
SPECIAL[engagement.SequenceStepView] = {
    "patch": extend_schema(
        operation_id="updateSequenceStep",
        summary="Update sequence step",
        description="Changes the step's template subject and/or body where the provider's "
        "API can; where it cannot (steps read-only), a 400 says so.",
        tags=["Sequences"],
        parameters=[*CONNECTION_HEADERS, SEQUENCE_ID, STEP_ID],
        request=record_envelope(SequenceStepUpdateSerializer),
        responses={200: WriteResultSerializer, **WRITE_ERRORS},
    )
}
SPECIAL[engagement.SequenceStateBatchView] = extend_schema(
    operation_id="batchCreateSequenceState",
    summary="Batch create sequence states",
    description="Adds each contact to the sequence, in order (one provider call each, at "
    f"most {BATCH_MAX} records; `sequence_id`, `user_id` and `mailbox_id` the same in all). "
    "Not atomic: it stops at the first failure, whose error names `records[i]` and lists "
    "the records already created in `meta.created_records`; sending the batch again is safe.",
    tags=["Sequence States"],
    parameters=CONNECTION_HEADERS,
    request=SequenceStateBatchSerializer,
    responses={201: BATCH_RESULT, **WRITE_ERRORS},
)


def documented(view: type) -> type:
    if view in SPECIAL:
        ops = SPECIAL[view]
        return extend_schema_view(**(ops if isinstance(ops, dict) else {"post": ops}))(view)
    if view.__name__.endswith("CollectionView"):
        return _documented_collection(view, view.object_name)
    return _documented_item(view, view.object_name)
