"""The sandbox's WSGI application: routing plus the pipeline every /v2 call goes through
(faults → bearer auth → scope → rate limit → handler → headers → stats)."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from . import cadences, reads, writes
from .config import SandboxConfig
from .control import Control
from .faults import Faults
from .http import HttpError, Request, Response, json_response, not_found
from .oauth import OAuthServer, Principal
from .ratelimit import RateLimiter, page_cost
from .render import data_body
from .resources import RESOURCES, Resource
from .stats import Stats
from .store import Store
from .timestamps import Clock

log = logging.getLogger(__name__)
NO_TOKEN = {
    "error": "No Bearer Token attached to request, "
    "please see documentation at developers.salesloft.com"
}
BAD_TOKEN = {
    "error": "invalid_token",
    "error_description": "The access token is invalid or has expired",
}
# /v2/<collection>[/<id>][.json]; collections may contain a slash (activities/emails).
_ROUTE = re.compile(r"^/v2/(?P<collection>[a-z_]+(?:/[a-z_]+)?)(?:/(?P<id>[^/.]+))?(?:\.json)?/?$")
_WRITABLE = {"people": writes.person_save, "accounts": writes.account_save}
_DELETABLE = {
    "people": writes.person_delete,
    "accounts": writes.account_delete,
    "cadence_memberships": cadences.membership_remove,
}


class SandboxApp:
    def __init__(self, config: SandboxConfig, store: Store) -> None:
        self.config, self.store = config, store
        self.clock = Clock()
        self.oauth = OAuthServer(config, store)
        self.limiter = RateLimiter(config.rate_limit_per_minute, config.rate_limit)
        self.faults = Faults(config.shape.seed)
        self.stats = Stats()
        self.control = Control(self)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        drop = False
        try:
            if request.path.startswith("/v2/"):
                response, drop = self._api(request)
            elif request.path.startswith("/oauth/"):
                response = self._oauth(request)
            elif request.path.startswith("/_sandbox/"):
                response = self.control.handle(request)
            elif request.path == "/":
                response = json_response(200, {"service": "Salesloft sandbox", "api": "/v2"})
            else:
                raise not_found()
        except HttpError as exc:
            response = exc.response
        except Exception:  # an unexpected bug answers like Salesloft's 500, and is logged
            log.exception("sandbox error on %s %s", request.method, request.path)
            response = json_response(500, {"status": 500, "error": "Internal Server Error"})
        start_response(response.status_line, response.wsgi_headers())
        body = response.body
        if isinstance(body, bytes):
            return _dropped(body) if drop else [body]
        return body

    def _oauth(self, request: Request) -> Response:
        if request.path.rstrip("/") == "/oauth/authorize":
            return self.oauth.authorize(request)
        if request.path.rstrip("/") == "/oauth/token":
            return self.oauth.token(request)
        raise not_found()

    def _api(self, request: Request) -> tuple[Response, bool]:
        fault = self.faults.draw()
        if fault.delay:
            time.sleep(fault.delay)
        if fault.status:
            payload = {"status": fault.status, "error": "Injected fault"}
            response = json_response(fault.status, payload, self.limiter.peek().headers())
            self.stats.record(request.method, request.path, fault.status, 0)
            return response, False
        token = request.bearer()
        principal = self.oauth.principal(token) if token else None
        if principal is None:
            payload = BAD_TOKEN if token else NO_TOKEN
            headers = (
                {"WWW-Authenticate": 'Bearer realm="Salesloft", error="invalid_token"'}
                if token
                else {}
            )
            response = json_response(401, payload, {**headers, **self.limiter.peek().headers()})
            self.stats.record(request.method, request.path, 401, 0)
            return response, False
        charge = self.limiter.charge(page_cost(request.arg("page")))
        if not charge.allowed:
            headers = {**charge.headers(), "Retry-After": str(charge.retry_after)}
            response = json_response(429, {"error": "API rate limit exceeded"}, headers)
        else:
            try:
                response = self._route(request, principal)
            except HttpError as exc:
                response = exc.response
            response.headers.update(charge.headers())
        self.stats.record(
            request.method, request.path, response.status, charge.cost if charge.allowed else 0
        )
        return response, fault.drop

    def _route(self, request: Request, principal: Principal) -> Response:
        match = _ROUTE.match(request.path)
        if not match:
            raise not_found()
        name, record_id, method = match["collection"], match["id"], request.method
        if name in ("me", "team") and record_id is None and method == "GET":
            self._require(principal, "team:read")
            return reads.me(self.store, principal.user_id) if name == "me" else reads.team()
        if name == "cadence_imports" and record_id is None and method == "POST":
            self._require(principal, "cadences:write")
            result = cadences.cadence_import(
                self.store, self.clock, request.data(), principal.user_id
            )
            return json_response(200, {"data": result})
        if name == "cadence_exports" and record_id is not None and method == "GET":
            self._require(principal, "cadences:read")
            return json_response(
                200, {"data": cadences.cadence_export(self.store, reads.parse_id(record_id))}
            )
        resource = RESOURCES.get(name)
        if resource is None:
            raise not_found()
        return self._collection(request, principal, resource, record_id)

    def _collection(
        self, request: Request, principal: Principal, resource: Resource, record_id: str | None
    ) -> Response:
        method, name = request.method, resource.name
        action = {"GET": "read", "POST": "write", "PUT": "write", "DELETE": "delete"}.get(
            method, ""
        )
        self._require(principal, f"{resource.scope}:{action}")
        if method == "GET":
            if record_id is None:
                return reads.list_records(
                    self.store, resource, request.query, self.config.bad_timestamp_status
                )
            return reads.get_record(self.store, resource, record_id)
        if method == "POST" and record_id is None and name in _WRITABLE:
            return _data(_WRITABLE[name](self.store, self.clock, request.data()))
        if method == "POST" and record_id is None and name == "cadence_memberships":
            params = {**dict(request.query), **request.data()}
            return _data(cadences.membership_add(self.store, self.clock, params, principal.user_id))
        if method == "PUT" and record_id is not None and name in _WRITABLE:
            return _data(
                _WRITABLE[name](self.store, self.clock, request.data(), reads.parse_id(record_id))
            )
        if method == "DELETE" and record_id is not None and name in _DELETABLE:
            _DELETABLE[name](self.store, self.clock, reads.parse_id(record_id))
            return Response(204, b"", {}, "")
        raise not_found()  # Salesloft answers unknown routes/methods with 404

    @staticmethod
    def _require(principal: Principal, scope: str) -> None:
        if scope not in principal.scopes:
            raise HttpError(403, {"error": f"Missing required scope: {scope}"})


def _data(record: dict[str, Any]) -> Response:
    return Response(200, data_body(orjson.dumps(record).decode()))


def _dropped(body: bytes) -> Iterator[bytes]:
    """Send half the body, then fail: waitress closes the connection mid-body, which the
    client sees as a truncated response (Content-Length promised more)."""
    yield body[: len(body) // 2]
    raise ConnectionAbortedError("sandbox fault: connection dropped mid-body")
