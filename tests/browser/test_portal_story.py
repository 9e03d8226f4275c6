"""The whole story, as a person walks it in the admin, against the local Salesloft sandbox:
credentials → customer → connect (consent page) → sync now → records → pause/resume →
a failed run's error after a fault is injected."""

from __future__ import annotations

import pytest
from django_q.conf import Conf

from connectors import http
from connectors.models import Connection, ConnectSession
from salesloft_sandbox.testing import run_sandbox
from syncs.models import Contact, Sync, SyncRun

pytestmark = pytest.mark.browser


@pytest.fixture
def sandbox():
    with run_sandbox(people=150, auto_approve=False, rate_limit=False) as running:
        yield running


@pytest.fixture
def portal(live_server, settings, monkeypatch):
    """The live portal as PUBLIC_URL, tasks run inline (no worker process can reach the
    in-memory test database), and retries without backoff sleeps."""
    settings.PUBLIC_URL = live_server.url
    settings.OAUTH_RETURN_URL_HOSTS = ["localhost", "127.0.0.1"]
    monkeypatch.setattr(Conf, "SYNC", True)
    monkeypatch.setattr(http, "_default", http.HttpClient(sleep=lambda s: None, timeout=(2, 5)))
    return live_server.url


def run_action(page, url: str, row_text: str, action: str) -> None:
    page.goto(url)
    page.locator("#result_list tr", has_text=row_text).locator("input.action-select").check()
    page.select_option("select[name=action]", action)
    page.click("button[name=index]")
    page.wait_for_selector(".messagelist")


def test_the_whole_story(admin_page, portal, sandbox, shot):
    page = admin_page

    # 1. Salesloft credentials, pointed at the sandbox.
    page.goto(f"{portal}/admin/connectors/provider/add/")
    page.fill("#id_client_id", sandbox.client_id)
    page.fill("#id_client_secret", sandbox.client_secret)
    page.fill("#id_authorize_url", sandbox.authorize_url)
    page.fill("#id_token_url", sandbox.token_url)
    page.fill("#id_api_base_url", sandbox.api_base)
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    page.click("button[name=_test]")
    assert "Test passed" in page.locator(".messagelist").inner_text()
    shot(page, "03-provider-saved")

    # 2. A customer; Connect now issues a connect session for this browser.
    page.goto(f"{portal}/admin/connectors/customer/add/")
    page.fill("#id_customer_id", "acme")
    page.fill("#id_name", "Acme Corp")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")

    # 3. Connect: the sandbox's consent page, Approve, back on the customer's page.
    page.click(".field-connect_links button[name=_connect]")
    page.wait_for_selector("button[value=approve]")
    assert ConnectSession.objects.get().origin == "admin admin"
    shot(page, "04-consent")
    page.click("button[value=approve]")
    page.wait_for_url(f"{portal}/admin/connectors/customer/**")
    assert "Active" in page.locator(".field-status_badge, td.field-status_badge").first.inner_text()
    shot(page, "05-customer-connected")
    connection = Connection.objects.get(customer__customer_id="acme")
    assert connection.status == Connection.Status.ACTIVE
    assert connection.access_token and connection.access_token not in page.content()

    # 4. Sync now (contacts), the run succeeds, the contacts are listed.
    syncs_url = f"{portal}/admin/syncs/sync/"
    run_action(page, syncs_url, "contacts", "sync_now")
    page.goto(f"{portal}/admin/syncs/syncrun/?sync__object_name=contacts")
    assert "success" in page.locator("#result_list tbody tr").first.inner_text()
    shot(page, "06-runs")
    page.goto(f"{portal}/admin/syncs/contact/")
    assert Contact.objects.count() == 150
    assert page.locator("#result_list tbody tr").count() == 50  # first page of the browser
    shot(page, "07-contacts")
    contact = Contact.objects.first()
    page.goto(f"{portal}/admin/syncs/contact/{contact.pk}/change/")
    assert f'"id": {contact.remote_id}' in page.locator(".glue-json").inner_text()
    shot(page, "08-contact-detail")

    # 5. Pause and resume.
    run_action(page, syncs_url, "contacts", "pause")
    assert Sync.objects.get(object_name="contacts").paused
    assert "paused" in page.locator("#result_list tr", has_text="contacts").inner_text()
    run_action(page, syncs_url, "contacts", "resume")
    assert not Sync.objects.get(object_name="contacts").paused

    # 6. A fault in Salesloft: the next run fails and the admin shows why.
    sandbox.control.faults(http_500=1.0)
    run_action(page, syncs_url, "accounts", "sync_now")
    failed = SyncRun.objects.get(sync__object_name="accounts", status=SyncRun.Status.FAILURE)
    page.goto(f"{portal}/admin/syncs/syncrun/?status__exact=failure")
    page.click(f"#result_list a[href*='/{failed.pk}/']")
    error = page.locator(".field-error .glue-json").inner_text()
    assert failed.error_message and failed.error_message in error and "500" in error
    shot(page, "09-failed-run")

    # 7. The dashboard counts it all, and each number links to the list behind it.
    page.goto(f"{portal}/admin/")
    assert page.locator("[data-figure=connections-active]").inner_text() == "1"
    assert page.locator("[data-figure=syncs-failing]").inner_text() == "1"
    shot(page, "10-dashboard")
    page.click("[data-figure=syncs-failing]")
    assert "accounts" in page.locator("#result_list").inner_text()
