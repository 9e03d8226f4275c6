"""Admin permissions: every action and custom admin view is refused to who lacks its Django
permission (nothing changes in the database), destructive actions show a confirmation page
(with what will be lost) before the confirmed POST acts, and the Viewers / Operators groups
the data migration creates hold what they should.

Four people: a staff user with no permission, a Viewer, an Operator and a superuser."""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission, User
from django.db import connection as db_connection
from django.test import Client
from django.utils import timezone

from connectors.models import Connection, ConnectSession, MagicLink
from portal.models import ApiKey
from portal.services import api_key_create
from salesloft_sandbox.testing import run_sandbox
from syncs.models import Account, Contact, Sync
from tests.factories import ConnectionFactory, CustomerFactory, ProviderFactory

pytestmark = pytest.mark.django_db

ROLES = ["nobody", "viewer", "operator", "superuser"]
CONFIRM_TEMPLATE = "admin/glue/confirm_action.html"
groups_migration = importlib.import_module("portal.migrations.0002_operator_viewer_groups")


def make_user(role: str, *perms: str) -> User:
    if role == "superuser":
        return User.objects.create_superuser(username=role, password="-")
    user = User.objects.create_user(username=role, password="-", is_staff=True)
    group = {"viewer": "Viewers", "operator": "Operators"}.get(role)
    if group:
        user.groups.add(Group.objects.get(name=group))
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def client_for(role: str, *perms: str) -> Client:
    client = Client()
    client.force_login(make_user(role, *perms))
    return client


def post_action(client: Client, url: str, action: str, pks: list, *, confirmed: bool):
    data = {"action": action, "_selected_action": pks, "index": "0"}
    if confirmed:
        data["post"] = "yes"
    return client.post(url, data, follow=True)


def assert_refused(response) -> None:
    assert response.status_code == 403
    assert CONFIRM_TEMPLATE not in [t.name for t in response.templates]


def confirm_form(response) -> dict[str, list[str]]:
    """The hidden fields the confirmation page's "Yes, I'm sure" form posts."""
    assert CONFIRM_TEMPLATE in [t.name for t in response.templates]
    form = response.content.decode().split('<form method="post">')[1].split("</form>")[0]
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        fields.setdefault(name, []).append(value)
    assert "No, take me back" in form
    return fields


def confirm(client: Client, url: str, response):
    """Press "Yes, I'm sure" on the confirmation page `response`."""
    return client.post(url, confirm_form(response), follow=True)


def add_records(connection: Connection, model, count: int) -> None:
    for n in range(count):
        model.objects.create(
            connection=connection,
            customer_id=connection.customer.customer_id,
            provider_name="salesloft",
            remote_id=str(n),
            last_modified_at=timezone.now(),
        )


# --- Syncs: pause, resume, sync now (syncs.change_sync) -----------------------------------

SYNCS_URL = "/admin/syncs/sync/"


@pytest.mark.parametrize("role", ROLES)
def test_pause_resume_and_sync_now_need_change_sync(role, connection):
    allowed = role in {"operator", "superuser"}
    client = client_for(role)
    running = Sync.objects.create(connection=connection, object_name="contacts")
    paused = Sync.objects.create(connection=connection, object_name="users", paused=True)
    idle = Sync.objects.create(connection=connection, object_name="accounts")

    responses = [
        post_action(client, SYNCS_URL, "pause", [running.pk], confirmed=False),
        post_action(client, SYNCS_URL, "resume", [paused.pk], confirmed=False),
        post_action(client, SYNCS_URL, "sync_now", [idle.pk], confirmed=False),
    ]
    for sync in (running, paused, idle):
        sync.refresh_from_db()
    if allowed:
        assert all(r.status_code == 200 for r in responses)
        assert running.paused and not paused.paused and idle.next_run_at is not None
    else:
        for response in responses:
            assert_refused(response)
        assert not running.paused and paused.paused and idle.next_run_at is None


@pytest.mark.parametrize("role", ROLES)
def test_full_resync_needs_change_sync_and_a_confirmation(role, connection):
    sync = Sync.objects.create(connection=connection, object_name="contacts")
    add_records(connection, Contact, 3)
    client = client_for(role)
    if role not in {"operator", "superuser"}:
        assert_refused(post_action(client, SYNCS_URL, "full_resync", [sync.pk], confirmed=True))
        sync.refresh_from_db()
        assert not sync.full_refresh_next
        return

    page = post_action(client, SYNCS_URL, "full_resync", [sync.pk], confirmed=False)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Run a full resync of 1 sync?" in text and "(3 records synced now)" in text
    assert "· contacts</strong> — 3 records" in text
    sync.refresh_from_db()
    assert not sync.full_refresh_next  # asking changed nothing

    confirm(client, SYNCS_URL, page)
    sync.refresh_from_db()
    assert sync.full_refresh_next


# --- Connections: disconnect (change), disconnect and delete the data (delete) -------------

CONNECTIONS_URL = "/admin/connectors/connection/"


@pytest.mark.parametrize("role", ROLES)
def test_disconnect_needs_change_connection_and_a_confirmation(role, connection):
    client = client_for(role)
    if role != "superuser":
        response = post_action(
            client, CONNECTIONS_URL, "disconnect", [connection.pk], confirmed=True
        )
        assert_refused(response)
        connection.refresh_from_db()
        assert connection.status == Connection.Status.ACTIVE and connection.access_token
        return

    page = post_action(client, CONNECTIONS_URL, "disconnect", [connection.pk], confirmed=False)
    assert "Disconnect 1 connection?" in page.content.decode()
    connection.refresh_from_db()
    assert connection.status == Connection.Status.ACTIVE

    confirm(client, CONNECTIONS_URL, page)
    connection.refresh_from_db()
    assert connection.status == Connection.Status.REVOKED and not connection.access_token


@pytest.mark.parametrize(
    "role, perms",
    [
        ("view_only", ["connectors.view_connection"]),  # without the groups: the old bug
        ("nobody", []),
        ("viewer", []),
        ("operator", []),
    ],
)
def test_a_user_who_cannot_delete_connections_cannot_delete_the_synced_data(
    role, perms, connection
):
    """The regression: a view-only user ran "Disconnect and delete the synced data"."""
    add_records(connection, Contact, 2)
    client = client_for(role, *perms)
    response = post_action(
        client, CONNECTIONS_URL, "disconnect_and_purge", [connection.pk], confirmed=True
    )
    assert_refused(response)
    connection.refresh_from_db()
    assert connection.status == Connection.Status.ACTIVE and connection.access_token
    assert Contact.objects.filter(connection=connection).count() == 2


def test_change_connection_alone_disconnects_but_does_not_delete_data(connection):
    add_records(connection, Contact, 2)
    client = client_for("changer", "connectors.view_connection", "connectors.change_connection")
    response = post_action(
        client, CONNECTIONS_URL, "disconnect_and_purge", [connection.pk], confirmed=True
    )
    assert_refused(response)
    assert Contact.objects.count() == 2

    page = post_action(client, CONNECTIONS_URL, "disconnect", [connection.pk], confirmed=False)
    confirm(client, CONNECTIONS_URL, page)
    connection.refresh_from_db()
    assert connection.status == Connection.Status.REVOKED
    assert Contact.objects.count() == 2


def test_delete_the_synced_data_shows_the_counts_first_and_acts_only_when_confirmed(provider):
    big, small, untouched = (ConnectionFactory(provider=provider) for _ in range(3))
    add_records(big, Contact, 3)
    add_records(big, Account, 2)
    add_records(small, Contact, 1)
    add_records(untouched, Contact, 4)
    client = client_for("superuser")

    page = post_action(
        client, CONNECTIONS_URL, "disconnect_and_purge", [big.pk, small.pk], confirmed=False
    )
    text = page.content.decode()
    assert "Disconnect 2 connections and delete the synced data?" in text
    assert "Deleted for good: 6 synced records" in text
    big_item = text.split(str(big))[1].split("</li></ul>")[0]
    assert "contacts: 3" in big_item and "accounts: 2" in big_item
    assert big_item.startswith("</strong> — 5 synced records")
    small_item = text.split(str(small))[1].split("</li></ul>")[0]
    assert small_item.startswith("</strong> — 1 synced record") and "contacts: 1" in small_item
    assert str(untouched) not in text
    assert Contact.objects.count() == 8 and Account.objects.count() == 2  # not yet

    fields = confirm_form(page)
    assert sorted(fields["_selected_action"]) == sorted([str(big.pk), str(small.pk)])
    assert fields["action"] == ["disconnect_and_purge"] and fields["post"] == ["yes"]
    confirm(client, CONNECTIONS_URL, page)
    assert set(Contact.objects.values_list("connection_id", flat=True)) == {untouched.pk}
    assert not Account.objects.exists()
    statuses = dict(Connection.objects.values_list("pk", "status"))
    assert statuses[big.pk] == statuses[small.pk] == Connection.Status.REVOKED
    assert statuses[untouched.pk] == Connection.Status.ACTIVE


def test_no_take_me_back_returns_to_the_filtered_list(connection):
    client = client_for("superuser")
    url = f"{CONNECTIONS_URL}?status__exact=active"
    page = client.post(url, {"action": "disconnect", "_selected_action": [connection.pk]})
    assert f'href="{url.replace("&", "&amp;")}" class="button cancel-link"' in page.content.decode()


# --- API keys: revoke (portal.change_apikey) -----------------------------------------------

KEYS_URL = "/admin/portal/apikey/"


@pytest.mark.parametrize("role", ROLES)
def test_revoking_an_api_key_needs_change_apikey_and_a_confirmation(role):
    key, _ = api_key_create(name="ci")
    client = client_for(role)
    if role != "superuser":
        assert_refused(post_action(client, KEYS_URL, "revoke", [key.pk], confirmed=True))
        key.refresh_from_db()
        assert key.is_active
        return

    page = post_action(client, KEYS_URL, "revoke", [key.pk], confirmed=False)
    text = page.content.decode()
    assert "Revoke 1 API key?" in text and str(key) in text and "active, last used: never" in text
    assert ApiKey.objects.get(pk=key.pk).is_active

    confirm(client, KEYS_URL, page)
    key.refresh_from_db()
    assert not key.is_active


# --- Magic links and connect links (connectors.add_magiclink) ------------------------------

CUSTOMERS_URL = "/admin/connectors/customer/"


@pytest.mark.parametrize("role", ROLES)
def test_magic_links_need_add_magiclink(role, provider):
    customer = CustomerFactory()
    client = client_for(role)
    allowed = role in {"operator", "superuser"}

    action = post_action(
        client, CUSTOMERS_URL, "create_magic_links", [customer.pk], confirmed=False
    )
    if allowed:
        link = MagicLink.objects.get()
        assert link.url in action.content.decode()
    else:
        assert_refused(action)
        assert not MagicLink.objects.exists()

    view = f"{CUSTOMERS_URL}{customer.pk}/magic-link/{provider.pk}/"
    response = client.post(view)
    if allowed:
        assert response.status_code == 302 and MagicLink.objects.count() == 2
    else:
        assert response.status_code == 403 and not MagicLink.objects.exists()
        assert client.get(view).status_code == 403


@pytest.mark.parametrize("role", ["viewer", "operator", "superuser"])
def test_connect_and_reconnect_links_are_shown_only_to_who_may_issue_them(role, connection):
    Connection.objects.filter(pk=connection.pk).update(status=Connection.Status.NEEDS_REAUTH)
    client = client_for(role)
    shown = role != "viewer"
    pages = [
        client.get(f"{CUSTOMERS_URL}{connection.customer.pk}/change/"),
        client.get(f"/admin/connectors/connection/{connection.pk}/change/"),
        client.get(CONNECTIONS_URL),
    ]
    for page in pages:
        assert page.status_code == 200
    customer_page = pages[0].content.decode()
    assert ("Connect now" in customer_page) is shown
    assert ("Create magic link" in customer_page) is shown
    assert ("Reconnect…" in pages[1].content.decode()) is shown
    # No page issues or shows a connect link by itself: only a click on Connect now does.
    assert not ConnectSession.objects.exists()
    assert not any("/oauth/connect?" in page.content.decode() for page in pages)


@pytest.mark.parametrize("role", ROLES)
def test_connect_now_needs_add_magiclink_and_issues_a_session(role, provider):
    customer = CustomerFactory()
    client = client_for(role)
    view = f"{CUSTOMERS_URL}{customer.pk}/connect/{provider.pk}/"
    response = client.post(view)
    if role in {"operator", "superuser"}:
        assert response.status_code == 302
        assert (
            response["Location"].startswith("http://")
            and "/oauth/connect?session=" in (response["Location"])
        )
        session = ConnectSession.objects.get()
        assert session.customer == customer and session.origin == f"admin {role}"
        assert session.return_url.endswith(f"/admin/connectors/customer/{customer.pk}/change/")
    else:
        assert response.status_code == 403 and not ConnectSession.objects.exists()
        assert client.get(view).status_code == 403


# --- Provider "Test connection" (connectors.change_provider) -------------------------------


@pytest.fixture(scope="module")
def sandbox():
    with run_sandbox(people=20, rate_limit=False) as running:
        yield running


@pytest.mark.parametrize("role", ROLES)
def test_test_connection_needs_change_provider(role, sandbox):
    provider = ProviderFactory(
        client_id=sandbox.client_id,
        client_secret=sandbox.client_secret,
        authorize_url=sandbox.authorize_url,
        token_url=sandbox.token_url,
        api_base_url=sandbox.api_base,
    )
    client = client_for(role)
    change_page = client.get(f"/admin/connectors/provider/{provider.pk}/change/")
    test_url = f"/admin/connectors/provider/{provider.pk}/test/"
    response = client.post(test_url)
    if role == "superuser":
        assert 'name="_test"' in change_page.content.decode()
        assert response.status_code == 302
        assert "Test passed" in client.get(response.url).content.decode()
    else:
        assert response.status_code == 403  # the view itself refuses: the test never runs
        if role != "nobody":
            assert change_page.status_code == 200
            assert 'name="_test"' not in change_page.content.decode()


# --- The groups the data migration ships -------------------------------------------------


def group_perms(name: str) -> set[tuple[str, str]]:
    return set(
        Group.objects.get(name=name).permissions.values_list("content_type__app_label", "codename")
    )


def expected_views() -> set[tuple[str, str]]:
    labels = ("connectors", "syncs", "portal", "django_q")
    return {
        (label, f"view_{model._meta.model_name}")
        for label in labels
        for model in global_apps.get_app_config(label).get_models()
    }


def test_viewers_read_everything_and_operators_also_run_syncs_and_issue_links():
    viewers = group_perms("Viewers")
    assert viewers == expected_views()
    assert ("syncs", "view_contact") in viewers and ("portal", "view_apikey") in viewers
    assert group_perms("Operators") == viewers | {
        ("syncs", "change_sync"),
        ("connectors", "add_magiclink"),
    }


class _Editor:
    connection = db_connection


def test_the_groups_migration_is_idempotent_reversible_and_makes_missing_permissions():
    groups_migration.groups_delete(global_apps, _Editor())
    assert not Group.objects.filter(name__in=["Viewers", "Operators"]).exists()

    # As on a fresh database: permissions are made by post_migrate, after this migration.
    Permission.objects.filter(content_type__app_label="syncs").delete()
    groups_migration.groups_create(global_apps, _Editor())
    groups_migration.groups_create(global_apps, _Editor())  # twice: same result
    assert Group.objects.filter(name="Viewers").count() == 1
    assert group_perms("Viewers") == expected_views()
    assert ("syncs", "change_sync") in group_perms("Operators")
