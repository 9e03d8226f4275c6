"""Middleware of the whole site (the API's own error handling is portal/api/errors.py)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse

from portal.api.errors import too_large_response

# The paths answered in the API's JSON error envelope (see portal/api/urls.py).
API_PREFIXES = ("/engagement/", "/mgmt/", "/actions/", "/api/")


class RequestBodyLimitMiddleware:
    """A request body over `DATA_UPLOAD_MAX_MEMORY_SIZE` answers 413 before anything reads
    it: in the error envelope under the API's paths, as plain text elsewhere.

    Django raises `RequestDataTooBig` only when code reads the body, and the API's
    exception handler would then have reported a 500 with a traceback; other pages a
    400. The same check Django makes (the declared Content-Length) is made here, first.
    Multipart bodies are left to Django, whose limit there excludes uploaded files; their
    `RequestDataTooBig` from a view is turned into the same 413.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and not (request.content_type or "").startswith("multipart/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                return self._too_large(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig):
            return self._too_large(request)
        return None

    @staticmethod
    def _too_large(request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIXES):
            return too_large_response()
        return HttpResponse(
            "Request body too large.\n", status=413, content_type="text/plain; charset=utf-8"
        )
