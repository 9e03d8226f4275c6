"""Who may open each admin page and run each admin action: every URL of the admin site and
every action of every registered model, as anonymous, a staff user with no permission, a
Viewer, an Operator and a superuser.

The URLs and actions are read from the admin site itself: a model registered, a custom
view or an action added without a row below fails `test_every_admin_url_and_action_has_a_row`.
Expected answers follow from the permission each row names and what each role holds
(the groups of portal/migrations/0002; test_admin_permissions.py checks their contents):
without it 403 (302 to the login page for anonymous), with it the page or the action.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import URLPattern, URLResolver
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import Failure, OrmQ, Schedule, Success

from connectors.models import MagicLink
from connectors.services import connect_session_create
from portal.models import WebhookDelivery
from portal.services import api_key_create
from portal.webhooks.services import webhook_endpoint_create
from syncs.models import RECORD_MODELS, Sync, SyncConfig, SyncRun
from tests.factories import ConnectionFactory, CustomerFactory, ProviderFactory

ROLES = ["anonymous", "nobody", "viewer", "operator", "superuser"]

# The admin's own views besides each model's changelist/add/change/delete/history.
SITE_VIEWS = {
    "index": None,  # any staff user: the dashboard
    "app_list": None,
    "password_change": None,
    "password_change_done": None,
    "jsi18n": None,
    "autocomplete": "special",  # needs query parameters; Django checks the target's view perm
    "view_on_site": "special",  # a redirect to an object's public page, none here
    "login": "public",
    "logout": "special",  # POST only
}
# Custom views: URL name → the permission they need, and what GET / POST answer with it.
CUSTOM_VIEWS = {
    "connectors_customer_magic_link": ("connectors.add_magiclink", 302, 302),
    "connectors_customer_connect": ("connectors.add_magiclink", 302, 302),
    "connectors_provider_test": ("connectors.change_provider", 302, 302),
    "auth_user_password_change": ("auth.change_user", 200, 200),  # Django's own
}
# Every registered model (its generic views follow Django's model permissions).
MODELS = {
    "auth.group",
    "auth.user",
    "django_q.schedule",
    "django_q.success",
    "django_q.failure",
    *(["django_q.ormq"] if Conf.ORM else []),  # the queue's admin, with the ORM broker only
    "connectors.customer",
    "connectors.connection",
    "connectors.connectsession",
    "connectors.provider",
    "portal.apikey",
    "portal.webhookendpoint",
    "portal.webhookdelivery",
    "syncs.syncconfig",
    "syncs.sync",
    "syncs.syncrun",
    *(f"syncs.{model._meta.model_name}" for model in RECORD_MODELS.values()),
}
# Every action: (model, action) → the permission it needs.
ACTIONS = {
    ("connectors.customer", "create_magic_links"): "connectors.add_magiclink",
    ("connectors.connection", "disconnect"): "connectors.change_connection",
    ("connectors.connection", "disconnect_and_purge"): "connectors.delete_connection",
    ("portal.apikey", "revoke"): "portal.change_apikey",
    ("portal.webhookdelivery", "resend"): "portal.change_webhookendpoint",
    ("syncs.sync", "pause"): "syncs.change_sync",
    ("syncs.sync", "resume"): "syncs.change_sync",
    ("syncs.sync", "sync_now"): "syncs.change_sync",
    ("syncs.sync", "full_resync"): "syncs.change_sync",
    ("django_q.success", "resubmit_task"): "django_q.change_success",
    ("django_q.failure", "resubmit_task"): "django_q.change_failure",
}
GENERIC = ("changelist", "add", "change", "delete", "history")


def _admin_urls() -> list[URLPattern]:
    found = []
    for pattern in admin.site.get_urls():
        if isinstance(pattern, URLResolver):
            found += [p for p in pattern.url_patterns if isinstance(p, URLPattern)]
        else:
            found.append(pattern)
    return [p for p in found if p.name]


def _actions() -> set[tuple[str, str]]:
    return {
        (model._meta.label_lower, name)
        for model, model_admin in admin.site._registry.items()
        for _, name, _ in model_admin._get_base_actions()
        if name != "delete_selected"  # Django's own: needs `delete`, checked with the views
    }


def test_every_admin_url_and_action_has_a_row():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == MODELS
    generic = {f"{label.replace('.', '_')}_{view}" for label in MODELS for view in GENERIC}
    unknown = [
        p.name
        for p in _admin_urls()
        if p.name not in SITE_VIEWS and p.name not in CUSTOM_VIEWS and p.name not in generic
    ]
    assert unknown == [], f"admin URLs without a row in the matrix: {unknown}"
    assert _actions() == set(ACTIONS)


@pytest.fixture
def world(db):
    """One object of every registered model, and a client for each role."""
    provider = ProviderFactory()
    connection = ConnectionFactory(provider=provider, customer=CustomerFactory())
    config = SyncConfig.objects.create(provider=provider)
    sync = Sync.objects.create(connection=connection, object_name="contacts")
    now = timezone.now()
    run = SyncRun.objects.create(sync=sync, started_at=now, heartbeat_at=now, status="success")
    endpoint = webhook_endpoint_create(url="https://hooks.example.com/")[0]
    objects = {
        "connectors.provider": provider,
        "connectors.customer": connection.customer,
        "connectors.connection": connection,
        "connectors.connectsession": connect_session_create(
            customer=connection.customer,
            provider_name=provider.name,
            return_url="http://localhost/",
        )[0],
        "syncs.syncconfig": config,
        "syncs.sync": sync,
        "syncs.syncrun": run,
        "portal.apikey": api_key_create(name="k")[0],
        "portal.webhookendpoint": endpoint,
        "portal.webhookdelivery": WebhookDelivery.objects.create(
            endpoint=endpoint, msg_id="msg_1", event_type="sync.complete", payload={}
        ),
        "auth.group": Group.objects.get(name="Viewers"),
        "django_q.schedule": Schedule.objects.first(),
        "django_q.success": Success.objects.create(
            id="s1",
            name="s1",
            func="math.floor",
            started="2024-01-01T00:00Z",
            stopped="2024-01-01T00:00Z",
            success=True,
        ),  # fmt: skip
        "django_q.failure": Failure.objects.create(
            id="f1",
            name="f1",
            func="math.floor",
            started="2024-01-01T00:00Z",
            stopped="2024-01-01T00:00Z",
            success=False,
        ),  # fmt: skip
    }
    if Conf.ORM:
        objects["django_q.ormq"] = OrmQ.objects.create(key="k", payload="x", lock=None)
    for model in RECORD_MODELS.values():
        objects[model._meta.label_lower] = model.objects.create(
            connection=connection,
            customer_id=connection.customer.customer_id,
            provider_name=provider.name,
            remote_id="1",
            last_modified_at="2024-01-01T00:00Z",
            raw_data={},
        )
    MagicLink.objects.create(
        customer=connection.customer,
        provider=provider,
        return_url="http://localhost/x",
        expires_at="2099-01-01T00:00Z",
    )
    clients = {"anonymous": Client()}
    users = {}
    for role in ROLES[1:]:
        if role == "superuser":
            user = User.objects.create_superuser(username=role, password="-")
        else:
            user = User.objects.create_user(username=role, password="-", is_staff=True)
            group = {"viewer": "Viewers", "operator": "Operators"}.get(role)
            if group:
                user.groups.add(Group.objects.get(name=group))
        users[role] = user
        clients[role] = Client()
        clients[role].force_login(user)
    objects["auth.user"] = users["nobody"]
    return {"objects": objects, "clients": clients, "users": users}


def _may(world: dict, role: str, permission: str) -> bool:
    return role != "anonymous" and world["users"][role].has_perm(permission)


def _refused(role: str, response) -> bool:
    if role == "anonymous":
        return response.status_code == 302 and "/admin/login/" in response["Location"]
    return response.status_code == 403


@pytest.mark.parametrize("label", sorted(MODELS))
def test_model_pages(world, label):
    app, model = label.split(".")
    obj = world["objects"][label]
    model_admin = admin.site._registry[type(obj)]
    superuser_request = type("R", (), {"user": world["users"]["superuser"]})()
    urls = {
        "view": [f"/admin/{app}/{model}/", f"/admin/{app}/{model}/{obj.pk}/change/",
                 f"/admin/{app}/{model}/{obj.pk}/history/"],
        "add": [f"/admin/{app}/{model}/add/"] if model_admin.has_add_permission(
            superuser_request) else [],
        "delete": [f"/admin/{app}/{model}/{obj.pk}/delete/"] if model_admin.has_delete_permission(
            superuser_request, obj) else [],
    }  # fmt: skip
    for role, client in world["clients"].items():
        for action, paths in urls.items():
            allowed = _may(world, role, f"{app}.{action}_{model}") or (
                action == "view" and _may(world, role, f"{app}.change_{model}")
            )
            for path in paths:
                response = client.get(path)
                if allowed:
                    assert response.status_code == 200, (role, path, response.status_code)
                else:
                    assert _refused(role, response), (role, path, response.status_code)


@pytest.mark.parametrize("name", sorted(CUSTOM_VIEWS))
def test_custom_views(world, name, monkeypatch):
    from portal.admin import providers

    monkeypatch.setattr(providers, "provider_test", lambda provider: "fine")  # no network
    objects = world["objects"]
    customer, provider = objects["connectors.customer"], objects["connectors.provider"]
    permission, *allowed_status = CUSTOM_VIEWS[name]
    path = {
        "auth_user_password_change": f"/admin/auth/user/{objects['auth.user'].pk}/password/",
        "connectors_customer_magic_link": f"/admin/connectors/customer/{customer.pk}/magic-link/"
        f"{provider.pk}/",
        "connectors_customer_connect": f"/admin/connectors/customer/{customer.pk}/connect/"
        f"{provider.pk}/",
        "connectors_provider_test": f"/admin/connectors/provider/{provider.pk}/test/",
    }[name]
    for role, client in world["clients"].items():
        for method, expected in zip(("get", "post"), allowed_status, strict=True):
            response = getattr(client, method)(path)
            if _may(world, role, permission):
                assert response.status_code == expected, (role, method, response.status_code)
                assert "/admin/login/" not in response.get("Location", "")
            else:
                assert _refused(role, response), (role, method, response.status_code)


@pytest.mark.parametrize(("label", "action"), sorted(ACTIONS))
def test_actions(world, label, action, monkeypatch):
    from django_q import tasks

    monkeypatch.setattr(tasks, "async_task", lambda *a, **k: "queued")  # no worker here
    app, model = label.split(".")
    obj = world["objects"][label]
    data = {"action": action, "_selected_action": [obj.pk], "index": "0"}
    for role, client in world["clients"].items():
        response = client.post(f"/admin/{app}/{model}/", data)
        if _may(world, role, ACTIONS[(label, action)]):
            # The confirmation page (200) or done and back to the list (302).
            assert response.status_code in (200, 302), (role, response.status_code)
            if response.status_code == 200:
                assert b"Yes, I" in response.content or b"messagelist" in response.content
        else:
            assert _refused(role, response), (role, response.status_code)


@pytest.mark.parametrize("name", ["index", "app_list", "password_change", "jsi18n"])
def test_site_views_need_a_staff_login(world, name):
    path = {
        "index": "/admin/",
        "app_list": "/admin/syncs/",
        "password_change": "/admin/password_change/",
        "jsi18n": "/admin/jsi18n/",
    }[name]
    for role, client in world["clients"].items():
        response = client.get(path)
        if role == "anonymous":
            assert _refused(role, response)
        elif role == "nobody" and name == "app_list":
            assert response.status_code == 404  # Django hides an app with nothing to show
        else:
            assert response.status_code == 200, (role, response.status_code)
