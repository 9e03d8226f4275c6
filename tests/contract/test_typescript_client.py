"""Supaglue's TypeScript client types as a second witness (issue 12, item 4).

tests/contract/ts generates types from Supaglue's own specs (openapi-typescript), compiles a
small script that uses them through a typed client (openapi-fetch), and runs it against a
live Glue over a synced sandbox: list contacts, follow a page, create one, read it back,
read an unknown id (the error envelope), search by email, trigger a sync. The script
compiles only if Supaglue's types accept its calls and its checks (check.ts ties each check
to the generated type), and exits 0 only if every answer has the spec's status and values
of the types the spec declares.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from connectors import http
from portal.services import api_key_create
from salesloft_sandbox.testing import run_sandbox
from syncs.engine import run_sync
from syncs.models import Sync
from syncs.services import sync_config_save
from tests.connectors.conftest import api_key_connection

TOOL = Path(__file__).parent / "ts"
REPOSITORY = Path(__file__).resolve().parents[2]
# Supaglue's files, never copied here; a relative path is taken from the repository's root.
SPEC_DIR = REPOSITORY / os.environ.get("SUPAGLUE_SPEC_DIR", "../shared/reference/supaglue-openapi")
STEPS = [
    "list contacts",
    "follow one page",
    "create a contact",
    "read it back",
    "read an unknown contact",
    "search contacts by email",
    "trigger a sync",
]


def node_tools() -> str:
    """Skip without Node.js or the specs; otherwise `npm ci`, unless node_modules was
    installed from this very package-lock.json (a stamp holds the lock file's hash).
    Returns npm's path."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    npm = shutil.which("npm")
    if missing or npm is None:
        pytest.skip(f"the TypeScript witness needs {' and '.join(missing)} on PATH")
    specs = [SPEC_DIR / f"{name}.json" for name in ("engagement", "mgmt")]
    if not all(spec.is_file() for spec in specs):
        pytest.skip(f"Supaglue's specs are not in {SPEC_DIR.resolve()} (set SUPAGLUE_SPEC_DIR)")
    lock_hash = hashlib.sha256((TOOL / "package-lock.json").read_bytes()).hexdigest()
    stamp = TOOL / "node_modules" / ".glue-lock-sha256"
    if stamp.is_file() and stamp.read_text() == lock_hash:
        return npm
    installed = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"],
        cwd=TOOL,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    stamp.write_text(lock_hash)
    return npm


@pytest.mark.django_db(transaction=True)
def test_supaglue_typescript_client_lists_pages_creates_reads_searches_and_triggers(
    live_server, monkeypatch
):
    npm = node_tools()
    monkeypatch.setattr(http, "_default", http.HttpClient(sleep=lambda seconds: None))
    with run_sandbox(people=120, rate_limit=False) as sandbox:
        connection = api_key_connection(sandbox, customer_id="acme")
        sync_config_save(provider=connection.provider)  # creates the connection's syncs
        run = run_sync(Sync.objects.get(connection=connection, object_name="contacts"), mode="full")
        assert (run.status, run.fetched) == ("success", 120), run.error_message
        raw_key = api_key_create(name="typescript witness")[1]
        witness = subprocess.run(
            [npm, "run", "--silent", "witness"],
            cwd=TOOL,
            env={
                **os.environ,
                "SUPAGLUE_SPEC_DIR": str(SPEC_DIR.resolve()),
                "GLUE_BASE_URL": live_server.url,
                "GLUE_API_KEY": raw_key,
                "GLUE_CUSTOMER_ID": "acme",
                "GLUE_PROVIDER_NAME": "salesloft",
            },
            capture_output=True,
            text=True,
            timeout=180,
        )
    report = witness.stdout + witness.stderr
    print(report)  # each step's result, shown with -s or on failure
    assert witness.returncode == 0, report
    for step in STEPS:
        assert f"ok    {step}: " in witness.stdout, report
