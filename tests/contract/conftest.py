"""The synced world the contract suite calls: a small sandbox, Salesloft pointed at it, a
customer connected by API key, one full sync of every object, and an API key.

It is built once per module inside a transaction that is rolled back at the end, and each
test runs in a savepoint of it (pytest-django's `db`), so tests see the world and never
each other's writes.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction
from django.test import override_settings

from tests.contract.harness import Context, World

CUSTOMER_ID = "contract-acme"
# Operation id -> its one-line problems, for the summary at the end of the run.
FINDINGS: dict[str, str] = {}


def _first(model, **filters) -> object:
    row = model.objects.filter(is_deleted=False, **filters).order_by("remote_id").first()
    assert row is not None, f"the synced world has no {model.__name__} matching {filters}"
    return row


def _build(sandbox) -> World:
    from connectors.services import connection_create_with_api_key, customer_upsert
    from portal.services import api_key_create
    from syncs.engine import run_sync
    from syncs.models import Account, Contact, Mailbox, Sequence, SequenceState, Sync, User
    from syncs.services import sync_config_save
    from tests.connectors.conftest import sandbox_provider_saved

    provider = sandbox_provider_saved(sandbox)
    config = sync_config_save(provider=provider)
    customer = customer_upsert(customer_id=CUSTOMER_ID, name="Acme", email="ops@acme.example")
    connection = connection_create_with_api_key(
        customer=customer, provider=provider, api_key=sandbox.api_key
    )
    syncs = Sync.objects.select_related("connection__customer", "connection__provider").filter(
        connection=connection
    )
    for sync in syncs:
        run = run_sync(sync, mode="full", read_ahead=False)
        assert run.status == "success", f"syncing {sync.object_name}: {run.error_message}"

    account = _first(Account, domain__isnull=False)
    contacts = Contact.objects.filter(is_deleted=False).order_by("remote_id")
    contact = next(c for c in contacts if c.email_addresses)
    sequence = _first(Sequence, is_enabled=True, is_archived=False, num_steps__gt=0)
    state = _first(SequenceState)
    ids = {
        "account": account.remote_id,
        "account_domain": account.domain,
        "contact": contact.remote_id,
        "contact_email": contact.email_addresses[0]["email_address"],
        "user": _first(User).remote_id,
        "mailbox": _first(Mailbox).remote_id,
        "sequence": sequence.remote_id,
        "sequence_state": state.remote_id,
        "state_contact": state.contact_id,
        "customer": CUSTOMER_ID,
        "provider": str(provider.pk),
        "sync_config": str(config.pk),
        "sandbox_api_key": sandbox.api_key,
    }
    return World(sandbox=sandbox, raw_key=api_key_create(name="contract suite")[1], ids=ids)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:
    from connectors import http
    from salesloft_sandbox.testing import run_sandbox

    # As the connectors' tests: the database rate budget, no clock-skew margin, and HTTP
    # retries without their backoff sleeps.
    fast = http.HttpClient(sleep=lambda seconds: None, timeout=(2.0, 10.0))
    saved, http._default = http._default, fast
    try:
        with (
            override_settings(REDIS_URL="", CONNECTOR_RATE_WINDOW_MARGIN=0.0),
            run_sandbox(people=50, rate_limit=False) as sandbox,
            django_db_blocker.unblock(),
            transaction.atomic(),
        ):
            try:
                yield _build(sandbox)
            finally:
                transaction.set_rollback(True)
    finally:
        http._default = saved


@pytest.fixture
def ctx(world, db) -> Context:
    return Context(world)


def pytest_terminal_summary(terminalreporter) -> None:
    if not FINDINGS:
        return
    terminalreporter.section(f"Supaglue contract: {len(FINDINGS)} operation(s) off the spec")
    for operation_id, line in sorted(FINDINGS.items()):
        terminalreporter.write_line(f"{operation_id}: {line}")
