"""Supaglue's published v2 specs, read where they live, and what we check against them.

The specs are Supaglue's files (MIT), not ours: they are read from `SUPAGLUE_SPEC_DIR`,
by default `shared/reference/supaglue-openapi/` beside the repository's folder, and never
copied into the repository. `openapi-core` validates with each spec's own OpenAPI version
(engagement and actions are 3.0, with `nullable`; mgmt is 3.1).
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from jsonschema.exceptions import best_match
from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse

SPEC_NAMES = ("engagement", "mgmt", "actions")
REPO_ROOT = Path(__file__).resolve().parents[2]
METHODS = ("get", "put", "post", "patch", "delete")

# Supaglue answers every error in one envelope, but some operations list only their
# success response (e.g. searchAccounts, passthrough). An error status an operation does not
# list is checked against the spec's shared response for that status.
SHARED_ERROR_RESPONSES = {
    "400": "badRequest",
    "401": "unauthorized",
    "403": "forbidden",
    "404": "notFound",
    "409": "conflict",
    "422": "unprocessableEntity",
    "499": "remoteProviderError",
    "500": "internalServerError",
    "501": "notImplemented",
}


def spec_dir() -> Path:
    configured = os.environ.get("SUPAGLUE_SPEC_DIR")
    if configured:
        return Path(configured)
    return REPO_ROOT.parent / "shared" / "reference" / "supaglue-openapi"


def missing_specs() -> list[Path]:
    return [path for name in SPEC_NAMES if not (path := spec_dir() / f"{name}.json").is_file()]


@dataclass(frozen=True)
class Operation:
    """One operation of one spec, and where we serve it (the spec's server prefix + path)."""

    spec: str
    operation_id: str
    method: str  # lower case
    path: str  # as in the spec, e.g. /accounts/{account_id}
    host: str  # the spec server's origin, e.g. https://api.supaglue.io
    prefix: str  # the spec server's path, e.g. /engagement/v2: ours too
    path_params: tuple[str, ...]
    header_params: tuple[str, ...]  # required headers besides x-api-key
    success: int
    declared: tuple[int, ...]  # the statuses the operation itself lists
    # The spec's own words say Salesloft cannot do it ("Not supported in `salesloft`").
    unsupported_by_salesloft: bool = False

    @property
    def pattern(self) -> str:
        return self.prefix + self.path

    def url(self, values: Mapping[str, str]) -> str:
        return self.prefix + self.path.format(**values)

    def __str__(self) -> str:
        return f"{self.operation_id} ({self.method.upper()} {self.pattern})"


@cache
def raw_documents() -> dict[str, dict[str, Any]]:
    """The three specs as published."""
    return {name: json.loads((spec_dir() / f"{name}.json").read_text()) for name in SPEC_NAMES}


def _as_authored(node: Any, *, openapi_31: bool) -> Any:
    """Two readings of the specs that follow what their authors meant, not their letter.

    - mgmt.json says `openapi: 3.1.0` but marks nullable fields the 3.0 way
      (`nullable: true`, which 3.1 ignores): there, such a type also admits null, as in
      Supaglue's own answers (`"previous": null`).
    - `oneOf` is read as `anyOf`: some of Supaglue's branches overlap (a common-object sync
      is both "Data model: Objects" and "Data model: Common Schema"), so under a strict
      `oneOf` no request or answer could be valid; its generated TypeScript types are
      unions, i.e. `anyOf`.
    """
    if isinstance(node, list):
        return [_as_authored(item, openapi_31=openapi_31) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _as_authored(value, openapi_31=openapi_31) for key, value in node.items()}
    if "oneOf" in node and isinstance(node["oneOf"], list):
        node["anyOf"] = node.pop("oneOf")
    if openapi_31 and node.get("nullable") is True:
        node.pop("nullable")
        if isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
        if "enum" in node and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
    return node


@cache
def spec_documents() -> dict[str, dict[str, Any]]:
    """The three specs as validated: as authored (see `_as_authored`), each operation also
    given the shared error responses."""
    documents = {}
    for name, raw in raw_documents().items():
        openapi_31 = str(raw.get("openapi", "")).startswith("3.1")
        document = _as_authored(copy.deepcopy(raw), openapi_31=openapi_31)
        shared = document.get("components", {}).get("responses", {})
        for item in document["paths"].values():
            for method in METHODS:
                if method not in item:
                    continue
                responses = item[method].setdefault("responses", {})
                for status, component in SHARED_ERROR_RESPONSES.items():
                    if status not in responses and component in shared:
                        responses[status] = {"$ref": f"#/components/responses/{component}"}
        documents[name] = document
    return documents


@cache
def spec_apps() -> dict[str, OpenAPI]:
    # The specs are checked once by openapi-spec-validator in test_the_specs_are_valid_openapi;
    # building the validators skips that check.
    config = Config(spec_validator_cls=None)
    return {name: OpenAPI.from_dict(doc, config=config) for name, doc in spec_documents().items()}


def _parameters(document: dict, item: dict, operation: dict) -> list[dict]:
    def deref(parameter: dict) -> dict:
        if "$ref" in parameter:
            return document["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[1]]
        return parameter

    return [deref(p) for p in [*item.get("parameters", []), *operation.get("parameters", [])]]


@cache
def operations() -> tuple[Operation, ...]:
    found = []
    for name, document in raw_documents().items():
        server = urlsplit(document["servers"][0]["url"])
        for path, item in document["paths"].items():
            for method in METHODS:
                if method not in item:
                    continue
                operation = item[method]
                parameters = _parameters(document, item, operation)
                declared = sorted(int(s) for s in operation["responses"] if s.isdigit())
                found.append(
                    Operation(
                        spec=name,
                        operation_id=operation["operationId"],
                        method=method,
                        path=path,
                        host=f"{server.scheme}://{server.netloc}",
                        prefix=server.path.rstrip("/"),
                        path_params=tuple(p["name"] for p in parameters if p["in"] == "path"),
                        header_params=tuple(
                            p["name"]
                            for p in parameters
                            if p["in"] == "header" and p.get("required")
                        ),
                        success=min(s for s in declared if 200 <= s < 300),
                        declared=tuple(declared),
                        unsupported_by_salesloft="Not supported in `salesloft`"
                        in operation.get("description", ""),
                    )
                )
    return tuple(found)


# --- routing --------------------------------------------------------------------------


def unrouted_reason(operation: Operation) -> str | None:
    """Why `operation` is not served by a Django view handling its method (None: it is).

    Each path parameter gets a distinct sample value; the URL must resolve to a view class
    whose captured values are exactly those (so `/connections/_provider_user_id` is not
    taken for `/connections/{provider_name}`) and which has a handler for the method.
    """
    sample = {name: f"contract-{name}" for name in operation.path_params}
    url = operation.url(sample)
    try:
        match = resolve(url)
    except Resolver404:
        return f"{url} resolves to nothing"
    view_class = getattr(match.func, "view_class", None) or getattr(match.func, "cls", None)
    if view_class is None:
        return f"{url} resolves to {match.func.__name__}, not an API view"
    captured = sorted(str(value) for value in match.kwargs.values())
    if captured != sorted(sample.values()):
        return (
            f"{url} resolves to {view_class.__name__} capturing {match.kwargs}, "
            f"not the spec's path parameters {list(sample)}"
        )
    if not callable(getattr(view_class, operation.method, None)):
        return f"{view_class.__name__} has no {operation.method.upper()} handler"
    return None


# --- validation -----------------------------------------------------------------------


@dataclass
class Exchange:
    """One request we sent and what came back."""

    operation: Operation
    path_values: dict[str, str]
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes | None
    status: int
    response_body: bytes
    content_type: str

    def mock_request(self) -> MockRequest:
        op = self.operation
        return MockRequest(
            op.host,
            op.method,
            op.url(self.path_values),
            path_pattern=op.pattern,
            args=self.query,
            view_args=self.path_values,
            headers=self.headers,
            data=self.body,
        )

    def mock_response(self) -> MockResponse:
        return MockResponse(
            self.response_body,
            status_code=self.status,
            content_type=self.content_type.split(";")[0].strip() or "application/json",
        )


def _short(text: str, limit: int = 240) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_error(exc: BaseException) -> str:
    """The first (most relevant) schema error of an openapi-core error, on one line."""
    errors = []
    cause: BaseException | None = exc
    while cause is not None and not errors:
        errors = list(getattr(cause, "schema_errors", ()) or ())
        cause = cause.__cause__
    if not errors:
        return _short(f"{type(exc).__name__}: {exc}")
    first = best_match(errors)
    while first.context:  # anyOf: the error in the branch that came closest
        branches: dict[Any, list] = {}
        for error in first.context:
            branches.setdefault(error.relative_schema_path[0], []).append(error)
        first = best_match(min(branches.values(), key=len))
    where = first.json_path if hasattr(first, "json_path") else "$"
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return _short(f"{where}: {first.message}", 200) + more


def request_errors(exchange: Exchange) -> list[str]:
    app = spec_apps()[exchange.operation.spec]
    return [describe_error(e) for e in app.iter_request_errors(exchange.mock_request())]


def response_errors(exchange: Exchange) -> list[str]:
    """What the spec says is wrong with the answer (status and body) to `exchange`."""
    if exchange.status == 204:
        # HTTP: a 204 has no body (some of the spec's 204s describe one nonetheless).
        op = exchange.operation
        if "204" not in spec_documents()[op.spec]["paths"][op.path][op.method]["responses"]:
            return ["204 is not a status the spec lists for this operation"]
        return ["a 204 answer carries a body"] if exchange.response_body.strip() else []
    app = spec_apps()[exchange.operation.spec]
    errors = app.iter_response_errors(exchange.mock_request(), exchange.mock_response())
    return [describe_error(e) for e in errors]


def body_excerpt(body: bytes, limit: int = 160) -> str:
    return _short(body.decode("utf-8", "replace"), limit)


def ids_for(operations_: Iterable[Operation]) -> list[str]:
    return [op.operation_id for op in operations_]
