"""The REST API: /engagement/v2/, /mgmt/v2/, /actions/v2/ and the OpenAPI schema.

Paths have no trailing slash, as Supaglue's. Literal segments (`_search`, `_upsert`) come
before `{id}` so they are never read as ids. Anything else under the three prefixes answers
the JSON error envelope.
"""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from connectors.base import COMMON_OBJECTS
from portal.api import engagement
from portal.api.errors import not_found_view
from portal.api.schema import documented

E = "engagement/v2"

engagement_urls = [
    path(f"{E}/accounts/_upsert", documented(engagement.AccountUpsertView).as_view()),
    path(f"{E}/accounts/_search", documented(engagement.AccountSearchView).as_view()),
    path(f"{E}/contacts/_search", documented(engagement.ContactSearchView).as_view()),
    path(f"{E}/sequence_states/_search", documented(engagement.SequenceStateSearchView).as_view()),
]
for object_name in COMMON_OBJECTS:
    engagement_urls += [
        path(f"{E}/{object_name}", documented(engagement.collection_view(object_name)).as_view()),
        path(
            f"{E}/{object_name}/<str:remote_id>",
            documented(engagement.item_view(object_name)).as_view(),
        ),
    ]

schema_urls = [
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]

urlpatterns = [
    *engagement_urls,
    *schema_urls,
    re_path(r"^(?:engagement|mgmt|actions)/v2(?:/.*)?$", not_found_view),
]
