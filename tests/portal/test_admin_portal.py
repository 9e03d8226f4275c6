"""The admin screens: dashboard figures and links, connections without tokens, sync actions,
config validation, magic links, read-only record browsers."""

from __future__ import annotations

import html
import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from connectors.models import Connection, MagicLink, RateWindow
from syncs.models import Contact, Sync, SyncConfig, SyncRun
from tests.factories import ConnectionFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def make_run(sync: Sync, status: str, **fields) -> SyncRun:
    now = timezone.now()
    return SyncRun.objects.create(
        sync=sync, strategy="full", started_at=now, heartbeat_at=now, status=status, **fields
    )


def figure(page: str, name: str) -> tuple[str, str]:
    """(href, value) of the dashboard figure `name`."""
    match = re.search(rf'<a href="([^"]+)" data-figure="{name}">(\d+)</a>', page)
    assert match, f"figure {name} not on the dashboard"
    return match.group(1).replace("&amp;", "&"), match.group(2)


def test_dashboard_counts_link_to_the_filtered_lists(admin_client, provider):
    ConnectionFactory(provider=provider)
    broken = ConnectionFactory(provider=provider, status=Connection.Status.NEEDS_REAUTH)
    failing = Sync.objects.create(connection=broken, object_name="contacts")
    make_run(failing, SyncRun.Status.FAILURE, error_message="boom")
    Sync.objects.create(connection=broken, object_name="users", paused=True)

    page = admin_client.get("/admin/").content.decode()
    assert figure(page, "connections-active")[1] == "1"
    href, value = figure(page, "connections-needs_reauth")
    assert value == "1"
    listing = admin_client.get(href).content.decode()
    assert str(broken.customer) in listing
    href, value = figure(page, "syncs-failing")
    assert value == "1"
    assert "contacts" in admin_client.get(href).content.decode()
    assert figure(page, "syncs-paused")[1] == "1"
    assert "<svg" in page and "Sync runs, last 24 hours" in page


def test_connection_pages_never_show_credentials(admin_client, connection):
    for url in (
        "/admin/connectors/connection/",
        f"/admin/connectors/connection/{connection.pk}/change/",
        f"/admin/connectors/customer/{connection.customer.pk}/change/",
    ):
        page = admin_client.get(url).content.decode()
        assert connection.access_token not in page
        assert connection.refresh_token not in page


def test_a_connection_needing_reauth_offers_a_reconnect_link(admin_client, connection):
    Connection.objects.filter(pk=connection.pk).update(status=Connection.Status.NEEDS_REAUTH)
    page = admin_client.get(f"/admin/connectors/connection/{connection.pk}/change/").content
    assert b"Reconnect\xe2\x80\xa6" in page  # to the customer's page, where Connect now is
    assert f"/admin/connectors/customer/{connection.customer.pk}/change/".encode() in page


def test_disconnect_revokes_and_pauses_syncs_but_keeps_data(admin_client, connection):
    sync = Sync.objects.create(connection=connection, object_name="contacts")
    Contact.objects.create(
        connection=connection,
        customer_id=connection.customer.customer_id,
        provider_name="salesloft",
        remote_id="1",
        last_modified_at=timezone.now(),
    )
    admin_client.post(
        "/admin/connectors/connection/",
        {"action": "disconnect", "_selected_action": [connection.pk], "post": "yes"},
    )
    connection.refresh_from_db()
    sync.refresh_from_db()
    assert connection.status == Connection.Status.REVOKED and not connection.access_token
    assert sync.paused and sync.paused_reason
    assert Contact.objects.count() == 1


def test_sync_actions(admin_client, connection):
    sync = Sync.objects.create(connection=connection, object_name="contacts")
    url = "/admin/syncs/sync/"
    admin_client.post(url, {"action": "pause", "_selected_action": [sync.pk]})
    sync.refresh_from_db()
    assert sync.paused
    admin_client.post(url, {"action": "resume", "_selected_action": [sync.pk]})
    sync.refresh_from_db()
    assert not sync.paused
    admin_client.post(url, {"action": "full_resync", "_selected_action": [sync.pk], "post": "yes"})
    sync.refresh_from_db()
    assert sync.full_refresh_next


def test_sync_config_form_validates(admin_client, provider):
    data = {
        "provider": provider.pk,
        "common_objects": ["contacts", "users"],
        "strategy": "full_then_incremental",
        "period_ms": 1000,
        "object_overrides": '{"contacts": {"period_ms": 5}}',
        "auto_start_on_connection": "on",
    }
    response = admin_client.post("/admin/syncs/syncconfig/add/", data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "period_ms" in errors and "object_overrides" in errors
    assert not SyncConfig.objects.exists()

    data.update(period_ms=120_000, object_overrides="{}")
    assert admin_client.post("/admin/syncs/syncconfig/add/", data).status_code == 302
    assert SyncConfig.objects.get().common_objects == ["users", "contacts"]  # sync order


def test_magic_link_from_the_customer_page(admin_client, provider):
    customer = CustomerFactory()
    url = f"/admin/connectors/customer/{customer.pk}/magic-link/{provider.pk}/"
    page = admin_client.post(url, follow=True).content.decode()
    link = MagicLink.objects.get()
    assert link.customer == customer and link.expires_at > timezone.now() + timedelta(days=6)
    assert link.url in page
    assert admin_client.get(url).status_code == 302  # GET creates nothing
    assert MagicLink.objects.count() == 1


def test_record_browsers_are_read_only_with_raw_json(admin_client, connection):
    contact = Contact.objects.create(
        connection=connection,
        customer_id=connection.customer.customer_id,
        provider_name="salesloft",
        remote_id="55",
        first_name="Robin",
        last_modified_at=timezone.now(),
        raw_data={"id": 55, "first_name": "Robin"},
    )
    listing = admin_client.get("/admin/syncs/contact/?q=Robin").content.decode()
    assert "Robin" in listing
    page = admin_client.get(f"/admin/syncs/contact/{contact.pk}/change/").content.decode()
    assert '"first_name": "Robin"' in html.unescape(page)
    assert admin_client.get("/admin/syncs/contact/add/").status_code == 403


def test_disconnect_and_delete_the_synced_data(admin_client, connection):
    other = ConnectionFactory(provider=connection.provider)
    sync = Sync.objects.create(connection=connection, object_name="contacts", phase="incremental")
    for conn in (connection, other):
        Contact.objects.create(
            connection=conn,
            customer_id=conn.customer.customer_id,
            provider_name="salesloft",
            remote_id="1",
            last_modified_at=timezone.now(),
        )
    admin_client.post(
        "/admin/connectors/connection/",
        {"action": "disconnect_and_purge", "_selected_action": [connection.pk], "post": "yes"},
    )
    connection.refresh_from_db()
    sync.refresh_from_db()
    assert connection.status == Connection.Status.REVOKED
    assert list(Contact.objects.values_list("connection_id", flat=True)) == [other.pk]
    assert sync.paused and sync.phase == Sync.Phase.FULL and sync.watermark is None


def test_dashboard_shows_each_accounts_live_rate_window(admin_client, settings):
    settings.REDIS_URL = ""  # the database store
    now = time.time()
    RateWindow.objects.create(key="salesloft:700", window_end=now + 30, remaining=420, limit=600)
    RateWindow.objects.create(key="salesloft:800", window_end=now - 5, remaining=3, limit=600)
    page = admin_client.get("/admin/").content.decode()
    live = page.split('data-budget="salesloft:700"')[1].split("</tr>")[0]
    assert "420 of 600 left" in live and "resets in" in live
    ended = page.split('data-budget="salesloft:800"')[1].split("</tr>")[0]
    assert "600 of 600 left" in ended  # a window that has ended starts full


def test_a_syncs_last_run_links_to_its_runs(admin_client, connection):
    sync = Sync.objects.create(connection=connection, object_name="contacts")
    other = Sync.objects.create(connection=connection, object_name="users")
    make_run(sync, SyncRun.Status.SUCCESS)
    make_run(other, SyncRun.Status.FAILURE, error_message="other run")
    page = admin_client.get("/admin/syncs/sync/").content.decode()
    href = re.search(r'<a href="([^"]+sync__id__exact=' + str(sync.pk) + ')"', page).group(1)
    runs = admin_client.get(href.replace("&amp;", "&"))
    assert runs.status_code == 200
    assert list(runs.context["cl"].result_list.values_list("sync_id", flat=True)) == [sync.pk]


def test_the_header_names_the_registrys_providers(admin_client, monkeypatch):
    import dataclasses

    from connectors.registry import PROVIDERS

    spec = next(iter(PROVIDERS.values()))
    monkeypatch.setitem(PROVIDERS, spec.name, dataclasses.replace(spec, label="Acme CRM"))
    page = admin_client.get("/admin/").content.decode()
    labels = ", ".join(p.label for p in PROVIDERS.values())  # the tests install two
    assert labels.startswith("Acme CRM") and f"{labels} data, synced" in page


def test_the_dashboard_flags_webhook_endpoints_that_kept_failing(admin_client):
    from django.utils import timezone

    from portal.webhooks.services import webhook_endpoint_create

    webhook_endpoint_create(url="http://127.0.0.1:9/ok")
    failing, _ = webhook_endpoint_create(url="http://127.0.0.1:9/down")
    type(failing).objects.filter(pk=failing.pk).update(enabled=False, disabled_at=timezone.now())
    page = admin_client.get("/admin/").content.decode()
    assert 'data-figure="webhooks-1">1<' in page  # sending
    assert 'data-figure="webhooks-2" style="color:#a32020;font-weight:bold">1<' in page
