"""`/mgmt/v2/`: sync configs, syncs (with `_pause`, `_resume`, `_trigger`) and sync runs."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import status
from rest_framework.response import Response

from portal.api import mgmt_services, selectors
from portal.api.auth import CONNECTION_HEADERS, ApiView, ConnectionScopedView
from portal.api.errors import ApiError
from portal.api.pagination import offset_page, page_size_parse
from portal.api.params import CURSOR, PAGE_SIZE, choice_param, comparison_param
from portal.api.schema import ERRORS, WRITE_ERRORS
from portal.api.serializers.common import ErrorsSerializer
from portal.api.serializers.mgmt import (
    ConnectionSyncConfigSerializer,
    SyncActionSerializer,
    SyncConfigSerializer,
    SyncConfigUpdateSerializer,
    SyncConfigWriteSerializer,
    SyncRunSerializer,
    SyncSerializer,
    TriggeredSyncSerializer,
    common_object_name,
    paginated,
)
from syncs import selectors as sync_selectors
from syncs import services as sync_services

SYNC_CONFIGS, SYNCS, SYNC_RUNS = ["SyncConfigs"], ["Syncs"], ["SyncRuns"]
# Supaglue's kinds of synced object; Glue syncs common ones only (the others list nothing).
OBJECT_TYPES = ("common", "standard", "custom")
SYNC_CONFIG_ID = OpenApiParameter("sync_config_id", str, OpenApiParameter.PATH)
SYNC_CONFIG_EXAMPLE = OpenApiExample(
    "config",
    value={
        "provider_name": "salesloft",
        "config": {
            "default_config": {"period_ms": 3600000, "strategy": "full then incremental"},
            "common_objects": [{"object": "contacts"}, {"object": "accounts"}],
        },
    },
    request_only=True,
)


def _filter(name: str, description: str, **kwargs) -> OpenApiParameter:
    return OpenApiParameter(name, str, description=description, **kwargs)


class SyncConfigsView(ApiView):
    @extend_schema(
        operation_id="getSyncConfigs",
        summary="List sync configs",
        tags=SYNC_CONFIGS,
        responses={200: SyncConfigSerializer(many=True), **ERRORS},
    )
    def get(self, request) -> Response:
        configs = sync_selectors.sync_config_list()
        return Response(SyncConfigSerializer(configs, many=True).data)

    @extend_schema(
        operation_id="createSyncConfig",
        summary="Create sync config",
        description="One per provider; every connection to it gets a sync per common object. "
        "A provider is given the default config when it is created; a create replaces that "
        "one while its settings are still the defaults (else 409: PUT updates it).",
        tags=SYNC_CONFIGS,
        request=SyncConfigWriteSerializer,
        responses={201: SyncConfigSerializer, **WRITE_ERRORS},
        examples=[SYNC_CONFIG_EXAMPLE],
    )
    def post(self, request) -> Response:
        serializer = SyncConfigWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        config = mgmt_services.sync_config_write(config=None, data=serializer.validated_data)
        return Response(SyncConfigSerializer(config).data, status=status.HTTP_201_CREATED)


class SyncConfigView(ApiView):
    @extend_schema(
        operation_id="getSyncConfig",
        summary="Get sync config",
        tags=SYNC_CONFIGS,
        parameters=[SYNC_CONFIG_ID],
        responses={200: SyncConfigSerializer, **ERRORS},
    )
    def get(self, request, sync_config_id: str) -> Response:
        config = sync_selectors.sync_config_get(sync_config_id=sync_config_id)
        return Response(SyncConfigSerializer(config).data)

    @extend_schema(
        operation_id="updateSyncConfig",
        summary="Update sync config",
        description="Supaglue's body: `{config}` (the provider is the config's own).",
        tags=SYNC_CONFIGS,
        parameters=[SYNC_CONFIG_ID],
        request=SyncConfigUpdateSerializer,
        responses={200: SyncConfigSerializer, **WRITE_ERRORS},
        examples=[SYNC_CONFIG_EXAMPLE],
    )
    def put(self, request, sync_config_id: str) -> Response:
        config = sync_selectors.sync_config_get(sync_config_id=sync_config_id)
        serializer = SyncConfigUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        config = mgmt_services.sync_config_write(config=config, data=serializer.validated_data)
        return Response(SyncConfigSerializer(config).data)

    @extend_schema(
        operation_id="deleteSyncConfig",
        summary="Delete sync config",
        description="Deletes the config and its syncs (synced records stay); answers the "
        "deleted config, as Supaglue did.",
        tags=SYNC_CONFIGS,
        parameters=[SYNC_CONFIG_ID],
        responses={200: SyncConfigSerializer, **ERRORS},
    )
    def delete(self, request, sync_config_id: str) -> Response:
        config = sync_selectors.sync_config_get(sync_config_id=sync_config_id)
        data = SyncConfigSerializer(config).data
        mgmt_services.sync_config_delete(config=config)
        return Response(data)


LIST_FILTERS = [
    PAGE_SIZE,
    CURSOR,
    _filter("customer_id", "Only this customer's."),
    _filter("provider_name", "Only this provider's."),
    _filter("object_type", "Glue syncs common objects only.", enum=list(OBJECT_TYPES)),
    _filter("object", "Only this object (e.g. contacts)."),
]


def paged_response(query, queryset, serializer_class) -> Response:
    """One page of `queryset` in Supaglue's `{next, previous, results, total_count}` list."""
    page = offset_page(
        queryset, cursor=query.get("cursor"), page_size=page_size_parse(query.get("page_size"))
    )
    return Response(
        {
            "next": page.next,
            "previous": page.previous,
            "results": serializer_class(page.rows, many=True).data,
            "total_count": page.total_count,
        }
    )


class SyncsView(ApiView):
    @extend_schema(
        operation_id="getSyncs",
        summary="List syncs",
        tags=SYNCS,
        parameters=LIST_FILTERS,
        responses={200: paginated("PaginatedSyncList", SyncSerializer), **ERRORS},
    )
    def get(self, request) -> Response:
        query = request.query_params
        queryset = selectors.syncs_list(
            customer_id=query.get("customer_id"),
            provider_name=query.get("provider_name"),
            object_type=choice_param(query, "object_type", OBJECT_TYPES),
            object_name=common_object_name(query["object"]) if "object" in query else None,
        )
        return paged_response(query, queryset, SyncSerializer)


def _sync_action(action: str, summary: str, description: str):
    answer = TriggeredSyncSerializer if action == "trigger" else SyncSerializer
    return extend_schema(
        operation_id=f"{action}Sync",
        summary=summary,
        description=description,
        tags=SYNCS,
        parameters=CONNECTION_HEADERS,
        request=SyncActionSerializer,
        responses={200: answer, **ERRORS},
        examples=[
            OpenApiExample(
                action,
                value={"object_type": "common", "object": "contacts"}
                | ({"perform_full_refresh": True} if action == "trigger" else {}),
                request_only=True,
            )
        ],
    )


class SyncActionView(ConnectionScopedView):
    # Pausing or triggering syncs is the developer's, not a customer-limited key's.
    customer_key_methods = frozenset()
    action = ""

    def post(self, request) -> Response:
        serializer = SyncActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        body = serializer.validated_data
        sync = sync_selectors.sync_get(connection=self.connection, object_name=body["object"])
        if self.action == "pause":
            sync = sync_services.sync_pause(sync, reason="Paused through the API")
        elif self.action == "resume":
            sync = sync_services.sync_resume(sync)
        else:
            run = sync_services.sync_trigger(sync, full_refresh=body["perform_full_refresh"])
            sync.refresh_from_db()
            return Response(TriggeredSyncSerializer(sync, context={"run": run}).data)
        return Response(SyncSerializer(sync).data)


class SyncPauseView(SyncActionView):
    action = "pause"

    @_sync_action("pause", "Pause sync", "Stops scheduling the sync; a running run finishes.")
    def post(self, request) -> Response:
        return super().post(request)


class SyncResumeView(SyncActionView):
    action = "resume"

    @_sync_action("resume", "Resume sync", "Schedules the sync again, due now.")
    def post(self, request) -> Response:
        return super().post(request)


class SyncTriggerView(SyncActionView):
    action = "trigger"

    @_sync_action(
        "trigger",
        "Trigger sync",
        "Runs the sync as soon as a worker is free (also when paused); "
        "`perform_full_refresh` makes it a full run. Extension: `run_id` is the run doing it, "
        "opened now (queued until a worker claims it), or the run already in progress.",
    )
    def post(self, request) -> Response:
        return super().post(request)


class SyncRunsView(ApiView):
    @extend_schema(
        operation_id="listSyncRuns",
        summary="List sync runs",
        description="Newest first.",
        tags=SYNC_RUNS,
        parameters=[
            *LIST_FILTERS,
            _filter("status", "SUCCESS, IN_PROGRESS or FAILURE (case-insensitive)."),
            OpenApiParameter(
                "start_timestamp",
                OpenApiTypes.STR,
                description="`>` or `<` then an ISO 8601 date-time, e.g. `>2024-01-06T03:24:53Z`.",
            ),
            OpenApiParameter(
                "end_timestamp",
                OpenApiTypes.STR,
                description="`>` or `<` then an ISO 8601 date-time.",
            ),
        ],
        responses={200: paginated("PaginatedSyncRunList", SyncRunSerializer), **ERRORS},
    )
    def get(self, request) -> Response:
        query = request.query_params
        queryset = selectors.sync_runs_list(
            customer_id=query.get("customer_id"),
            provider_name=query.get("provider_name"),
            object_type=choice_param(query, "object_type", OBJECT_TYPES),
            object_name=common_object_name(query["object"]) if "object" in query else None,
            status=query.get("status"),
            started=comparison_param(query, "start_timestamp"),
            ended=comparison_param(query, "end_timestamp"),
        )
        return paged_response(query, queryset, SyncRunSerializer)


class SyncRunView(ApiView):
    @extend_schema(
        operation_id="getSyncRun",
        summary="Get sync run",
        description="Extension (not in Supaglue): one run, e.g. the `run_id` `_trigger` answered.",
        tags=SYNC_RUNS,
        parameters=[OpenApiParameter("run_id", str, OpenApiParameter.PATH)],
        responses={200: SyncRunSerializer, **ERRORS},
    )
    def get(self, request, run_id: str) -> Response:
        return Response(SyncRunSerializer(sync_selectors.sync_run_get(run_id=run_id)).data)


UNSUPPORTED_OVERRIDE = OpenApiResponse(
    ErrorsSerializer,
    "The body asks for per-connection destination settings or standard/custom objects: Glue "
    "has neither (it syncs common objects into its own database).",
)


class ConnectionSyncConfigView(ConnectionScopedView):
    """Supaglue's per-connection overrides of the sync config. Everything they can say (a
    destination schema or table, standard or custom objects) is something Glue does not
    have, so no connection has overrides: GET answers `{}`, a PUT that asks for nothing is
    accepted, one that asks for something is a 422 saying why, DELETE has nothing to do."""

    customer_key_methods = frozenset({"GET"})

    @extend_schema(
        operation_id="getConnectionSyncConfig",
        summary="Get connection sync config",
        description="Always `{}`: connections have no overrides in Glue.",
        tags=SYNC_CONFIGS,
        parameters=CONNECTION_HEADERS,
        responses={200: ConnectionSyncConfigSerializer, **ERRORS},
    )
    def get(self, request) -> Response:
        return Response({})

    @extend_schema(
        operation_id="upsertConnectionSyncConfig",
        summary="Upsert connection sync config",
        description="Accepted only when it overrides nothing (empty lists, no destination).",
        tags=SYNC_CONFIGS,
        parameters=CONNECTION_HEADERS,
        request=ConnectionSyncConfigSerializer,
        responses={200: ConnectionSyncConfigSerializer, 422: UNSUPPORTED_OVERRIDE, **ERRORS},
    )
    def put(self, request) -> Response:
        serializer = ConnectionSyncConfigSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        asked = [name for name, value in serializer.validated_data.items() if value]
        if asked:
            raise ApiError(
                f"{asked[0]}: Glue has no per-connection overrides: it syncs the provider's "
                "common objects (the sync config's) into its own database, so there are no "
                "destination settings, standard or custom objects to override.",
                status_code=422,
            )
        return Response({})

    @extend_schema(
        operation_id="deleteConnectionSyncConfig",
        summary="Delete connection sync config",
        description="Nothing to delete (connections have no overrides): 204.",
        tags=SYNC_CONFIGS,
        parameters=CONNECTION_HEADERS,
        responses={204: None, **ERRORS},
    )
    def delete(self, request) -> Response:
        return Response(status=status.HTTP_204_NO_CONTENT)
