"""`manage.py demo_setup` against a running sandbox: everything the demo needs, idempotently."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from connectors.base import COMMON_OBJECTS
from connectors.models import Connection, Customer, Provider
from portal import demo
from portal.models import ApiKey
from portal.services import api_key_authenticate
from salesloft_sandbox.testing import run_sandbox
from syncs.models import Sync, SyncConfig

pytestmark = pytest.mark.django_db


@pytest.fixture
def sandbox():
    with run_sandbox(people=50, rate_limit=False) as running:
        yield running


def demo_setup(sandbox_url: str, *, api_key: str, client_id: str, client_secret: str) -> str:
    out = StringIO()
    call_command(
        "demo_setup", "--sandbox-url", sandbox_url, "--api-key", api_key,
        "--client-id", client_id, "--client-secret", client_secret, stdout=out,
    )  # fmt: skip
    return out.getvalue()


def credentials(sandbox) -> dict[str, str]:
    """What the sandbox prints when it starts (`scripts/demo.sh` passes its defaults)."""
    return {
        "api_key": sandbox.api_key,
        "client_id": sandbox.client_id,
        "client_secret": sandbox.client_secret,
    }


def test_demo_setup_is_complete_and_idempotent(sandbox):
    first = demo_setup(sandbox.base_url, **credentials(sandbox))
    second = demo_setup(sandbox.base_url, **credentials(sandbox))

    assert "Admin login: admin / admin" in first
    keys = [re.search(r"^API key: (\S+)$", out, re.M).group(1) for out in (first, second)]
    assert api_key_authenticate(raw_key=keys[0]) is None  # the re-run revoked it
    assert api_key_authenticate(raw_key=keys[1]) is not None
    assert ApiKey.objects.filter(revoked_at__isnull=True).count() == 1
    assert get_user_model().objects.get(username="admin").check_password("admin")

    provider = Provider.objects.get()
    assert provider.api_base_url == f"{sandbox.base_url}/v2"
    assert provider.token_url == f"{sandbox.base_url}/oauth/token"
    assert (provider.client_id, provider.client_secret) == (
        sandbox.client_id, sandbox.client_secret
    )  # fmt: skip
    connection = Connection.objects.get()
    assert (connection.customer.customer_id, connection.status) == ("demo-customer", "active")
    assert connection.api_key == sandbox.api_key
    assert Customer.objects.count() == 1
    assert SyncConfig.objects.get().common_objects == list(COMMON_OBJECTS)
    assert sorted(Sync.objects.values_list("object_name", flat=True)) == sorted(COMMON_OBJECTS)

    call_command("sync", "--customer", "demo-customer", "--quiet")  # the demo's first sync
    assert Sync.objects.filter(phase="incremental").count() == 7


def test_a_wrong_api_key_is_a_clear_error(sandbox):
    with pytest.raises(CommandError, match="Could not connect to the sandbox at .*api_key"):
        demo_setup(sandbox.base_url, **{**credentials(sandbox), "api_key": "ak" + "1" * 64})
    assert not Connection.objects.exists()


def test_no_sandbox_running_is_a_clear_error():
    with pytest.raises(
        CommandError, match="Could not connect to the sandbox at http://127.0.0.1:9"
    ):
        demo_setup("http://127.0.0.1:9", api_key="ak" + "2" * 64, client_id="i", client_secret="s")


def test_the_sandbox_credentials_are_given_not_built_in():
    """The product knows nothing of the sandbox: its credentials come from the command line."""
    with pytest.raises(CommandError, match="required: --api-key, --client-id, --client-secret"):
        call_command("demo_setup", "--sandbox-url", "http://127.0.0.1:9")
    with pytest.raises(ValueError, match="client_secret"):
        demo.demo_setup(sandbox_url="http://127.0.0.1:9", api_key="ak", client_id="i")
    assert not Provider.objects.exists() and not Connection.objects.exists()
