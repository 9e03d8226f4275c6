"""`/mgmt/v2/`: Supaglue's data-model families: destinations, schemas, entities, field
mappings and entity mappings.

Glue syncs the common engagement objects, with their fixed fields, into its own database
and serves them through the engagement API. So it has exactly one destination (its
database: Supaglue's `supaglue` type) and no schemas, entities or mappings. Each operation
answers as Supaglue's spec documents that case: the lists are empty, an id names nothing
(404), and a write that asks for what Glue does not have is a 422 saying why. No route of
the spec answers "no such endpoint".
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from connectors.exceptions import NotFound
from portal.api.auth import CONNECTION_HEADERS, ApiView, ConnectionScopedView
from portal.api.errors import ApiError
from portal.api.schema import ERRORS
from portal.api.serializers.common import ErrorsSerializer
from portal.api.serializers.mgmt import DESTINATION_NAME, DestinationSerializer, glue_destination

DESTINATIONS, SCHEMAS, ENTITIES = ["Destinations"], ["Schemas"], ["Entities"]
FIELD_MAPPINGS, ENTITY_MAPPINGS = ["Field Mappings"], ["Entity Mappings"]
FIXED_FIELDS = (
    "Glue syncs the provider's common engagement objects with their fixed fields (every "
    "provider field is kept in `raw_data`)"
)
UNSUPPORTED = OpenApiResponse(ErrorsSerializer, "What Glue does not have; the detail says why.")


def _unsupported(detail: str) -> ApiError:
    return ApiError(detail, status_code=422)


def _path_id(name: str) -> OpenApiParameter:
    return OpenApiParameter(name, str, OpenApiParameter.PATH)


class _Nothing(serializers.Serializer):
    """A family Glue has no items of: only ever an empty list (the spec's item shape)."""

    id = serializers.CharField()


# --- destinations --------------------------------------------------------------------------


class DestinationsView(ApiView):
    @extend_schema(
        operation_id="getDestinations",
        summary="List destinations",
        description=f"One: {DESTINATION_NAME!r}, Glue's own database (Supaglue's `supaglue` "
        "type), which every sync config writes into.",
        tags=DESTINATIONS,
        responses={200: DestinationSerializer(many=True), **ERRORS},
    )
    def get(self, request) -> Response:
        return Response([glue_destination()])

    @extend_schema(
        operation_id="createDestination",
        summary="Create destination",
        description="Refused (422): Glue writes only into its own database.",
        tags=DESTINATIONS,
        request=None,
        responses={422: UNSUPPORTED, **ERRORS},
    )
    def post(self, request) -> Response:
        raise _unsupported(
            f"Glue writes only into its own database (destination {DESTINATION_NAME!r}), which "
            "serves the engagement API; it cannot write to other destinations."
        )


class DestinationView(ApiView):
    def _destination(self, destination_id: str) -> dict:
        if destination_id != DESTINATION_NAME:
            raise NotFound(
                f"No destination {destination_id!r}: Glue has one, {DESTINATION_NAME!r}."
            )
        return glue_destination()

    @extend_schema(
        operation_id="getDestination",
        summary="Get destination",
        tags=DESTINATIONS,
        parameters=[_path_id("destination_id")],
        responses={200: DestinationSerializer, **ERRORS},
    )
    def get(self, request, destination_id: str) -> Response:
        return Response(self._destination(destination_id))

    @extend_schema(
        operation_id="updateDestination",
        summary="Update destination",
        description="Refused (422): Glue's database is configured by its deployment "
        "(DATABASE_URL), not through the API.",
        tags=DESTINATIONS,
        parameters=[_path_id("destination_id")],
        request=None,
        responses={422: UNSUPPORTED, **ERRORS},
    )
    def put(self, request, destination_id: str) -> Response:
        self._destination(destination_id)
        raise _unsupported(
            "Glue's database is configured by its deployment (DATABASE_URL), not through the API."
        )


# --- schemas and entities (the same answers: Glue has none) ------------------------------


def _family(family: str, singular: str, tags: list[str], why: str):
    """The list view and the item view of a family Glue has no items of."""
    name = singular.capitalize()
    item_id = f"{singular}_id"

    class ListView(ApiView):
        @extend_schema(
            operation_id=f"get{name}s",
            summary=f"List {family}",
            description=f"Always empty: {why}.",
            tags=tags,
            responses={200: _Nothing(many=True), **ERRORS},
        )
        def get(self, request) -> Response:
            return Response([])

        @extend_schema(
            operation_id=f"create{name}",
            summary=f"Create {singular}",
            description=f"Refused (422): {why}.",
            tags=tags,
            request=None,
            responses={422: UNSUPPORTED, **ERRORS},
        )
        def post(self, request) -> Response:
            raise _unsupported(f"Glue has no {family}: {why}.")

    def missing(pk: str) -> NotFound:
        return NotFound(f"No {singular} {pk!r}: Glue has no {family} ({why}).")

    item_param = [_path_id(item_id)]

    class ItemView(ApiView):
        @extend_schema(
            operation_id=f"get{name}",
            summary=f"Get {singular}",
            tags=tags,
            parameters=item_param,
            responses={404: ERRORS[404], 400: ERRORS[400], 401: ERRORS[401]},
        )
        def get(self, request, **kwargs: str) -> Response:
            raise missing(kwargs[item_id])

        @extend_schema(
            operation_id=f"update{name}",
            summary=f"Update {singular}",
            tags=tags,
            parameters=item_param,
            request=None,
            responses={404: ERRORS[404], 400: ERRORS[400], 401: ERRORS[401]},
        )
        def put(self, request, **kwargs: str) -> Response:
            raise missing(kwargs[item_id])

        @extend_schema(
            operation_id=f"delete{name}",
            summary=f"Delete {singular}",
            tags=tags,
            parameters=item_param,
            responses={404: ERRORS[404], 400: ERRORS[400], 401: ERRORS[401]},
        )
        def delete(self, request, **kwargs: str) -> Response:
            raise missing(kwargs[item_id])

    ListView.__name__ = ListView.__qualname__ = f"{name}sView"
    ItemView.__name__ = ItemView.__qualname__ = f"{name}View"
    return ListView, ItemView


SchemasView, SchemaView = _family(
    "schemas", "schema", SCHEMAS, f"{FIXED_FIELDS}, so there are no field schemas to define"
)
EntitiesView, EntityView = _family(
    "entities", "entity", ENTITIES, f"{FIXED_FIELDS}; entities are not modelled"
)


# --- field and entity mappings of a connection -------------------------------------------


class FieldMappingsView(ConnectionScopedView):
    customer_key_methods = frozenset({"GET"})

    @extend_schema(
        operation_id="listFieldMappings",
        summary="List field mappings",
        description="Always empty: objects with a schema are listed, and Glue has no schemas "
        "(common objects have fixed fields).",
        tags=FIELD_MAPPINGS,
        parameters=CONNECTION_HEADERS,
        responses={200: _Nothing(many=True), **ERRORS},
    )
    def get(self, request) -> Response:
        return Response([])


class FieldMappingUpdateView(ConnectionScopedView):
    customer_key_methods = frozenset()

    @extend_schema(
        operation_id="updateObjectFieldMappings",
        summary="Update field mappings",
        description="Refused (422): there is no schema to map fields to.",
        tags=FIELD_MAPPINGS,
        parameters=CONNECTION_HEADERS,
        request=None,
        responses={422: UNSUPPORTED, **ERRORS},
    )
    def put(self, request) -> Response:
        raise _unsupported(
            f"object_name: no field mappings to update: {FIXED_FIELDS}, so objects have no "
            "schema to map fields to."
        )


class EntityMappingsView(ConnectionScopedView):
    customer_key_methods = frozenset({"GET"})

    @extend_schema(
        operation_id="listEntityMappings",
        summary="List entity mappings",
        description="Always empty: Glue has no entities.",
        tags=ENTITY_MAPPINGS,
        parameters=CONNECTION_HEADERS,
        responses={200: _Nothing(many=True), **ERRORS},
    )
    def get(self, request) -> Response:
        return Response([])


class EntityMappingView(ConnectionScopedView):
    customer_key_methods = frozenset()
    params = [*CONNECTION_HEADERS, _path_id("entity_id")]

    def _missing(self, entity_id: str) -> NotFound:
        return NotFound(f"No entity {entity_id!r}: Glue has no entities ({FIXED_FIELDS}).")

    @extend_schema(
        operation_id="upsertEntityMapping",
        summary="Upsert entity mapping",
        tags=ENTITY_MAPPINGS,
        parameters=params,
        request=None,
        responses={404: ERRORS[404], 400: ERRORS[400], 401: ERRORS[401]},
    )
    def put(self, request, entity_id: str) -> Response:
        raise self._missing(entity_id)

    @extend_schema(
        operation_id="deleteEntityMapping",
        summary="Delete entity mapping",
        tags=ENTITY_MAPPINGS,
        parameters=params,
        responses={404: ERRORS[404], 400: ERRORS[400], 401: ERRORS[401]},
    )
    def delete(self, request, entity_id: str) -> Response:
        raise self._missing(entity_id)
