"""`manage.py sync`: runs, summary, exit status and the errors that list valid values."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from connectors.exceptions import ProviderUnavailable
from syncs.models import Contact, SyncRun

pytestmark = pytest.mark.django_db


def sync(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("sync", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_syncs_the_chosen_objects_and_prints_a_summary(fake, connection, sync_config):
    for i in range(23):
        fake.put("contacts", i + 1)
    fake.put("users", 1)

    out, _ = sync("--customer", connection.customer.customer_id, "--object", "contacts", "users")

    assert Contact.objects.count() == 23
    assert sorted(SyncRun.objects.values_list("sync__object_name", "status", "fetched")) == [
        ("contacts", "success", 23),
        ("users", "success", 1),
    ]
    assert "Sync summary" in out
    assert out.index("users") < out.index("contacts")  # parents first
    summary = out[out.index("Sync summary") :]
    assert "contacts" in summary and "23" in summary and "success" in summary


def test_full_flag_forces_a_full_run(fake, connection, sync_config):
    fake.put("users", 1)
    customer = connection.customer.customer_id
    sync("--customer", customer, "--object", "users", "--quiet")
    sync("--customer", customer, "--object", "users", "--quiet")
    sync("--customer", customer, "--object", "users", "--full", "--quiet")
    strategies = SyncRun.objects.order_by("id").values_list("strategy", flat=True)
    assert list(strategies) == ["full", "incremental", "full"]


def test_quiet_prints_nothing_on_success(fake, connection, sync_config):
    out, err = sync("--customer", connection.customer.customer_id, "--object", "users", "--quiet")
    assert (out, err) == ("", "")


def test_a_failed_sync_exits_non_zero_with_its_error(fake, connection, sync_config):
    fake.put("contacts", 1)
    fake.fail_after_pages, fake.error = 0, ProviderUnavailable("the provider answered 503")
    with pytest.raises(CommandError, match="1 of 1 syncs failed"):
        sync("--customer", connection.customer.customer_id, "--object", "contacts", "--quiet")


def test_unknown_customer_lists_the_valid_ones(connection, sync_config):
    with pytest.raises(CommandError) as error:
        sync("--customer", "nobody")
    assert "Unknown customer 'nobody'" in str(error.value)
    assert connection.customer.customer_id in str(error.value)


def test_unknown_object_lists_the_valid_ones(connection, sync_config):
    with pytest.raises(CommandError) as error:
        sync("--customer", connection.customer.customer_id, "--object", "deals")
    assert str(error.value) == (
        "Unknown object 'deals'; valid: users, mailboxes, accounts, contacts, sequences, "
        "sequence_states, emails"
    )


def test_unknown_provider_lists_the_customers_providers(connection, sync_config):
    with pytest.raises(CommandError, match="has no outreach connection; its providers: salesloft"):
        sync("--customer", connection.customer.customer_id, "--provider", "outreach")


def test_a_connection_without_syncs_says_what_to_do(connection):
    with pytest.raises(CommandError, match="has no syncs: save a sync config for salesloft"):
        sync("--customer", connection.customer.customer_id)


def test_waits_for_rate_budget_are_counted(fake, connection, sync_config):
    for i in range(25):  # three pages: the fake waits once, before its second page
        fake.put("contacts", i + 1)
    out, _ = sync("--customer", connection.customer.customer_id, "--object", "contacts")
    row = next(line for line in out.splitlines() if line.startswith("│ contacts"))
    cells = [cell.strip() for cell in row.strip("│").split("│")]
    assert cells[:4] == ["contacts", "full", "success", "25"]
    assert cells[8] == "1"  # waits
