"""Fixtures for the sandbox's fidelity tests: real sandboxes over real HTTP, small data.
No Django database is needed."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from salesloft_sandbox.testing import RunningSandbox, run_sandbox

PEOPLE = 1500  # enough for a 400-person bulk import batch and several pages


@pytest.fixture(scope="package")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    """A shared, read-mostly sandbox (rate limit off). Tests that write use `make_sandbox`."""
    data_dir = tmp_path_factory.mktemp("shared-sandbox")
    with run_sandbox(people=PEOPLE, seed=1, data_dir=data_dir, rate_limit=False) as sb:
        yield sb


@pytest.fixture
def make_sandbox(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., RunningSandbox]]:
    """Start a private sandbox: make_sandbox(people=…, rate_limit=…, token_lifetime=…)."""
    with contextlib.ExitStack() as stack:

        def make(**options: Any) -> RunningSandbox:
            options.setdefault("people", 300)
            options.setdefault("rate_limit", False)
            data_dir = tmp_path_factory.mktemp("sandbox")
            return stack.enter_context(run_sandbox(data_dir=data_dir, **options))

        yield make


def session_for(sb: RunningSandbox, token: str | None = None) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token or sb.api_key}"
    return session


@pytest.fixture(scope="package")
def api(sandbox: RunningSandbox) -> requests.Session:
    return session_for(sandbox)


def get_all(session: requests.Session, url: str, **params: Any) -> list[dict]:
    """Every record of a list endpoint, following next_page."""
    records: list[dict] = []
    page = 1
    while page:
        body = session.get(url, params={**params, "per_page": 100, "page": page}).json()
        records.extend(body["data"])
        page = body["metadata"]["paging"]["next_page"]
    return records
