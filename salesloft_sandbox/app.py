"""The sandbox's WSGI application: routing to a team (TeamsApp), plus the pipeline every
/v2 call goes through in its team (faults → bearer auth → scope → rate limit → handler →
headers → stats)."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from . import cadences, reads, writes
from .config import SandboxConfig
from .control import Control
from .faults import Faults
from .http import HttpError, Request, Response, json_response, not_found
from .oauth import OAuthFront, OAuthServer, Principal
from .ratelimit import RateLimiter, page_cost
from .render import data_body
from .resources import RESOURCES, Resource
from .stats import Stats
from .store import Store
from .teams import Team, team_of
from .timestamps import Clock, WallClock
from .webhooks import Webhooks

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
    """One Salesloft team: its store, OAuth tokens, rate budget, faults and stats."""

    def __init__(
        self,
        config: SandboxConfig,
        store: Store,
        team: Team | None = None,
        wall: WallClock | None = None,
    ) -> None:
        self.config, self.store = config, store
        self.team = team or team_of(config, 1)
        self.wall = wall or WallClock()  # the sandbox's time, shared by its teams
        self.clock = Clock(self.wall)
        self.oauth = OAuthServer(config, store, self.team, self.wall)
        self.limiter = RateLimiter(
            config.rate_limit_per_minute, config.rate_limit, clock=self.wall.time
        )
        self.faults = Faults(self.team.shape.seed)
        self.webhooks = Webhooks(
            store,
            self.team.shape.seed,
            config.webhook_retry_seconds,
            config.webhook_timeout_seconds,
        )
        self.stats = Stats()
        self.control = Control(self)

    def api(self, request: Request) -> tuple[Response, bool]:
        fault = self.faults.draw()
        if fault.delay:
            self.faults.stall(fault.delay)
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
            if name == "me":
                return reads.me(self.store, principal.user_id)
            return reads.team(self.team.team_id, self.team.name)
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
        if name == "webhook_subscriptions":
            return self.webhooks.handle(request, principal.scopes, record_id)
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


class TeamsApp:
    """The WSGI application: sends each /v2 call to the team its Bearer credential
    belongs to (an unknown one to team 1, which answers 401 as before), OAuth to the
    shared accounts server, and /_sandbox/ control calls to the team they name."""

    def __init__(self, config: SandboxConfig, apps: list[SandboxApp]) -> None:
        self.config, self.apps = config, apps
        self.oauth = OAuthFront(config, [app.oauth for app in apps])

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        drop = False
        try:
            if request.path.startswith("/v2/"):
                response, drop = self._team_of_token(request.bearer()).api(request)
            elif request.path.startswith("/oauth/"):
                response = self._oauth(request)
            elif request.path.startswith("/_sandbox/"):
                response = self._control(request)
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

    def _team_of_token(self, token: str | None) -> SandboxApp:
        if token and len(self.apps) > 1:
            for app in self.apps:
                if app.oauth.knows(token):
                    return app
        return self.apps[0]

    def _oauth(self, request: Request) -> Response:
        if request.path.rstrip("/") == "/oauth/authorize":
            return self.oauth.authorize(request)
        if request.path.rstrip("/") == "/oauth/token":
            return self.oauth.token(request)
        raise not_found()

    def _control(self, request: Request) -> Response:
        """Guarded by an API key: a team's key acts on its own team; `?team=N` picks a
        team explicitly, which team 1's key (the operator's) may do for any team."""
        token = request.bearer() or ""
        owner = next(
            (app for app in self.apps if secrets.compare_digest(token, app.team.api_key)), None
        )
        if owner is None:
            raise HttpError(
                401, {"error": "The sandbox control endpoints need the API key as Bearer token"}
            )
        wanted = request.arg("team")
        if wanted is None:
            return owner.control.handle(request)
        if not wanted.isdigit() or not 1 <= int(wanted) <= len(self.apps):
            raise HttpError(
                400, {"status": 400, "error": f"team must be between 1 and {len(self.apps)}"}
            )
        target = self.apps[int(wanted) - 1]
        if owner is not target and owner is not self.apps[0]:
            raise HttpError(403, {"error": "This API key may act on its own team only"})
        return target.control.handle(request)


def _data(record: dict[str, Any]) -> Response:
    return Response(200, data_body(orjson.dumps(record).decode()))


def _dropped(body: bytes) -> Iterator[bytes]:
    """Send half the body, then fail: waitress closes the connection mid-body, which the
    client sees as a truncated response (Content-Length promised more)."""
    yield body[: len(body) // 2]
    raise ConnectionAbortedError("sandbox fault: connection dropped mid-body")
