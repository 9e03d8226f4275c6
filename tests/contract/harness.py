"""Calling one operation the catalog's way, and collecting what the spec says is wrong."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.test import Client

from tests.contract.catalog import CATALOG, PATH_VALUES, SETUPS, UNKNOWN_ID, Call
from tests.contract.specs import (
    Exchange,
    Operation,
    body_excerpt,
    request_errors,
    response_errors,
    unrouted_reason,
)

CUSTOMER_HEADERS = ("x-customer-id", "x-provider-name")


class SetupFailed(Exception):
    pass


class Ids(dict):
    """Template values; a missing one shows as such in the request instead of raising."""

    def __missing__(self, key: str) -> str:
        return f"<no {key}>"


@dataclass
class World:
    """What every test starts from: a synced sandbox, an API key and the ids of real rows."""

    sandbox: Any  # salesloft_sandbox.testing.RunningSandbox
    raw_key: str
    ids: dict[str, str]


class Context:
    """One test's view of the world: its client, its ids (the world's plus its own)."""

    def __init__(self, world: World) -> None:
        self.world = world
        # Errors come back as responses (a 500 is a finding, not a crash of the suite).
        self.client = Client(raise_request_exception=False)
        self.ids = Ids(world.ids)
        self.fresh()

    def fresh(self) -> None:
        self.ids["unique"] = uuid.uuid4().hex[:10]

    def fill(self, value: Any) -> Any:
        if isinstance(value, str):
            return value.format_map(self.ids)
        if isinstance(value, Mapping):
            return {key: self.fill(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.fill(item) for item in value]
        return value

    def headers(self, *, key: bool, customer: bool) -> dict[str, str]:
        headers = {"x-api-key": self.world.raw_key} if key else {}
        if customer:
            headers |= {"x-customer-id": self.ids["customer"], "x-provider-name": "salesloft"}
        return headers

    def request(
        self, method: str, url: str, *, query: dict, headers: dict, body: Any
    ) -> tuple[bytes | None, Any]:
        data = None if body is None else json.dumps(body).encode()
        response = self.client.generic(
            method.upper(),
            url,
            data=data or b"",
            content_type="application/json",
            headers=headers,
            query_params=query or None,
        )
        return data, response

    def send(
        self,
        operation: Operation,
        *,
        path_values: dict[str, str],
        query: dict[str, str],
        body: Any,
        key: bool = True,
    ) -> Exchange:
        headers = self.headers(
            key=key, customer=any(h in operation.header_params for h in CUSTOMER_HEADERS)
        )
        url = operation.url(path_values)
        data, response = self.request(
            operation.method, url, query=query, headers=headers, body=body
        )
        exchange = Exchange(
            operation=operation,
            path_values=path_values,
            query=query,
            headers=headers,
            body=data,
            status=response.status_code,
            response_body=response.content,
            content_type=response.get("Content-Type", ""),
        )
        exc_info = getattr(response, "exc_info", None)
        if exc_info:
            exchange.response_body += f"  [raised {exc_info[1]!r}]".encode()
        return exchange

    # --- for the setups ---

    def setup_call(
        self, method: str, path: str, body: Any = None, *, customer_headers: bool = False
    ) -> Any:
        """Call the API on behalf of a setup; anything but a 2xx fails the setup."""
        self.fresh()
        url, body = self.fill(path), self.fill(body)
        headers = self.headers(key=True, customer=customer_headers)
        _, response = self.request(method, url, query={}, headers=headers, body=body)
        if not 200 <= response.status_code < 300:
            raise SetupFailed(
                f"{method.upper()} {url} answered {response.status_code}: "
                f"{body_excerpt(response.content)}"
            )
        return response.json() if response.content else None

    def connect_by_api_key(self, *, customer_id: str) -> None:
        from tests.connectors.conftest import api_key_connection

        api_key_connection(self.world.sandbox, customer_id=customer_id)

    def delete_provider_connections(self) -> None:
        from connectors.models import Connection

        Connection.objects.filter(provider__name="salesloft").delete()


def unknown_param(operation: Operation, call: Call) -> str | None:
    if call.unknown:
        return call.unknown
    ids = [name for name in operation.path_params if name != "provider_name"]
    return ids[-1] if ids else None


def refusal_allowed(operation: Operation, status: int) -> bool:
    """A documented 4xx the issue accepts where Salesloft has nothing to serve: one the
    operation lists, or a 400/422 where its description says Salesloft cannot do it."""
    if operation.unsupported_by_salesloft and status in (400, 422):
        return True
    if status == 404 and not operation.path_params:
        return False  # a collection is never "not found"
    return status in operation.declared and status in (400, 404, 409, 422)


def check_operation(operation: Operation, ctx: Context) -> list[str]:
    """Every way `operation` breaks its spec, one line each (empty: it conforms)."""
    reason = unrouted_reason(operation)
    if reason:
        return [f"not routed: {reason}"]
    call = CATALOG[operation.operation_id]
    # The valid call's problems are listed first: they are the ones specific to it.
    problems: list[str] = []
    error_cases: list[str] = []
    for name in call.setup:
        try:
            ctx.ids.update(SETUPS[name](ctx))
        except (SetupFailed, KeyError, TypeError, ValueError) as exc:
            problems.append(f"setup {name} failed: {exc!r}"[:300])
            break
    ctx.fresh()
    values = {
        name: ctx.fill(call.path.get(name, PATH_VALUES[name])) for name in operation.path_params
    }
    query, body = ctx.fill(call.query), ctx.fill(call.body)

    def expect(label: str, exchange: Exchange, status: int, found: list[str]) -> None:
        if exchange.status != status:
            found.append(
                f"{label}: expected {status}, got {exchange.status}: "
                f"{body_excerpt(exchange.response_body)}"
            )
            return
        found.extend(f"{label} ({status}): {e}" for e in response_errors(exchange))

    # The error cases first: a valid delete removes what they name.
    no_key = ctx.send(operation, path_values=values, query=query, body=body, key=False)
    expect("no key", no_key, 401, error_cases)
    unknown = unknown_param(operation, call)
    if unknown:
        missing = {**values, unknown: UNKNOWN_ID}
        expect(
            f"unknown {unknown}",
            ctx.send(operation, path_values=missing, query=query, body=body),
            404,
            error_cases,
        )
    if call.bad is not None:
        bad_body = body if call.bad.body is None else ctx.fill(call.bad.body)
        bad = ctx.send(operation, path_values=values, query=ctx.fill(call.bad.query), body=bad_body)
        if not request_errors(bad):
            error_cases.append("catalog: the 400 case is valid per the spec; make it wrong")
        expect("refused input", bad, 400, error_cases)

    valid = ctx.send(operation, path_values=values, query=query, body=body)
    if not call.outside_spec:
        request_problems = request_errors(valid)
        if request_problems:
            problems.append(f"catalog: the valid request breaks the spec: {request_problems[0]}")
    if call.may_refuse and refusal_allowed(operation, valid.status):
        expect("valid request (refused)", valid, valid.status, problems)
    else:
        expect("valid request", valid, operation.success, problems)
    return problems + error_cases


def report(operation: Operation, problems: list[str]) -> str:
    lines = [f"{operation}: {len(problems)} violation(s); first: {problems[0]}"]
    lines += [f"  - {problem}" for problem in problems]
    return "\n".join(lines)
