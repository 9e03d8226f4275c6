"""No secret in plain text anywhere a person or another program could read it: not in the
database (every table, and on SQLite the file itself), not in the logs, not in an admin
page, not in an API response. Checked after a whole life over real HTTP: an OAuth connect
through a connect session, a token refresh, a key rotation, a full sync with faults, a
passthrough call and a failed provider call.

The secrets are every value that can act for the developer or a customer: the OAuth app's
client secret, every access and refresh token the sandbox ever issued, the sandbox API key,
the Glue API key, the connect session's token (shown once, in the answer that issues it),
Django's SECRET_KEY and both field-encryption keys.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection as db
from django.test import Client
from django.utils import timezone

from connectors.models import Connection
from portal.services import api_key_create
from salesloft_sandbox.testing import run_sandbox
from syncs.engine import run_sync
from syncs.models import Sync, SyncConfig
from tests.connectors.conftest import provider_for


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("sandbox")
    with run_sandbox(people=120, data_dir=data_dir, rate_limit=False) as running:
        running.data_dir = Path(data_dir)
        yield running


def _issued_tokens(sandbox) -> set[str]:
    """Every code, access and refresh token the sandbox issued (its own store)."""
    tokens = set()
    for path in sandbox.data_dir.glob("*.sqlite3"):
        with sqlite3.connect(path) as store:
            tables = {r[0] for r in store.execute("SELECT name FROM sqlite_master")}
            if "oauth_tokens" in tables:
                tokens |= {row[0] for row in store.execute("SELECT token FROM oauth_tokens")}
    return tokens


def _database_text(tmp_path: Path) -> str:
    """Every row of every table, as stored; on SQLite also the database file's bytes."""
    parts = []
    with db.cursor() as cursor:
        for table in db.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {db.ops.quote_name(table)}")  # noqa: S608
            parts.append(repr(cursor.fetchall()))
        if db.vendor == "sqlite":
            copy = tmp_path / "copy.sqlite3"
            cursor.execute("VACUUM INTO %s", [str(copy)])
            parts.append(copy.read_bytes().decode("latin-1"))
    return "\n".join(parts)


def _glue_logs(records: list[logging.LogRecord], glue_url: str) -> str:
    """What was logged, less urllib3's lines about this test's own calls to Glue (its
    browser follows the consent page's redirect, code and all, at DEBUG level)."""
    host = glue_url.split("//", 1)[1]
    return "\n".join(
        record.getMessage()
        for record in records
        if not (record.name.startswith("urllib3") and host in record.getMessage())
    )


def _admin_pages(client: Client) -> list[str]:
    """Every registered model's list, and every object's change page (a few of each)."""
    pages = [client.get("/admin/").content.decode()]
    for model in admin.site._registry:
        app, name = model._meta.app_label, model._meta.model_name
        pages.append(client.get(f"/admin/{app}/{name}/").content.decode())
        for pk in model.objects.values_list("pk", flat=True)[:3]:
            pages.append(client.get(f"/admin/{app}/{name}/{pk}/change/").content.decode())
    return pages


@pytest.mark.django_db(transaction=True)
def test_no_secret_is_stored_logged_shown_or_answered_in_plain_text(
    live_server, settings, sandbox, caplog, tmp_path, monkeypatch
):
    from connectors import http

    monkeypatch.setattr(http, "_default", http.HttpClient(sleep=lambda s: None))
    caplog.set_level(logging.DEBUG)
    settings.PUBLIC_URL = live_server.url
    provider = provider_for(sandbox)
    SyncConfig.objects.create(provider=provider, common_objects=["contacts"])
    key, raw_key = api_key_create(name="backend")
    api = {"x-api-key": raw_key, "x-customer-id": "acme", "x-provider-name": "salesloft"}
    answers = []

    # 1. OAuth connect through a connect session (the sandbox auto-approves).
    issued = requests.post(
        f"{live_server.url}/mgmt/v2/connect_sessions",
        json={
            "customer_id": "acme",
            "provider_name": "salesloft",
            "return_url": f"{live_server.url}/done",
        },
        headers=api,
        timeout=10,
    )
    # (this answer is the one place its token is shown, once)
    browser = requests.Session()
    landed = browser.get(issued.json()["connect_url"], timeout=10)
    assert "connected=1" in landed.url
    connection = Connection.objects.get(customer__customer_id="acme")

    # 2. A token refresh (the token is made to look about to expire).
    Connection.objects.filter(pk=connection.pk).update(expires_at=timezone.now())
    me = requests.post(
        f"{live_server.url}/actions/v2/passthrough",
        json={"method": "GET", "path": "/me"},
        headers=api,
        timeout=10,
    )
    assert me.status_code == 200, me.text
    answers.append(me.text)
    connection.refresh_from_db()
    assert connection.last_refreshed_at > connection.created_at

    # 3. A key rotation: a new key first, the old one still readable, everything rewritten.
    old_keys = list(django_settings.FIELD_ENCRYPTION_KEYS)
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *old_keys]
    call_command("rotate_encryption_keys", verbosity=0)

    # 4. A full sync while the sandbox fails a third of its calls (retried).
    sandbox.control.faults(http_500=0.3)
    try:
        run = run_sync(Sync.objects.get(connection=connection, object_name="contacts"), mode="full")
    finally:
        sandbox.control.faults(reset=True)
    assert run.status == "success" and run.fetched == 120, run.error_message

    # 5. A failed provider call: every call fails now, and the API says so.
    sandbox.control.faults(http_500=1.0)
    try:
        failed = requests.post(
            f"{live_server.url}/engagement/v2/accounts",
            json={"record": {"name": "Acme", "domain": "acme.io"}},
            headers=api,
            timeout=30,
        )
    finally:
        sandbox.control.faults(reset=True)
    assert failed.status_code >= 500
    answers.append(failed.text)
    for path in ("/mgmt/v2/customers/acme/connections", "/mgmt/v2/providers", "/api/schema/"):
        answers.append(requests.get(f"{live_server.url}{path}", headers=api, timeout=10).text)

    # Where to look.
    staff = Client()
    staff.force_login(get_user_model().objects.create_superuser("root", "r@example.com", "x"))
    places = {
        "database": _database_text(tmp_path),
        "logs": _glue_logs(caplog.records, live_server.url),
        "admin pages": "\n".join(_admin_pages(staff)),
        "API responses": "\n".join(answers),
    }
    secrets = {
        "client secret": sandbox.client_secret,
        "sandbox API key": sandbox.api_key,
        "Glue API key": raw_key,
        "connect session token": issued.json()["token"],
        "SECRET_KEY": django_settings.SECRET_KEY,
        "new encryption key": new_key,
        **{f"encryption key {i}": k for i, k in enumerate(old_keys)},
        **{f"token {t[:8]}…": t for t in _issued_tokens(sandbox)},
    }
    assert sum(name.startswith("token") for name in secrets) >= 4  # codes, access, refresh…
    leaks = [
        f"{secret} in {place}"
        for place, text in places.items()
        for secret, value in secrets.items()
        if value and value in text
    ]
    assert leaks == []
    # The check can fail: the plain values are what the application still reads back.
    connection.refresh_from_db()
    assert connection.access_token in _issued_tokens(sandbox)
    assert timezone.now() - connection.last_refreshed_at < timedelta(minutes=5)
