"""The REST API: /engagement/v2/, /mgmt/v2/, /actions/v2/ and the OpenAPI schema."""

urlpatterns: list = []
