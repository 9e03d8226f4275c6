"""`/engagement/v2/`: the unified objects, read from the synced tables, written through.

Each object's endpoints are composed from small mixins on `ConnectionScopedView` (which has
already resolved the customer's connection); `urls.py` builds one class per object and path
with `collection_view` / `item_view`, and `schema.py` documents them.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers, status
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response

from connectors.base import Operation
from connectors.registry import any_provider_offers, provider_spec
from portal.api import selectors, services
from portal.api.auth import ConnectionScopedView
from portal.api.pagination import keyset_page
from portal.api.params import bool_param, list_params
from portal.api.serializers.records import RECORD_SERIALIZERS, SequenceWithStepsSerializer
from portal.api.serializers.writes import (
    AccountSearchSerializer,
    AccountUpsertSerializer,
    AccountWriteSerializer,
    ContactSearchSerializer,
    ContactWriteSerializer,
    SequenceStateBatchSerializer,
    SequenceStateSearchSerializer,
    SequenceStateWriteSerializer,
    SequenceStepCreateSerializer,
    SequenceStepUpdateSerializer,
    SequenceWriteSerializer,
    ignored_warnings,
    record_body_validate,
    unstored_warnings,
)

# The unified shape of a written record, per object (all fields optional on update).
# Which objects take which writes is the providers' to say (`Stream.writes`): a route is
# offered when some installed provider takes it, and a connection whose provider does not
# is answered 405.
WRITE_SERIALIZERS: dict[str, type[serializers.Serializer]] = {
    "accounts": AccountWriteSerializer,
    "contacts": ContactWriteSerializer,
    "sequences": SequenceWriteSerializer,
    "sequence_states": SequenceStateWriteSerializer,
}


def offered(object_name: str, operation: Operation) -> bool:
    """True when the unified API routes `operation` on `object_name`."""
    if operation != "delete" and object_name not in WRITE_SERIALIZERS:
        return False  # no unified shape to write it in
    return any_provider_offers(object_name, operation)


def write_answer(remote_id: str, warnings: list[dict[str, str]], code: int) -> Response:
    return Response({"record": {"id": remote_id}, "warnings": warnings}, status=code)


def validated(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class RecordView(ConnectionScopedView):
    object_name: str = ""

    def require(self, operation: Operation) -> None:
        """405 when this connection's provider does not take `operation` on the object."""
        provider = self.connection.provider
        if not provider_spec(provider.name).offers(self.object_name, operation):
            raise MethodNotAllowed(
                self.request.method,
                detail=f"{provider} cannot {operation} {self.object_name} through Glue.",
            )

    def search_scope(self, request, queryset):
        """Searches look for live records; `include_deleted=true` widens them."""
        if bool_param(request.query_params, "include_deleted", default=False):
            return queryset
        return queryset.filter(is_deleted=False)

    def records_page(self, request, queryset) -> Response:
        """A `{pagination, records}` page of `queryset` (already scoped to the connection)."""
        params = list_params(request.query_params)
        page = keyset_page(queryset, cursor=params.cursor, page_size=params.page_size)
        context = {"include_raw_data": params.include_raw_data}
        serializer = RECORD_SERIALIZERS[self.object_name](page.rows, many=True, context=context)
        return Response({"pagination": page.pagination(), "records": serializer.data})


class ListMixin:
    def get(self, request) -> Response:
        params = list_params(request.query_params)
        queryset = selectors.record_list(
            connection=self.connection,
            object_name=self.object_name,
            modified_after=params.modified_after,
            modified_before=params.modified_before,
            created_after=params.created_after,
            created_before=params.created_before,
            include_deleted=params.include_deleted,
        )
        return self.records_page(request, queryset)


class CreateMixin:
    def post(self, request) -> Response:
        self.require("create")
        record, warnings = record_body_validate(
            request.data, record_serializer=WRITE_SERIALIZERS[self.object_name]
        )
        stored = services.record_create(
            connection=self.connection, object_name=self.object_name, record=record
        )
        warnings += unstored_warnings(sent=record, stored=stored)
        return write_answer(stored["id"], warnings, status.HTTP_201_CREATED)


class RetrieveMixin:
    def get(self, request, remote_id: str) -> Response:
        include_raw_data = bool_param(request.query_params, "include_raw_data", default=False)
        record = selectors.record_get(
            connection=self.connection, object_name=self.object_name, remote_id=remote_id
        )
        context = {"include_raw_data": include_raw_data}
        if self.object_name == "sequences":
            context["steps"] = services.sequence_steps(
                connection=self.connection, remote_id=remote_id
            )
            return Response(SequenceWithStepsSerializer(record, context=context).data)
        return Response(RECORD_SERIALIZERS[self.object_name](record, context=context).data)


class UpdateMixin:
    def patch(self, request, remote_id: str) -> Response:
        self.require("update")
        record, warnings = record_body_validate(
            request.data, record_serializer=WRITE_SERIALIZERS[self.object_name], partial=True
        )
        # 404 before the provider call when the record is not this customer's.
        selectors.record_get(
            connection=self.connection, object_name=self.object_name, remote_id=remote_id
        )
        stored = services.record_update(
            connection=self.connection,
            object_name=self.object_name,
            remote_id=remote_id,
            record=record,
        )
        warnings += unstored_warnings(sent=record, stored=stored)
        return write_answer(remote_id, warnings, status.HTTP_200_OK)


class DestroyMixin:
    def delete(self, request, remote_id: str) -> Response:
        self.require("delete")
        selectors.record_get(
            connection=self.connection, object_name=self.object_name, remote_id=remote_id
        )
        services.record_delete(
            connection=self.connection, object_name=self.object_name, remote_id=remote_id
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


def collection_view(object_name: str) -> type[RecordView]:
    """`/<object>`: GET list, and POST create where the object can be created."""
    bases: tuple[type, ...] = (ListMixin,)
    if offered(object_name, "create"):
        bases += (CreateMixin,)
    name = object_name.title().replace("_", "")
    return type(f"{name}CollectionView", (*bases, RecordView), {"object_name": object_name})


def item_view(object_name: str) -> type[RecordView]:
    """`/<object>/{id}`: GET, and PATCH / DELETE where the object allows them."""
    bases: tuple[type, ...] = (RetrieveMixin,)
    if offered(object_name, "update"):
        bases += (UpdateMixin,)
    if offered(object_name, "delete"):
        bases += (DestroyMixin,)
    name = object_name.title().replace("_", "")
    return type(f"{name}ItemView", (*bases, RecordView), {"object_name": object_name})


class AccountUpsertView(RecordView):
    object_name = "accounts"

    def post(self, request) -> Response:
        body = validated(AccountUpsertSerializer, request.data)
        record = {k: v for k, v in body["record"].items() if k in request.data["record"]}
        warnings = ignored_warnings(request.data["record"], AccountWriteSerializer())
        stored = services.account_upsert(
            connection=self.connection, record=record, upsert_on=body["upsert_on"]
        )
        return write_answer(stored["id"], warnings, status.HTTP_201_CREATED)


class ContactSearchView(RecordView):
    object_name = "contacts"

    def post(self, request) -> Response:
        emails = validated(ContactSearchSerializer, request.data)["filter"]["emails"]
        queryset = selectors.contact_search(connection=self.connection, emails=emails)
        return self.records_page(request, self.search_scope(request, queryset))


class AccountSearchView(RecordView):
    object_name = "accounts"

    def post(self, request) -> Response:
        criteria = validated(AccountSearchSerializer, request.data)["filter"]
        queryset = selectors.account_search(connection=self.connection, **criteria)
        return self.records_page(request, self.search_scope(request, queryset))


class SequenceStateSearchView(RecordView):
    object_name = "sequence_states"

    def post(self, request) -> Response:
        criteria = validated(SequenceStateSearchSerializer, request.data)["filter"]
        queryset = selectors.sequence_state_search(connection=self.connection, **criteria)
        return self.records_page(request, self.search_scope(request, queryset))


class SequenceStepsView(RecordView):
    """`POST /sequences/{id}/sequence_steps`: one step added after the sequence's last."""

    object_name = "sequences"

    def post(self, request, remote_id: str) -> Response:
        step, warnings = record_body_validate(
            request.data, record_serializer=SequenceStepCreateSerializer
        )
        # 404 before the provider call when the sequence is not this customer's.
        selectors.record_get(
            connection=self.connection, object_name="sequences", remote_id=remote_id
        )
        created = services.sequence_step_create(
            connection=self.connection, sequence_id=remote_id, step=step
        )
        return write_answer(created["id"], warnings, status.HTTP_201_CREATED)


class SequenceStepView(RecordView):
    """`PATCH /sequences/{id}/sequence_steps/{step_id}`: a step's template changed, where
    the provider can (a 400 saying why where it cannot)."""

    object_name = "sequences"

    def patch(self, request, remote_id: str, step_id: str) -> Response:
        step, warnings = record_body_validate(
            request.data, record_serializer=SequenceStepUpdateSerializer, partial=True
        )
        selectors.record_get(
            connection=self.connection, object_name="sequences", remote_id=remote_id
        )
        updated = services.sequence_step_update(
            connection=self.connection, sequence_id=remote_id, step_id=step_id, step=step
        )
        return write_answer(updated.get("id") or step_id, warnings, status.HTTP_200_OK)


class SequenceStateBatchView(RecordView):
    """`POST /sequence_states/_batch`: contacts added to a sequence one by one, answered
    with the created records in the order given."""

    object_name = "sequence_states"

    def post(self, request) -> Response:
        self.require("create")
        records = validated(SequenceStateBatchSerializer, request.data)["records"]
        warnings = [
            warning
            for index, raw in enumerate(request.data["records"])
            for warning in ignored_warnings(
                raw, SequenceStateWriteSerializer(), prefix=f"records[{index}]"
            )
        ]
        sent = [
            {key: value for key, value in record.items() if key in raw}
            for record, raw in zip(records, request.data["records"], strict=True)
        ]
        stored = services.sequence_states_create(connection=self.connection, records=sent)
        return Response(
            {"records": [{"id": row["id"]} for row in stored], "warnings": warnings},
            status=status.HTTP_201_CREATED,
        )


__all__ = [
    "AccountSearchView",
    "AccountUpsertView",
    "ContactSearchView",
    "SequenceStateBatchView",
    "SequenceStateSearchView",
    "SequenceStepView",
    "SequenceStepsView",
    "collection_view",
    "item_view",
]
