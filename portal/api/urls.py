"""The REST API: /engagement/v2/, /mgmt/v2/, /actions/v2/ and the OpenAPI schema.

Paths have no trailing slash, as Supaglue's. Literal segments (`_search`, `_upsert`) come
before `{id}` so they are never read as ids. Anything else under the three prefixes answers
the JSON error envelope.
"""

import threading
from typing import Any

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.response import Response

from connectors.base import COMMON_OBJECTS
from portal.api import actions, engagement, mgmt, mgmt_datamodel, mgmt_syncs, mgmt_webhooks
from portal.api.errors import not_found_view
from portal.api.schema import documented

E = "engagement/v2"

engagement_urls = [
    path(f"{E}/accounts/_upsert", documented(engagement.AccountUpsertView).as_view()),
    path(f"{E}/accounts/_search", documented(engagement.AccountSearchView).as_view()),
    path(f"{E}/contacts/_search", documented(engagement.ContactSearchView).as_view()),
    path(f"{E}/sequence_states/_search", documented(engagement.SequenceStateSearchView).as_view()),
    path(f"{E}/sequence_states/_batch", documented(engagement.SequenceStateBatchView).as_view()),
    path(
        f"{E}/sequences/<str:remote_id>/sequence_steps",
        documented(engagement.SequenceStepsView).as_view(),
    ),
    path(
        f"{E}/sequences/<str:remote_id>/sequence_steps/<str:step_id>",
        documented(engagement.SequenceStepView).as_view(),
    ),
]
for object_name in COMMON_OBJECTS:
    engagement_urls += [
        path(f"{E}/{object_name}", documented(engagement.collection_view(object_name)).as_view()),
        path(
            f"{E}/{object_name}/<str:remote_id>",
            documented(engagement.item_view(object_name)).as_view(),
        ),
    ]

M = "mgmt/v2"
mgmt_urls = [
    path(f"{M}/customers", mgmt.CustomersView.as_view()),
    path(f"{M}/customers/<str:customer_id>", mgmt.CustomerView.as_view()),
    path(f"{M}/customers/<str:customer_id>/connections", mgmt.ConnectionsView.as_view()),
    path(
        f"{M}/customers/<str:customer_id>/connections/_provider_user_id",
        mgmt.ProviderUserIdView.as_view(),
    ),
    path(
        f"{M}/customers/<str:customer_id>/connections/<str:provider_name>",
        mgmt.ConnectionView.as_view(),
    ),
    path(
        f"{M}/customers/<str:customer_id>/connections/<str:provider_name>/_rate_limit_info",
        mgmt.RateLimitInfoView.as_view(),
    ),
    path(f"{M}/providers", mgmt.ProvidersView.as_view()),
    path(f"{M}/providers/<str:provider_id>", mgmt.ProviderView.as_view()),
    path(f"{M}/sync_configs", mgmt_syncs.SyncConfigsView.as_view()),
    path(f"{M}/sync_configs/<str:sync_config_id>", mgmt_syncs.SyncConfigView.as_view()),
    path(f"{M}/connection_sync_configs", mgmt_syncs.ConnectionSyncConfigView.as_view()),
    path(f"{M}/syncs", mgmt_syncs.SyncsView.as_view()),
    path(f"{M}/syncs/_pause", mgmt_syncs.SyncPauseView.as_view()),
    path(f"{M}/syncs/_resume", mgmt_syncs.SyncResumeView.as_view()),
    path(f"{M}/syncs/_trigger", mgmt_syncs.SyncTriggerView.as_view()),
    path(f"{M}/sync-runs", mgmt_syncs.SyncRunsView.as_view()),
    path(f"{M}/sync-runs/<str:run_id>", mgmt_syncs.SyncRunView.as_view()),
    path(f"{M}/connect_sessions", mgmt.ConnectSessionsView.as_view()),
    path(f"{M}/magic_links", mgmt.MagicLinksView.as_view()),
    path(f"{M}/magic_links/<str:magic_link_id>", mgmt.MagicLinkView.as_view()),
    # Supaglue's data-model families: one destination (Glue's database), no schemas,
    # entities or mappings; see mgmt_datamodel.
    path(f"{M}/destinations", mgmt_datamodel.DestinationsView.as_view()),
    path(f"{M}/destinations/<str:destination_id>", mgmt_datamodel.DestinationView.as_view()),
    path(f"{M}/schemas", mgmt_datamodel.SchemasView.as_view()),
    path(f"{M}/schemas/<str:schema_id>", mgmt_datamodel.SchemaView.as_view()),
    path(f"{M}/entities", mgmt_datamodel.EntitiesView.as_view()),
    path(f"{M}/entities/<str:entity_id>", mgmt_datamodel.EntityView.as_view()),
    path(f"{M}/field_mappings", mgmt_datamodel.FieldMappingsView.as_view()),
    path(f"{M}/field_mappings/_update_object", mgmt_datamodel.FieldMappingUpdateView.as_view()),
    path(f"{M}/entity_mappings", mgmt_datamodel.EntityMappingsView.as_view()),
    path(f"{M}/entity_mappings/<str:entity_id>", mgmt_datamodel.EntityMappingView.as_view()),
]
# Webhooks out (Glue's own; Supaglue configured its webhooks in its dashboard).
mgmt_urls += [
    path(f"{M}/webhook_endpoints", mgmt_webhooks.WebhookEndpointsView.as_view()),
    path(f"{M}/webhook_endpoints/<str:endpoint_id>", mgmt_webhooks.WebhookEndpointView.as_view()),
    path(f"{M}/webhook_deliveries", mgmt_webhooks.WebhookDeliveriesView.as_view()),
    path(
        f"{M}/webhook_deliveries/<str:delivery_id>/_resend",
        mgmt_webhooks.WebhookDeliveryResendView.as_view(),
    ),
]

actions_urls = [path("actions/v2/passthrough", actions.PassthroughView.as_view())]


class CachedSchemaView(SpectacularAPIView):
    """The OpenAPI schema, generated once per process and then served from memory.

    It depends only on the code, and generating it costs about a second of CPU that any
    anonymous caller could otherwise ask for again and again. The query string (`version`,
    `lang`) is ignored: the API has one version and one language, and keying a cache on
    caller-chosen values would let callers fill memory instead.
    """

    _schema: dict[str, Any] | None = None
    _lock = threading.Lock()

    def _get_schema_response(self, request) -> Response:
        cls = type(self)
        with cls._lock:  # concurrent first requests generate it once
            if cls._schema is None:
                generator = self.generator_class(
                    urlconf=self.urlconf, api_version=self.api_version, patterns=self.patterns
                )
                cls._schema = generator.get_schema(request=None, public=self.serve_public)
        filename = self._get_filename(request, self.api_version)
        return Response(
            data=cls._schema, headers={"Content-Disposition": f'inline; filename="{filename}"'}
        )


schema_urls = [
    path("api/schema/", CachedSchemaView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]

urlpatterns = [
    *engagement_urls,
    *mgmt_urls,
    *actions_urls,
    *schema_urls,
    re_path(r"^(?:engagement|mgmt|actions)/v2(?:/.*)?$", not_found_view),
]
