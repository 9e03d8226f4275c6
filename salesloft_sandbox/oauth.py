"""The OAuth 2.0 server Salesloft runs at accounts.salesloft.com (docs/salesloft-api.md
§2).

Authorization codes, access and refresh tokens live in the store's `oauth_tokens`
table, so connections survive a sandbox restart. Refresh tokens rotate: using one marks
it spent, and presenting it again answers 400 invalid_grant.

With several teams (teams.py) each team keeps its own tokens (OAuthServer, one per
team); OAuthFront is the shared accounts server: its consent page lets the person
approve as any user of any team, and the code lands in that user's team.
"""

from __future__ import annotations

import html
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import orjson

from .config import SandboxConfig
from .http import HttpError, Request, Response, json_response
from .resources import RESOURCES
from .store import Store
from .teams import Team
from .timestamps import WallClock

CODE_LIFETIME = 600
FULL_SCOPE = " ".join(
    f"{resource}:{action}"
    for resource in ("accounts", "people", "cadences", "emails", "team")
    for action in ("read", "write", "delete")
)
INVALID_GRANT = {
    "error": "invalid_grant",
    "error_description": "The provided authorization grant is invalid, expired, revoked, does not "
    "match the redirection URI used in the authorization request, or was issued to another client.",
}


@dataclass(frozen=True)
class Principal:
    """Who a bearer token speaks for."""

    user_id: int
    scopes: frozenset[str]


class OAuthServer:
    """One team's side of OAuth: its tokens live in its own store."""

    def __init__(
        self, config: SandboxConfig, store: Store, team: Team, wall: WallClock | None = None
    ) -> None:
        self.config, self.store, self.team = config, store, team
        self.wall = wall or WallClock()

    # -- bearer tokens on /v2 -------------------------------------------------------
    def principal(self, token: str) -> Principal | None:
        if secrets.compare_digest(token, self.team.api_key):
            return Principal(self.team.admin_user_id, frozenset(FULL_SCOPE.split()))
        row = (
            self.store.connection()
            .execute(
                "SELECT user_id, scope, expires_at FROM oauth_tokens"
                " WHERE token = ? AND kind = 'access'",
                (token,),
            )
            .fetchone()
        )
        if row is None or row[2] <= self.wall.time():
            return None
        return Principal(row[0], frozenset((row[1] or FULL_SCOPE).split()))

    def knows(self, token: str) -> bool:
        """Whether this team issued `token` (its API key or an access token, even expired)."""
        if secrets.compare_digest(token, self.team.api_key):
            return True
        sql = "SELECT 1 FROM oauth_tokens WHERE token = ? AND kind = 'access'"
        return self.store.connection().execute(sql, (token,)).fetchone() is not None

    def expire_all(self) -> int:
        sql = "UPDATE oauth_tokens SET expires_at = ? WHERE kind = 'access' AND expires_at > ?"
        now = self.wall.time()
        with self.store.write_lock:
            return self.store.connection().execute(sql, (now - 1, now)).rowcount

    # -- users who may approve -------------------------------------------------------
    def users(self) -> list[tuple[int, str, str]]:
        """(id, name, email) of the team's active users, in id order."""
        rows = self.store.connection().execute("SELECT body FROM users ORDER BY id")
        users = (orjson.loads(row[0]) for row in rows)
        return [(u["id"], u["name"], u["email"]) for u in users if u.get("active", True)]

    def has_user(self, user_id: int) -> bool:
        user = self.store.record(RESOURCES["users"], user_id)
        return user is not None and user.get("active", True)

    # -- grants ------------------------------------------------------------------------
    def grant_code(self, user_id: int, scope: str, redirect_uri: str) -> str:
        code = "sl_code_" + secrets.token_hex(16)
        with self.store.write_lock:
            self._insert(code, "code", user_id, scope, CODE_LIFETIME, redirect_uri)
        return code

    def exchange(self, kind: str, grant: str, redirect_uri: Any = None) -> Response | None:
        """Spend a code or refresh token of this team and issue tokens for its user;
        None when this team never issued it (or it is used, expired or mismatched)."""
        with self.store.write_lock:
            row = self._spend(grant, kind)
            if row is None:
                return None
            if kind == "code" and row["redirect_uri"] != redirect_uri:
                raise HttpError(400, INVALID_GRANT)
            return self.issue(row["user_id"], row["scope"], refresh=True)

    def issue(self, user_id: int, scope: str, refresh: bool) -> Response:
        lifetime = self.config.token_lifetime
        payload: dict[str, Any] = {
            "access_token": "sl_at_" + secrets.token_hex(24),
            "token_type": "bearer",
            "expires_in": lifetime,
            "scope": scope,
            "created_at": int(self.wall.time()),
        }
        with self.store.write_lock:
            self._insert(payload["access_token"], "access", user_id, scope, lifetime)
            if refresh:
                payload["refresh_token"] = "sl_rt_" + secrets.token_hex(24)
                self._insert(payload["refresh_token"], "refresh", user_id, scope, None)
        return json_response(200, payload, {"Cache-Control": "no-store"})

    def _insert(
        self,
        token: str,
        kind: str,
        user_id: int,
        scope: str,
        lifetime: int | None,
        redirect_uri: str | None = None,
    ) -> None:
        expires = self.wall.time() + lifetime if lifetime is not None else None
        self.store.connection().execute(
            "INSERT INTO oauth_tokens"
            " (token, kind, client_id, user_id, scope, redirect_uri, expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (token, kind, self.config.client_id, user_id, scope, redirect_uri, expires),
        )

    def _spend(self, token: str, kind: str) -> dict[str, Any] | None:
        """Mark a single-use grant used; None if unknown, used or expired."""
        conn = self.store.connection()
        row = conn.execute(
            "SELECT user_id, scope, redirect_uri, expires_at, used FROM oauth_tokens"
            " WHERE token = ? AND kind = ?",
            (token, kind),
        ).fetchone()
        if row is None or row[4] or (row[3] is not None and row[3] <= self.wall.time()):
            return None
        conn.execute("UPDATE oauth_tokens SET used = 1 WHERE token = ?", (token,))
        return {"user_id": row[0], "scope": row[1], "redirect_uri": row[2]}


class OAuthFront:
    """accounts.salesloft.com for every team: one registered application (client id and
    secret), a consent page listing the users of all teams, and a token endpoint that
    redeems a code or refresh token at whichever team issued it."""

    def __init__(self, config: SandboxConfig, servers: list[OAuthServer]) -> None:
        self.config, self.servers = config, servers

    # -- /oauth/authorize ------------------------------------------------------------
    def authorize(self, request: Request) -> Response:
        params = dict(request.query)
        if request.method == "POST":
            params.update({k: v for k, v in request.data().items() if isinstance(v, str)})
        if params.get("client_id") != self.config.client_id:
            return _page(400, "<p>Unknown client_id.</p>")
        redirect_uri = params.get("redirect_uri") or ""
        if not redirect_uri.startswith(("http://", "https://")):
            return _page(400, "<p>A valid redirect_uri is required.</p>")
        state = params.get("state", "")
        if params.get("response_type", "code") != "code":
            return _redirect(redirect_uri, {"error": "unsupported_response_type", "state": state})
        decision = params.get("decision")
        if decision is None and not self.config.auto_approve:
            return _consent_page(params, self._choices())
        if decision == "deny":
            return _redirect(redirect_uri, {"error": "access_denied", "state": state})
        # Without `user_id` (older forms, --auto-approve) the approver is team 1's admin.
        approver = self._approver(params.get("user_id"))
        if approver is None:
            return _page(400, "<p>Unknown user_id.</p>")
        server, user_id = approver
        scope = params.get("scope") or FULL_SCOPE
        code = server.grant_code(user_id, scope, redirect_uri)
        # `context` is documented but its value is not; the caller's user path is a
        # plausible stand-in [unverified].
        query = {"code": code, "context": f"/v2/users/{user_id}", "scope": scope, "state": state}
        return _redirect(redirect_uri, query)

    def _approver(self, user_id: str | None) -> tuple[OAuthServer, int] | None:
        first = self.servers[0]
        if not user_id:
            return first, first.team.admin_user_id
        if not user_id.isdigit():
            return None
        return next(
            ((server, int(user_id)) for server in self.servers if server.has_user(int(user_id))),
            None,
        )

    def _choices(self) -> list[tuple[int, str]]:
        return [
            (user_id, f"Team {server.team.number} · {name} <{email}>")
            for server in self.servers
            for user_id, name, email in server.users()
        ]

    # -- /oauth/token ----------------------------------------------------------------
    def token(self, request: Request) -> Response:
        if request.method != "POST":
            raise HttpError(405, {"error": "method_not_allowed"})
        body = request.data()
        client_id, client_secret = request.basic_auth() or (
            body.get("client_id"),
            body.get("client_secret"),
        )
        if client_id != self.config.client_id or client_secret != self.config.client_secret:
            raise HttpError(
                401,
                {"error": "invalid_client", "error_description": "Client authentication failed"},
            )
        grant = body.get("grant_type")
        if grant in ("authorization_code", "refresh_token"):
            kind, field = (
                ("code", "code") if grant == "authorization_code" else ("refresh", "refresh_token")
            )
            value = str(body.get(field) or "")
            for server in self.servers:
                issued = server.exchange(kind, value, body.get("redirect_uri"))
                if issued is not None:
                    return issued
            raise HttpError(400, INVALID_GRANT)
        if grant == "client_credentials":
            # The application belongs to team 1, so it acts as team 1's admin.
            first = self.servers[0]
            scope = str(body.get("scope") or FULL_SCOPE)
            return first.issue(first.team.admin_user_id, scope, refresh=False)
        raise HttpError(
            400,
            {
                "error": "unsupported_grant_type",
                "error_description": "The authorization grant type is not supported.",
            },
        )


def _redirect(uri: str, params: dict[str, str]) -> Response:
    separator = "&" if "?" in uri else "?"
    return Response(302, b"", {"Location": uri + separator + urlencode(params)}, "text/plain")


def _page(status: int, inner: str) -> Response:
    head = "<!doctype html><html><head><title>Salesloft sandbox</title></head>"
    text = f"{head}<body>{inner}</body></html>"
    return Response(status, text.encode(), {}, "text/html; charset=utf-8")


def _consent_page(params: dict[str, str], choices: list[tuple[int, str]]) -> Response:
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in params.items()
        if k in ("client_id", "redirect_uri", "response_type", "state", "scope")
    )
    scope = html.escape(params.get("scope") or FULL_SCOPE)
    return _page(
        200,
        (
            "<h1>Authorize application</h1>"
            "<p>An application wants to access the Salesloft sandbox team"
            f" with scope: <code>{scope}</code>.</p>"
            f'<form method="post" action="/oauth/authorize">{hidden}'
            f"{_user_select(choices)}"
            '<button type="submit" name="decision" value="approve">Approve</button> '
            '<button type="submit" name="decision" value="deny">Deny</button></form>'
        ),
    )


def _user_select(choices: list[tuple[int, str]]) -> str:
    """Who approves: any user of any team; the first (team 1's admin) is preselected."""
    options = "".join(
        f'<option value="{user_id}"{" selected" if n == 0 else ""}>{html.escape(label)}</option>'
        for n, (user_id, label) in enumerate(choices)
    )
    return (
        '<p><label for="user_id">Approve as</label> '
        f'<select id="user_id" name="user_id">{options}</select></p>'
    )
