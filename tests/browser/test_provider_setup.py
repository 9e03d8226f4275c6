"""A person logs in and enters Salesloft credentials; the secret never comes back."""

from __future__ import annotations

import pytest

from connectors.models import Provider

pytestmark = pytest.mark.browser


def test_enter_salesloft_credentials(admin_page, live_server, shot, settings):
    page = admin_page
    shot(page, "01-dashboard")
    page.goto(f"{live_server.url}/admin/connectors/provider/add/")
    assert f"{settings.PUBLIC_URL}/oauth/callback" in page.content()
    page.click("button.glue-copy")
    assert (
        page.evaluate("navigator.clipboard.readText()") == f"{settings.PUBLIC_URL}/oauth/callback"
    )

    page.fill("#id_client_id", "browser-app-id")
    page.fill("#id_client_secret", "browser-app-secret")
    page.fill("#id_api_base_url", "http://127.0.0.1:8765/v2")
    shot(page, "02-provider-form")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")

    assert page.input_value("#id_client_secret") == ""
    assert "browser-app-secret" not in page.content()
    assert page.locator(".field-secret_status .readonly").inner_text() == "set"
    provider = Provider.objects.get()
    assert provider.client_secret == "browser-app-secret"
    assert provider.api_base_url == "http://127.0.0.1:8765/v2"


def test_empty_application_id_is_refused_on_the_form(admin_page, live_server):
    page = admin_page
    page.goto(f"{live_server.url}/admin/connectors/provider/add/")
    page.fill("#id_client_id", "")
    page.fill("#id_client_secret", "s")
    page.click("input[name=_save]")
    assert "Enter the Application ID" in page.locator(".errorlist").first.inner_text()
    assert not Provider.objects.exists()
