"""Sync configs, syncs (pause, resume, sync now, full resync) and the run log."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from portal.admin.actions import (
    ActionPermissionsMixin,
    ConfirmItem,
    action_confirmed,
    confirmation_page,
    plural,
)
from portal.admin.widgets import badge
from syncs.models import Sync, SyncConfig, SyncRun
from syncs.models.config import OBJECT_CHOICES
from syncs.selectors import records_count, syncs_with_last_run
from syncs.services import sync_config_save, sync_pause, sync_resume, sync_trigger

SYNC_CONFIG_FIELDS = [
    "provider",
    "name",
    "common_objects",
    "strategy",
    "period_ms",
    "full_sync_every_n_incrementals",
    "auto_start_on_connection",
    "realtime",
    "object_overrides",
]


class SyncConfigForm(forms.ModelForm):
    common_objects = forms.MultipleChoiceField(
        label="Objects",
        choices=OBJECT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = SyncConfig
        fields = SYNC_CONFIG_FIELDS

    def clean_common_objects(self) -> list[str]:
        # Stored in sync order, whatever order the boxes were ticked in.
        chosen = set(self.cleaned_data["common_objects"])
        return [name for name, _ in OBJECT_CHOICES if name in chosen]


def runs_url(sync: Sync) -> str:
    return f"{reverse('admin:syncs_syncrun_changelist')}?sync__id__exact={sync.pk}"


@admin.register(SyncConfig)
class SyncConfigAdmin(admin.ModelAdmin):
    form = SyncConfigForm
    list_display = ["__str__", "provider", "strategy", "period_ms", "objects", "auto_start"]
    fields = SYNC_CONFIG_FIELDS

    @admin.display(description="objects")
    def objects(self, obj: SyncConfig) -> str:
        return ", ".join(obj.common_objects) or "—"

    @admin.display(description="auto-start", boolean=True)
    def auto_start(self, obj: SyncConfig) -> bool:
        return obj.auto_start_on_connection

    def save_model(self, request, obj, form, change):
        # The service keeps every connection's syncs in step with the config.
        fields = {name: getattr(obj, name) for name in self.fields if name != "provider"}
        saved = sync_config_save(provider=obj.provider, fields=fields)
        obj.pk = saved.pk


class LastRunStatusFilter(admin.SimpleListFilter):
    title = "health"
    parameter_name = "health"

    def lookups(self, request, model_admin):
        return [("healthy", "healthy"), ("failing", "failing"), ("paused", "paused")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "paused":
            return queryset.filter(paused=True)
        if value == "failing":
            return queryset.filter(paused=False, last_status=SyncRun.Status.FAILURE)
        if value == "healthy":
            return queryset.filter(paused=False).exclude(last_status=SyncRun.Status.FAILURE)
        return queryset


@admin.register(Sync)
class SyncAdmin(ActionPermissionsMixin, admin.ModelAdmin):
    list_display = [
        "connection",
        "object_name",
        "state",
        "last_run",
        "next_run_at",
        "watermark",
        "phase",
    ]
    list_filter = [LastRunStatusFilter, "object_name", "paused", "connection__provider"]
    search_fields = ["connection__customer__customer_id", "object_name"]
    actions = ["pause", "resume", "sync_now", "full_resync"]
    readonly_fields = [
        "connection",
        "object_name",
        "paused",
        "paused_reason",
        "phase",
        "watermark",
        "next_run_at",
        "full_refresh_next",
        "consecutive_failures",
        "incrementals_since_full",
        "runs_link",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields

    def get_queryset(self, request):
        syncs = super().get_queryset(request)
        return syncs_with_last_run(
            syncs.select_related("connection__customer", "connection__provider")
        )

    def has_add_permission(self, request) -> bool:
        return False  # syncs are made from the config when a customer connects

    @admin.display(description="state")
    def state(self, obj: Sync):
        if obj.paused:
            return format_html("{} {}", badge("paused"), obj.paused_reason)
        if getattr(obj, "last_status", None) == SyncRun.Status.FAILURE:
            return badge("failing")
        return badge("healthy")

    @admin.display(description="last run", ordering="last_started")
    def last_run(self, obj: Sync):
        status = getattr(obj, "last_status", None)
        if status is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a> {}',
            runs_url(obj),
            badge(status, SyncRun.Status(status).label),
            timezone.localtime(obj.last_started).strftime("%Y-%m-%d %H:%M"),
        )

    @admin.display(description="runs")
    def runs_link(self, obj: Sync):
        return format_html('<a href="{}">All runs</a>', runs_url(obj))

    # Every action changes the syncs' state: `syncs.change_sync` (Operators have it).
    @admin.action(description="Pause selected syncs", permissions=["change"])
    def pause(self, request, queryset):
        for sync in queryset:
            sync_pause(sync, reason=f"Paused by {request.user.get_username()}")
        self.message_user(request, f"Paused {len(queryset)} sync(s).", messages.SUCCESS)

    @admin.action(description="Resume selected syncs", permissions=["change"])
    def resume(self, request, queryset):
        for sync in queryset:
            sync_resume(sync)
        self.message_user(request, f"Resumed {len(queryset)} sync(s).", messages.SUCCESS)

    @admin.action(description="Sync now", permissions=["change"])
    def sync_now(self, request, queryset):
        for sync in queryset:
            sync_trigger(sync)
        self.message_user(request, f"Queued {len(queryset)} sync(s) to run now.", messages.SUCCESS)

    @admin.action(
        description="Full resync (fetch everything, mark what vanished deleted)",
        permissions=["change"],
    )
    def full_resync(self, request, queryset):
        if not action_confirmed(request):
            return self._full_resync_confirmation(request, queryset)
        for sync in queryset:
            sync_trigger(sync, full_refresh=True)
        self.message_user(request, f"Queued {len(queryset)} full resync(s).", messages.SUCCESS)

    def _full_resync_confirmation(self, request, queryset):
        counts = records_count(connection_ids={sync.connection_id for sync in queryset})
        held = {sync.pk: counts[sync.connection_id].get(sync.object_name, 0) for sync in queryset}
        items = [
            ConfirmItem(f"{sync.connection} · {sync.object_name}", plural(held[sync.pk], "record"))
            for sync in queryset
        ]
        return confirmation_page(
            self,
            request,
            queryset,
            title=f"Run a full resync of {plural(len(queryset), 'sync')}?",
            losses=[
                f"Each sync fetches all its records again ({plural(sum(held.values()), 'record')} "
                "synced now) on its next run: slow, and costly in API calls for large accounts.",
                "Records the provider no longer returns are marked deleted.",
                "Incremental syncing resumes once the full pass is done.",
            ],
            items=items,
        )


class CustomerFilter(admin.SimpleListFilter):
    title = "customer"
    parameter_name = "customer"

    def lookups(self, request, model_admin):
        ids = (
            Sync.objects.values_list("connection__customer__customer_id", flat=True)
            .distinct()
            .order_by("connection__customer__customer_id")
        )
        return [(customer_id, customer_id) for customer_id in ids[:200]]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(sync__connection__customer__customer_id=self.value())
        return queryset


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "sync",
        "status_badge",
        "strategy",
        "started_at",
        "duration",
        "fetched",
        "upserted",
        "deleted",
        "pages",
        "api_cost",
        "error_type",
    ]
    list_filter = ["status", "sync__object_name", CustomerFilter, "strategy", "started_at"]
    date_hierarchy = "started_at"
    search_fields = ["sync__connection__customer__customer_id", "error_message"]
    list_select_related = ["sync__connection__customer", "sync__connection__provider"]
    readonly_fields = [
        "sync",
        "status",
        "strategy",
        "started_at",
        "ended_at",
        "duration",
        "heartbeat_at",
        "worker",
        "fetched",
        "upserted",
        "deleted",
        "pages",
        "api_cost",
        "error_type",
        "error",
    ]
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj: SyncRun):
        return badge(obj.status, obj.get_status_display())

    @admin.display(description="duration")
    def duration(self, obj: SyncRun) -> str:
        end = obj.ended_at or timezone.now()
        seconds = (end - obj.started_at).total_seconds()
        return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"

    @admin.display(description="error")
    def error(self, obj: SyncRun):
        return format_html('<pre class="glue-json">{}</pre>', obj.error_message or "—")
