"""Salesloft's transport: one call to `/v2` with token, refresh and rate budget applied.

`Transport.send()` is the single path to `/v2`: it reserves the call's cost from the
team's shared budget, sends it through `connectors.http`, folds the rate headers back in,
waits out a 429 that happens anyway (until the window resets), and on a 401 refreshes the
token once and repeats the call. `list_page()` is one page of a collection with the cost
Salesloft charged. Everything above it (paging, reads, writes) takes a `Transport`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from connectors.base import TokenSource
from connectors.exceptions import AuthRevoked
from connectors.http import HttpClient, HttpResponse, default_client, raise_for_status
from connectors.ratelimit import Priority, RateBudget, header_int

COST_HEADER = "x-ratelimit-endpoint-cost"
REMAINING_HEADER = "x-ratelimit-remaining-minute"
# Salesloft's deep-paging surcharge (docs/salesloft-api.md §10): (first page of a band, cost).
PAGE_COSTS = ((501, 30), (251, 10), (151, 8), (101, 3), (1, 1))


def page_cost(page: Any) -> int:
    try:
        number = int(page) if page is not None else 1
    except (TypeError, ValueError):
        number = 1
    return next(cost for first, cost in PAGE_COSTS if number >= first)


class Transport:
    def __init__(
        self,
        *,
        api_base_url: str,
        tokens: TokenSource,
        budget: RateBudget,
        budget_key: str,
        http: HttpClient | None = None,
        priority: Priority = Priority.SYNC,
        on_wait: Callable[[float], None] | None = None,
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
