"""Webhook endpoints (the secret shown once, on create) and the delivery log with Resend."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from portal.admin.actions import ActionPermissionsMixin
from portal.admin.widgets import badge, copy_button, pretty_json
from portal.models import WebhookDelivery, WebhookEndpoint
from portal.webhooks.services import (
    EVENT_TYPES,
    webhook_delivery_resend,
    webhook_endpoint_create,
    webhook_endpoint_update,
)
from portal.webhooks.transport import DestinationRefused, destination_check


class WebhookEndpointForm(forms.ModelForm):
    event_types = forms.MultipleChoiceField(
        choices=[(t, t) for t in EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="None ticked: every event type.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "event_types", "customer", "enabled"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            destination_check(url=url)
        except DestinationRefused as exc:
            raise forms.ValidationError(str(exc)) from None
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["url", "customer", "events", "state", "consecutive_failures", "created_at"]
    list_filter = ["enabled"]
    search_fields = ["url", "customer__customer_id"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
    readonly_fields = ["consecutive_failures", "disabled_at", "created_at"]

    @admin.display(description="events")
    def events(self, obj: WebhookEndpoint) -> str:
        return ", ".join(obj.event_types) or "all"

    @admin.display(description="state")
    def state(self, obj: WebhookEndpoint) -> str:
        if obj.enabled:
            return badge("active", "enabled")
        if obj.disabled_at:
            return badge("failing", "disabled: kept failing")
        return badge("paused", "disabled")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            webhook_endpoint_update(
                endpoint=obj,
                url=data["url"],
                event_types=data["event_types"],
                enabled=data["enabled"],
            )
            return
        endpoint, secret = webhook_endpoint_create(
            url=data["url"], event_types=data["event_types"], customer=data["customer"]
        )
        obj.pk = endpoint.pk
        messages.warning(
            request,
            format_html(
                "Copy this signing secret now; it will not be shown again: {}",
                copy_button(secret),
            ),
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ActionPermissionsMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "event_type",
        "endpoint",
        "status_badge",
        "attempts",
        "last_response_code",
        "last_response_ms",
        "next_attempt_at",
    ]
    list_filter = ["status", "event_type", "endpoint"]
    search_fields = ["msg_id", "endpoint__url"]
    list_select_related = ["endpoint"]
    date_hierarchy = "created_at"
    fields = [
        "endpoint",
        "msg_id",
        "event_type",
        "status",
        "attempts",
        "next_attempt_at",
        "last_attempt_at",
        "last_response_code",
        "last_response_ms",
        "last_error",
        "created_at",
        "payload_json",
    ]
    readonly_fields = fields
    actions = ["resend"]

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj: WebhookDelivery) -> str:
        colour = {"succeeded": "success", "failed": "failure", "pending": "in_progress"}
        return badge(colour[obj.status], obj.status)

    @admin.display(description="payload")
    def payload_json(self, obj: WebhookDelivery) -> str:
        return pretty_json(obj.payload)

    def has_add_permission(self, request) -> bool:
        return False  # the log is written by events only

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_resend_permission(self, request) -> bool:
        # Sending events out is the endpoints' business: who may change them may resend.
        return request.user.has_perm("portal.change_webhookendpoint")

    @admin.action(description="Resend selected deliveries", permissions=["resend"])
    def resend(self, request, queryset):
        for delivery in queryset:
            webhook_delivery_resend(delivery=delivery)
        self.message_user(
            request, f"Queued {queryset.count()} delivery(ies) to send again.", messages.SUCCESS
        )
