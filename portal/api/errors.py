"""One error shape for the whole API (docs/unified-model.md §7.6), whatever went wrong.

`{"errors": [{"id", "title", "detail", "code", "problem_type", "status", "meta": {"origin",
"cause"?}}]}`, Supaglue's `errors` schema (the same in its engagement, mgmt and actions
specs): `status` is the HTTP status as a string (`"404"`), `problem_type` (required there,
deprecated) repeats `code`, `meta.origin` is `supaglue` for our own refusals and
`remote-provider` for the provider's, and `meta.cause`, when present, is an object (the
provider's JSON body, or `{"body": <text>}`). DRF's validation errors, 404s, authentication
failures, provider errors and unexpected exceptions all leave through `exception_handler`,
so a client parses one shape.

Services and selectors raise domain errors (`connectors.exceptions`: `NotFound`,
`Conflict`, `InvalidInput`, `ProviderError`…, and Django's `ValidationError`), never an
HTTP one; `exception_handler` is the one place that gives each its status. The `ApiError`s
below are for the API's own interface code (headers, query parameters, cursors).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response

from connectors.exceptions import (
    AuthRevoked,
    Conflict,
    ConnectorError,
    InvalidInput,
    NotFound,
    ProviderError,
    RateLimited,
    Unsupported,
)
from connectors.services import provider_error_detail
from connectors.services.endpoints import url_on_provider_host
from portal.api.services import BatchStopped

logger = logging.getLogger(__name__)

CODES = {
    400: ("BAD_REQUEST", "Bad request"),
    401: ("UNAUTHORIZED_ERROR", "Unauthorized"),
    403: ("FORBIDDEN_ERROR", "Forbidden"),
    404: ("NOT_FOUND_ERROR", "Not found"),
    405: ("METHOD_NOT_ALLOWED_ERROR", "Method not allowed"),
    409: ("CONFLICT_ERROR", "Conflict"),
    413: ("PAYLOAD_TOO_LARGE_ERROR", "Payload too large"),
    415: ("UNSUPPORTED_MEDIA_TYPE_ERROR", "Unsupported media type"),
    422: ("UNPROCESSABLE_ENTITY_ERROR", "Unprocessable entity"),
    429: ("TOO_MANY_REQUESTS_ERROR", "Too many requests"),
    500: ("INTERNAL_SERVER_ERROR", "Internal server error"),
    501: ("NOT_IMPLEMENTED_ERROR", "Not implemented"),
    502: ("REMOTE_PROVIDER_ERROR", "Remote provider error"),
}
# Supaglue's spec allows exactly these two origins; a Supaglue client switches on them, so
# errors of our own making say `supaglue` (the API it speaks), not our product's name.
ORIGIN_GLUE = "supaglue"
ORIGIN_PROVIDER = "remote-provider"


class ApiError(exceptions.APIException):
    """An error this API raises on purpose, with its status and a readable detail."""

    def __init__(
        self,
        detail: str,
        *,
        status_code: int = 400,
        origin: str = ORIGIN_GLUE,
        cause: Any = None,
    ) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.origin = origin
        self.cause = cause


class BadRequest(ApiError):
    def __init__(self, detail: str, **kwargs: Any) -> None:
        super().__init__(detail, status_code=400, **kwargs)


def error_item(
    *,
    status_code: int,
    detail: str,
    origin: str = ORIGIN_GLUE,
    cause: Any = None,
    extra_meta: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    code, title = CODES.get(status_code, CODES[400 if status_code < 500 else 500])
    meta: dict[str, Any] = {**(extra_meta or {}), "origin": origin}
    if cause is not None:
        # The spec types `cause` as an object: a provider's text or list body is wrapped.
        meta["cause"] = cause if isinstance(cause, Mapping) else {"body": cause}
    return {
        "id": str(uuid.uuid4()),
        "title": title,
        "detail": detail,
        "code": code,
        "problem_type": code,
        "status": str(status_code),
        "meta": meta,
    }


def error_body(**kwargs: Any) -> dict[str, Any]:
    return {"errors": [error_item(**kwargs)]}


def _flatten(detail: Any, prefix: str = "") -> list[str]:
    """DRF's nested validation detail → `"record.email_addresses[0].email_address: ..."`."""
    if isinstance(detail, Mapping):
        lines = []
        for key, value in detail.items():
            if key == "non_field_errors":
                name = prefix
            elif str(key).isdigit():
                name = f"{prefix}[{key}]"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            lines.extend(_flatten(value, name))
        return lines
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [f"{prefix}: {item}" if prefix else str(item) for item in detail]
        lines = []
        for index, item in enumerate(detail):
            if item:  # DRF marks valid list items with an empty dict
                lines.extend(_flatten(item, f"{prefix}[{index}]"))
        return lines
    return [f"{prefix}: {detail}" if prefix else str(detail)]


def _validation_detail(exc: ValidationError) -> str:
    """A model's `ValidationError` → `"field: message; other: message"`."""
    if hasattr(exc, "message_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)


def _provider_error(exc: ProviderError, provider_name: str) -> tuple[int, str, Any]:
    """A provider failure → (status, detail, cause). Its own 422 stays a 422.

    What the provider wrote is echoed only when it came from a real provider host: an
    answer from a host someone configured (or of unknown origin) is reported by its status
    alone, so the API cannot be used to read other servers' answers (SSRF).
    """
    if isinstance(exc, RateLimited):
        return 429, f"The provider's rate limit is spent; retry in {exc.retry_after:.0f}s.", None
    shown = exc.body in (None, "", {}) or url_on_provider_host(exc.url)
    cause = exc.body if shown else None
    if isinstance(exc, AuthRevoked):
        return (
            502,
            "The customer's provider credentials no longer work: the customer must reconnect.",
            cause,
        )
    if not shown:
        answered = f"answered {exc.status}" if exc.status else "failed"
        status_code = exc.status if exc.status in (404, 422) else 502
        return status_code, f"The provider {answered}; its answer is not shown.", None
    if exc.status == 422:
        said = provider_error_detail(provider_name=provider_name, body=exc.body)
        return 422, f"The provider refused the record: {said}", exc.body
    if exc.status == 404:
        return 404, "The provider has no such record.", exc.body
    return 502, f"The provider failed: {exc}", exc.body


def _classify(exc: Exception, view: Any) -> tuple[int, str, str, Any, dict[str, str]]:
    """An exception → (status, detail, origin, cause, headers)."""
    headers: dict[str, str] = {}
    origin, cause = ORIGIN_GLUE, None
    if isinstance(exc, ApiError):
        status_code, detail = exc.status_code, str(exc.detail)
        origin, cause = exc.origin, exc.cause
    elif isinstance(exc, InvalidInput):
        # Unified writes name fields inside the body's `record`; other calls, top-level ones.
        prefix = "record." if getattr(view, "object_name", "") else ""
        status_code, detail = 400, f"{prefix}{exc.field}: {exc.message}"
    elif isinstance(exc, NotFound):
        status_code, detail = 404, str(exc)
    elif isinstance(exc, Conflict):
        status_code, detail = 409, str(exc)
    elif isinstance(exc, Unsupported):
        status_code, detail = 400, str(exc)
    elif isinstance(exc, ValidationError):
        status_code, detail = 400, _validation_detail(exc)
    elif isinstance(exc, ProviderError):
        # The provider's package reads its own error bodies; the connection says which one.
        provider = getattr(getattr(view, "connection", None), "provider", None)
        provider_name = getattr(provider, "name", "")
        status_code, detail, cause = _provider_error(exc, provider_name)
        origin = ORIGIN_PROVIDER
        if isinstance(exc, RateLimited):
            headers["Retry-After"] = str(int(exc.retry_after))
    elif isinstance(exc, ConnectorError):
        status_code, detail = 502, str(exc)
        origin = ORIGIN_PROVIDER
    elif isinstance(exc, Http404):
        status_code, detail = 404, str(exc) or "Not found."
    elif isinstance(exc, RequestDataTooBig):
        status_code, detail = 413, too_large_detail()
    elif isinstance(exc, PermissionDenied):
        status_code, detail = 403, str(exc) or "Forbidden."
    elif isinstance(exc, exceptions.ValidationError):
        status_code, detail = 400, "; ".join(_flatten(exc.detail)) or "Invalid input."
    elif isinstance(exc, exceptions.APIException):
        status_code = exc.status_code
        detail = "; ".join(_flatten(exc.detail))
        if status_code == 401:
            headers["WWW-Authenticate"] = "x-api-key"
    else:
        logger.exception("Unhandled API error in %s", view.__class__.__name__)
        status_code, detail = 500, "Something went wrong on our side."
    return status_code, detail, origin, cause, headers


def exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response:
    """DRF's EXCEPTION_HANDLER: every failure → the envelope, never an HTML page."""
    view = context.get("view")
    extra_meta: dict[str, Any] = {}
    if isinstance(exc, BatchStopped):
        # The record that failed is named; those created before it are listed in meta.
        inner = exc.error
        status_code, detail, origin, cause, headers = _classify(inner, view)
        where = f"records[{exc.index}]"
        if isinstance(inner, InvalidInput):
            detail = f"{where}.{inner.field}: {inner.message}"
        else:
            detail = f"{where}: {detail}"
        extra_meta["created_records"] = [{"id": remote_id} for remote_id in exc.created]
    else:
        status_code, detail, origin, cause, headers = _classify(exc, view)
    if status_code >= 500 and origin == ORIGIN_PROVIDER:
        logger.warning("Provider error answered %s: %s", status_code, detail)
    body = error_body(
        status_code=status_code, detail=detail, origin=origin, cause=cause, extra_meta=extra_meta
    )
    return Response(body, status=status_code, headers=headers)


def too_large_detail() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return f"The request body is larger than the {limit} bytes allowed."


def too_large_response() -> JsonResponse:
    """413 in the envelope, for a body refused before the API view ran (portal.middleware)."""
    body = error_body(status_code=413, detail=too_large_detail())
    return JsonResponse(body, status=413)


@csrf_exempt
def not_found_view(request, *args: Any, **kwargs: Any) -> JsonResponse:
    """Unknown paths under the API prefixes answer the envelope, not Django's HTML 404."""
    detail = f"No API endpoint at {request.path}."
    return JsonResponse(
        error_body(status_code=status.HTTP_404_NOT_FOUND, detail=detail), status=404
    )
