"""The Salesloft API client: one call with token, refresh and rate budget applied.

`SalesloftClient.send()` is the single path to `/v2`: it reserves the call's cost from
the team's shared budget, sends it through `connectors.http`, folds the rate headers back
in, waits out a 429 that happens anyway (until the window resets), and on a 401 refreshes
the token once and repeats the call. Paging, streams and record operations live in
`paging.py`, `streams.py` and `records.py`; this class also exposes them, as the provider
contract `connectors.services` calls (`stream_pages`, `fetch`, `create`, …).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol

from connectors.base import Page, RemoteIdentity
from connectors.exceptions import AuthRevoked, RateLimited
from connectors.http import HttpClient, HttpResponse, default_client, raise_for_status
from connectors.ratelimit import OnWait, Priority, RateBudget, header_int

COST_HEADER = "x-ratelimit-endpoint-cost"
REMAINING_HEADER = "x-ratelimit-remaining-minute"
# Salesloft's deep-paging surcharge (salesloft-api.md §9): (first page of the band, cost).
PAGE_COSTS = ((501, 30), (251, 10), (151, 8), (101, 3), (1, 1))


def page_cost(page: Any) -> int:
    try:
        number = int(page) if page is not None else 1
    except (TypeError, ValueError):
        number = 1
    return next(cost for first, cost in PAGE_COSTS if number >= first)


class TokenSource(Protocol):
    """Where the client gets its bearer token (connectors.services implements it)."""

    def token(self) -> str: ...

    def refresh(self, *, stale: str) -> str:
        """A new token after `stale` was refused; raises AuthRevoked if there is none."""
        ...

    def revoked(self, *, reason: str) -> None:
        """The credentials are dead: mark the connection for re-authorisation."""
        ...


class SalesloftClient:
    def __init__(
        self,
        *,
        api_base_url: str,
        tokens: TokenSource,
        budget: RateBudget,
        budget_key: str,
        http: HttpClient | None = None,
        priority: Priority = Priority.SYNC,
        on_wait: OnWait | None = None,
        max_rate_retries: int = 5,
    ) -> None:
        self.api_base_url = api_base_url.rstrip("/")
        self.tokens = tokens
        self.budget = budget
        self.budget_key = budget_key
        self.http = http or default_client()
        self.priority = priority
        self.on_wait = on_wait
        self.max_rate_retries = max_rate_retries

    def url(self, path: str) -> str:
        return f"{self.api_base_url}/{path.lstrip('/')}"

    def send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        priority: Priority | None = None,
        raise_errors: bool = True,
    ) -> HttpResponse:
        """One API call. Raises the typed errors of `connectors.exceptions`; with
        `raise_errors=False` other error answers are returned as they came."""
        priority = priority or self.priority
        page = dict(params).get("page") if isinstance(params, Mapping) else None
        expected_cost = page_cost(page)
        refreshed = False
        rate_limited = 0
        while True:
            token = self.tokens.token()
            ticket = self.budget.acquire(
                self.budget_key, cost=expected_cost, priority=priority, on_wait=self.on_wait
            )
            response = self.http.request(
                method,
                self.url(path),
                headers={
                    **(headers or {}),
                    "Authorization": f"Bearer {token}",
                    "Accept": "application/json",
                },
                params=params,
                json=json,
                raise_errors=False,
            )
            self.budget.record(
                ticket,
                remaining=header_int(response.headers, REMAINING_HEADER),
                cost=header_int(response.headers, COST_HEADER),
            )
            if response.status == 429:
                rate_limited += 1
                retry_after = response.headers.get("retry-after")
                self.budget.exhausted(
                    self.budget_key, retry_after=float(retry_after) if retry_after else None
                )
                if rate_limited > self.max_rate_retries:
                    raise_for_status(response)
                continue  # the next acquire() waits for the window to reset
            if response.status == 401:
                if refreshed:
                    self.tokens.revoked(reason="The provider refused a freshly refreshed token.")
                    raise AuthRevoked(
                        "The provider refused the connection's credentials.",
                        status=401,
                        body=response.body,
                    )
                refreshed = True
                self.tokens.refresh(stale=token)
                continue
            if raise_errors:
                raise_for_status(response)
            return response

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.send("GET", path, params=params).body

    def list_page(self, path: str, params: Mapping[str, Any]) -> tuple[list[dict], dict, int]:
        """One list call → (records, metadata.paging or {}, cost charged)."""
        response = self.send("GET", path, params=params)
        body = response.body if isinstance(response.body, Mapping) else {}
        cost = header_int(response.headers, COST_HEADER) or page_cost(params.get("page"))
        return (
            list(body.get("data") or []),
            dict(body.get("metadata", {}).get("paging") or {}),
            cost,
        )

    # -- the provider contract used by connectors.services --------------------------------
    def identify(self) -> RemoteIdentity:
        """The team (the rate budget's scope) and user the credentials belong to."""
        me = self.get("/me")["data"] or {}
        team = me.get("team") or {}
        if team.get("id") is None:
            team = self.get("/team")["data"]
        user_id = me.get("id")
        return RemoteIdentity(str(team["id"]), "" if user_id is None else str(user_id))

    def stream_pages(self, object_name: str, since: Any) -> Iterator[Page]:
        from connectors.salesloft.streams import stream_of, stream_pages

        stream_of(object_name)  # an unknown name fails now, not at the first page
        return stream_pages(self, object_name, since=since)

    def fetch(self, object_name: str, remote_id: str) -> dict[str, Any]:
        from connectors.salesloft import records

        return records.record_fetch(self, object_name, remote_id)

    def create(self, object_name: str, record: Mapping[str, Any]) -> dict[str, Any]:
        from connectors.salesloft import records

        return records.record_create(self, object_name, record)

    def update(self, object_name: str, remote_id: str, record: Mapping[str, Any]) -> dict:
        from connectors.salesloft import records

        return records.record_update(self, object_name, remote_id, record)

    def delete(self, object_name: str, remote_id: str) -> None:
        from connectors.salesloft import records

        records.record_delete(self, object_name, remote_id)

    def sequence_steps(self, sequence_id: str) -> list[dict[str, Any]]:
        from connectors.salesloft import records

        return records.sequence_steps_fetch(self, sequence_id)


def make_client(**kwargs: Any) -> SalesloftClient:
    """The provider contract's constructor (`ProviderSpec.client_factory`)."""
    return SalesloftClient(**kwargs)


__all__ = ["RateLimited", "SalesloftClient", "TokenSource", "make_client", "page_cost"]
