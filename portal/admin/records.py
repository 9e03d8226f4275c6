"""Read-only browsers for the synced records, one per common object."""

from __future__ import annotations

from django.contrib import admin

from portal.admin.widgets import pretty_json
from syncs.models import RECORD_MODELS

# The columns worth a glance in each list, besides id, customer and state.
SUMMARY_FIELDS: dict[str, list[str]] = {
    "users": ["first_name", "last_name", "email", "is_locked"],
    "mailboxes": ["email", "user_id", "is_disabled"],
    "accounts": ["name", "domain", "owner_id"],
    "contacts": ["first_name", "last_name", "job_title", "account_id"],
    "sequences": ["name", "share_type", "num_steps", "is_enabled", "is_archived"],
    "sequence_states": ["state", "contact_id", "sequence_id", "user_id"],
    "emails": ["subject", "status", "recipient_email_address", "sent_at"],
}
SEARCH_FIELDS: dict[str, list[str]] = {
    "users": ["first_name", "last_name", "email"],
    "mailboxes": ["email"],
    "accounts": ["name", "domain"],
    "contacts": ["first_name", "last_name", "job_title"],
    "sequences": ["name"],
    "sequence_states": ["contact_id", "sequence_id"],
    "emails": ["subject", "recipient_email_address"],
}


class RecordAdmin(admin.ModelAdmin):
    """Synced rows are written by syncs and API writes only: the admin just reads them."""

    list_filter = ["is_deleted", "provider_name", "customer_id"]
    date_hierarchy = "last_modified_at"
    show_full_result_count = False  # counting millions of rows on every page view is slow
    list_per_page = 50

    def get_readonly_fields(self, request, obj=None):
        names = [f.name for f in self.model._meta.concrete_fields if f.name != "raw_data"]
        return [*names, "raw_json"]

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj)

    @admin.display(description="Raw data (as the provider sent it)")
    def raw_json(self, obj):
        return pretty_json(obj.raw_data)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


for _name, _model in RECORD_MODELS.items():
    admin.site.register(
        _model,
        type(
            f"{_model.__name__}RecordAdmin",
            (RecordAdmin,),
            {
                "list_display": [
                    "remote_id",
                    *SUMMARY_FIELDS[_name],
                    "customer_id",
                    "is_deleted",
                    "last_modified_at",
                ],
                "search_fields": ["remote_id", *SEARCH_FIELDS[_name]],
            },
        ),
    )
