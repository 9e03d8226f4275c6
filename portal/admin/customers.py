"""Customers (connect links, magic links) and their connections (status, reconnect,
disconnect). No credential is ever among the fields shown.

Connect links and magic links let their holder connect an account to a customer, so only
users with `connectors.add_magiclink` see or create them; disconnecting needs
`change_connection`, deleting the synced data `delete_connection`, both after a
confirmation page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from connectors.exceptions import ConnectorError
from connectors.models import Connection, ConnectSession, Customer, MagicLink, Provider
from connectors.services import (
    connect_session_create,
    connect_session_url,
    connection_disconnect,
    magic_link_create,
)
from portal.admin.actions import (
    ActionPermissionsMixin,
    ConfirmItem,
    action_confirmed,
    confirmation_page,
    plural,
)
from portal.admin.widgets import badge, copy_button
from syncs.selectors import records_count
from syncs.services import records_purge

MAGIC_LINK_LIFETIME_SECS = 7 * 24 * 3600
# Who may hand out a way to connect an account to a customer: magic links and connect links.
CONNECT_LINK_PERMISSION = (
    f"{MagicLink._meta.app_label}.{get_permission_codename('add', MagicLink._meta)}"
)


def can_issue_connect_links(request: HttpRequest) -> bool:
    return request.user.has_perm(CONNECT_LINK_PERMISSION)


def customer_admin_url(customer: Customer) -> str:
    """The customer's admin page, absolute: where an admin-started connect flow returns."""
    return settings.PUBLIC_URL + reverse("admin:connectors_customer_change", args=[customer.pk])


class ConnectionInline(admin.TabularInline):
    model = Connection
    fields = ["provider", "status_badge", "auth_type", "expires_at", "last_refreshed_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="status")
    def status_badge(self, obj: Connection):
        return badge(obj.status, obj.get_status_display())


@admin.register(Customer)
class CustomerAdmin(ActionPermissionsMixin, admin.ModelAdmin):
    list_display = ["customer_id", "name", "email", "connection_states", "created_at"]
    search_fields = ["customer_id", "name", "email"]
    inlines = [ConnectionInline]
    readonly_fields = ["connect_links"]
    actions = ["create_magic_links"]

    def get_fields(self, request, obj=None):
        base = ["customer_id", "name", "email"]
        if obj is None or not can_issue_connect_links(request):
            return base
        return [*base, "connect_links"]

    def has_add_magic_link_permission(self, request) -> bool:
        return can_issue_connect_links(request)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("connections__provider")

    @admin.display(description="connections")
    def connection_states(self, obj: Customer):
        return (
            format_html_join(
                " ", "{}", ((badge(c.status, c.provider.name),) for c in obj.connections.all())
            )
            or "—"
        )

    @admin.display(description="Connect")
    def connect_links(self, obj: Customer):
        rows = []
        for provider in Provider.objects.all():
            rows.append(
                format_html(
                    "<p><strong>{}</strong></p>"
                    '<p><button type="submit" class="button" formaction="{}" formmethod="post" '
                    'formnovalidate name="_connect">Connect now</button> '
                    '<span class="help">Opens {}\'s consent page in this browser and connects '
                    "the account you approve.</span></p>"
                    '<p><button type="submit" class="button" formaction="{}" formmethod="post" '
                    'formnovalidate name="_magic_link">Create magic link</button> '
                    '<span class="help">A single-use link for the customer to connect their own '
                    "account, valid 7 days.</span></p>",
                    provider,
                    reverse("admin:connectors_customer_connect", args=[obj.pk, provider.pk]),
                    provider,
                    reverse("admin:connectors_customer_magic_link", args=[obj.pk, provider.pk]),
                )
            )
        return format_html_join("", "{}", ((row,) for row in rows)) or (
            "Set up a provider first (Providers → Add)."
        )

    def get_urls(self):
        magic = path(
            "<int:pk>/magic-link/<int:provider_pk>/",
            self.admin_site.admin_view(self.magic_link_view),
            name="connectors_customer_magic_link",
        )
        connect = path(
            "<int:pk>/connect/<int:provider_pk>/",
            self.admin_site.admin_view(self.connect_view),
            name="connectors_customer_connect",
        )
        return [magic, connect, *super().get_urls()]

    def connect_view(self, request, pk: int, provider_pk: int):
        """POST: issue a connect session for this browser and go to the consent page."""
        if not self.has_add_magic_link_permission(request):
            raise PermissionDenied
        customer = get_object_or_404(Customer, pk=pk)
        if request.method != "POST":
            return redirect("admin:connectors_customer_change", pk)
        try:
            _, token = connect_session_create(
                customer=customer,
                provider_name=get_object_or_404(Provider, pk=provider_pk).name,
                return_url=customer_admin_url(customer),
                origin=f"admin {request.user.get_username()}",
            )
        except ConnectorError as exc:
            self.message_user(request, f"Cannot connect {customer}: {exc}", messages.ERROR)
            return redirect("admin:connectors_customer_change", pk)
        return redirect(connect_session_url(token=token))

    def _magic_link(self, request, customer: Customer, provider: Provider) -> None:
        try:
            link = magic_link_create(
                customer=customer,
                provider_name=provider.name,
                return_url=customer_admin_url(customer),
                expiration_secs=MAGIC_LINK_LIFETIME_SECS,
            )
        except ConnectorError as exc:
            self.message_user(request, f"No magic link for {customer}: {exc}", messages.ERROR)
            return
        self.message_user(
            request,
            format_html("Magic link for {} ({}): {}", customer, provider, copy_button(link.url)),
            messages.SUCCESS,
        )

    def magic_link_view(self, request, pk: int, provider_pk: int):
        if not self.has_add_magic_link_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            self._magic_link(
                request,
                get_object_or_404(Customer, pk=pk),
                get_object_or_404(Provider, pk=provider_pk),
            )
        return redirect("admin:connectors_customer_change", pk)

    @admin.action(
        description="Create magic links (one per provider)", permissions=["add_magic_link"]
    )
    def create_magic_links(self, request, queryset):
        for customer in queryset:
            for provider in Provider.objects.all():
                self._magic_link(request, customer, provider)


@admin.register(Connection)
class ConnectionAdmin(ActionPermissionsMixin, admin.ModelAdmin):
    # Credentials are never among these fields: the admin cannot show them.
    fields = [
        "customer",
        "provider",
        "status_badge",
        "status_reason",
        "reconnect",
        "auth_type",
        "scope",
        "remote_account_id",
        "expires_at",
        "last_refreshed_at",
        "realtime",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields
    list_display = [
        "customer",
        "provider",
        "status_badge",
        "auth_type",
        "last_refreshed_at",
        "expires_at",
        "reconnect",
    ]
    list_filter = ["status", "provider", "auth_type"]
    search_fields = ["customer__customer_id", "customer__name"]
    list_select_related = ["customer", "provider"]
    actions = ["disconnect", "disconnect_and_purge"]

    def has_add_permission(self, request) -> bool:
        return False

    # The reconnect link is a connect link: shown only to who may issue one.
    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return (
            fields if can_issue_connect_links(request) else [f for f in fields if f != "reconnect"]
        )

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        if can_issue_connect_links(request):
            return columns
        return [c for c in columns if c != "reconnect"]

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj: Connection):
        return badge(obj.status, obj.get_status_display())

    @admin.display(description="real-time changes")
    def realtime(self, obj: Connection):
        hook = getattr(obj, "webhook", None)  # made when the connection first subscribes
        if hook is None:
            return "Not subscribed"
        subscribed = ", ".join(sorted(hook.subscriptions))
        return format_html(
            "{}<br>Last event received: {}<br>Applied {} · ignored as stale {} · rejected {}",
            f"Subscribed to: {subscribed}" if subscribed else "Not subscribed",
            hook.last_event_at or "never",
            hook.events_applied,
            hook.events_ignored_stale,
            hook.events_rejected,
        )

    @admin.display(description="reconnect")
    def reconnect(self, obj: Connection):
        if obj.status == Connection.Status.ACTIVE:
            return "—"
        # The customer's page issues a connect session (or a magic link) on a click.
        url = reverse("admin:connectors_customer_change", args=[obj.customer_id])
        return format_html('<a href="{}">Reconnect…</a>', url)

    @admin.action(
        description="Disconnect (revoke credentials, pause syncs, keep synced data)",
        permissions=["change"],
    )
    def disconnect(self, request, queryset):
        if not action_confirmed(request):
            return confirmation_page(
                self,
                request,
                queryset,
                title=f"Disconnect {plural(len(queryset), 'connection')}?",
                losses=[
                    "The stored credentials are wiped: the customer has to connect again "
                    "before anything syncs.",
                    "Their syncs are paused.",
                    "The synced data is kept.",
                ],
                items=[ConfirmItem(str(c), c.get_status_display().lower()) for c in queryset],
            )
        for connection in queryset:
            connection_disconnect(connection=connection)
        self.message_user(request, f"Disconnected {len(queryset)} connection(s).", messages.SUCCESS)

    @admin.action(description="Disconnect and delete the synced data", permissions=["delete"])
    def disconnect_and_purge(self, request, queryset):
        if not action_confirmed(request):
            return self._purge_confirmation(request, queryset)
        rows = 0
        for connection in queryset:
            connection_disconnect(connection=connection)
            rows += records_purge(connection=connection)
        self.message_user(
            request,
            f"Disconnected {len(queryset)} connection(s) and deleted {rows} synced record(s).",
            messages.SUCCESS,
        )

    def _purge_confirmation(self, request, queryset):
        counts = records_count(connection_ids=[c.pk for c in queryset])
        total = sum(sum(per_object.values()) for per_object in counts.values())
        items = []
        for connection in queryset:
            per_object = counts[connection.pk]
            summary = plural(sum(per_object.values()), "synced record")
            details = [f"{name}: {n:,}" for name, n in per_object.items()]
            items.append(ConfirmItem(str(connection), summary, details))
        return confirmation_page(
            self,
            request,
            queryset,
            title=f"Disconnect {plural(len(queryset), 'connection')} and delete the synced data?",
            losses=[
                f"Deleted for good: {plural(total, 'synced record')} (per connection below). "
                "This cannot be undone.",
                "The stored credentials are wiped: the customer has to connect again, and the "
                "next sync then fetches everything afresh.",
                "Their syncs are paused.",
            ],
            items=items,
        )


@admin.register(ConnectSession)
class ConnectSessionAdmin(admin.ModelAdmin):
    """Read only: who issued which connect session, and what became of it (they are pruned
    once they can no longer be used). The token itself is never stored, only its hash."""

    list_display = ["customer", "provider", "origin", "state", "replace", "created_at"]
    list_filter = ["provider", "replace"]
    search_fields = ["customer__customer_id", "origin"]
    list_select_related = ["customer", "provider"]
    fields = [
        "customer",
        "provider",
        "origin",
        "state",
        "return_url",
        "scopes",
        "replace",
        "created_at",
        "expires_at",
        "opened_at",
        "used_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="state")
    def state(self, obj: ConnectSession):
        if obj.used_at:
            return badge("success", "connected")
        if obj.opened_at:
            return badge("in_progress", "opened")
        return badge("paused", "expired") if obj.is_expired else badge("in_progress", "issued")
