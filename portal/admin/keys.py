"""API keys: created here (the full key shown once), revoked here."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html

from portal.admin.actions import (
    ActionPermissionsMixin,
    ConfirmItem,
    action_confirmed,
    confirmation_page,
    plural,
)
from portal.admin.widgets import copy_button
from portal.models import ApiKey
from portal.services import api_key_create, api_key_revoke


def key_state(key: ApiKey) -> str:
    used = f"{timezone.localtime(key.last_used_at):%Y-%m-%d %H:%M}" if key.last_used_at else "never"
    return f"{'active' if key.is_active else 'already revoked'}, last used: {used}"


@admin.register(ApiKey)
class ApiKeyAdmin(ActionPermissionsMixin, admin.ModelAdmin):
    list_display = ["name", "prefix", "scope", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["scope", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return ["name", "customer"] if obj is None else ["name", *self.readonly_fields]

    @admin.display(description="scope")
    def scope(self, obj: ApiKey) -> str:
        return f"customer {obj.customer}" if obj.customer_id else "account-wide"

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name"])
            return
        key, raw_key = api_key_create(name=obj.name, customer=obj.customer)
        obj.pk, obj.prefix, obj.hashed_key = key.pk, key.prefix, key.hashed_key
        messages.warning(
            request,
            format_html(
                "Copy this API key now; it will not be shown again: {}", copy_button(raw_key)
            ),
        )

    @admin.action(description="Revoke selected API keys", permissions=["change"])
    def revoke(self, request, queryset):
        if not action_confirmed(request):
            return confirmation_page(
                self,
                request,
                queryset,
                title=f"Revoke {plural(len(queryset), 'API key')}?",
                losses=[
                    "Every program calling Glue with these keys is refused from now on. "
                    "A revoked key cannot be restored: issue a new one instead.",
                ],
                items=[ConfirmItem(str(key), key_state(key)) for key in queryset],
            )
        for key in queryset:
            api_key_revoke(key=key)
        self.message_user(request, f"Revoked {queryset.count()} key(s).", messages.SUCCESS)
