"""Providers: the OAuth app form (write-only secret, redirect URL, setup steps, test)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from connectors.exceptions import ConnectorError
from connectors.models import AuthType, Provider
from connectors.registry import PROVIDERS, provider_choices, provider_spec
from connectors.services import (
    provider_defaults,
    provider_endpoint_changes,
    provider_redirect_url,
    provider_test,
)
from connectors.services.endpoints import URL_FIELDS
from portal.admin.widgets import copy_button
from syncs.services import provider_setup

DEFAULT_PROVIDER = next(iter(PROVIDERS))


class ProviderForm(forms.ModelForm):
    # The installed providers (settings.GLUE_PROVIDERS), read when the form is shown.
    name = forms.ChoiceField(label="Provider", choices=provider_choices)
    # Write-only: never rendered back; blank keeps the stored secret.
    client_secret = forms.CharField(
        label="Secret",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Write-only. Leave blank to keep the current secret.",
    )

    class Meta:
        model = Provider
        fields = [
            "name",
            "auth_type",
            "client_id",
            "client_secret",
            "scopes",
            "authorize_url",
            "token_url",
            "api_base_url",
        ]

    def clean(self):
        data = super().clean()
        # Write-only: blank keeps the stored secret; `secret_entered` is what was typed now.
        self.secret_entered = data.get("client_secret") or ""
        data["client_secret"] = self.secret_entered or self.instance.client_secret
        if data.get("auth_type") == AuthType.OAUTH2:
            if not (data.get("client_id") or "").strip():
                self.add_error("client_id", "Enter the Application ID of your OAuth app.")
            if not data.get("client_secret"):
                self.add_error("client_secret", "Enter the Secret of your OAuth app.")
        if data.get("name"):
            # The service's own check (provider_save enforces it), shown on the fields.
            try:
                provider_endpoint_changes(
                    provider_name=data["name"],
                    stored=self.instance if self.instance.pk else None,
                    urls={field: data[field] for field in URL_FIELDS if data.get(field)},
                    client_secret=self.secret_entered,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    if field not in self.errors:
                        self.add_error(field, errors)
        return data


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    form = ProviderForm
    # Plain inputs: the admin's default URL widget repeats each value as a link.
    formfield_overrides = {models.URLField: {"widget": forms.URLInput(attrs={"size": 60})}}
    list_display = ["name", "category", "auth_type", "client_id", "secret_status", "api_base_url"]
    readonly_fields = ["secret_status", "redirect_url", "setup_help", "test_button"]

    def get_fieldsets(self, request, obj=None):
        # Testing calls the provider with the stored secret: for who may change the provider.
        test = ["test_button"] if self.has_change_permission(request, obj) else []
        return [
            (None, {"fields": ["name", "auth_type", *test]}),
            (
                "OAuth application",
                {
                    "fields": [
                        "setup_help",
                        "redirect_url",
                        "client_id",
                        "client_secret",
                        "secret_status",
                        "scopes",
                    ]
                },
            ),
            (
                "Endpoints",
                {
                    "fields": ["authorize_url", "token_url", "api_base_url"],
                    "description": "The real provider's hosts by default; point them at the "
                    "local sandbox to try Glue without a provider account.",
                },
            ),
        ]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        return {**provider_defaults(name=initial.get("name", DEFAULT_PROVIDER)), **initial}

    @admin.display(description="Secret status")
    def secret_status(self, obj: Provider | None) -> str:
        return "set" if obj and obj.has_client_secret else "not set"

    @admin.display(description="Redirect URL")
    def redirect_url(self, obj: Provider | None) -> str:
        return copy_button(provider_redirect_url())

    @admin.display(description="How to set up the app")
    def setup_help(self, obj: Provider | None) -> str:
        steps = provider_spec((obj and obj.name) or DEFAULT_PROVIDER).setup_steps
        return format_html(
            '<ol class="glue-steps">{}</ol>',
            format_html_join("", "<li>{}</li>", ((s,) for s in steps)),
        )

    def save_model(self, request, obj, form, change):
        _, config = provider_setup(
            provider=obj, client_secret=form.secret_entered or None, changed_by=request.user
        )
        if config is not None:
            self.message_user(
                request,
                "A sync config for every object was created; adjust it under Sync configs.",
                messages.INFO,
            )

    def get_urls(self):
        test = path(
            "<int:pk>/test/",
            self.admin_site.admin_view(self.test_view),
            name="connectors_provider_test",
        )
        return [test, *super().get_urls()]

    @admin.display(description="Test")
    def test_button(self, obj: Provider | None):
        if obj is None or obj.pk is None:
            return "Save first, then test the saved settings."
        return format_html(
            '<button type="submit" class="button" formaction="{}" formmethod="post" '
            'formnovalidate name="_test">Test connection</button>',
            reverse("admin:connectors_provider_test", args=[obj.pk]),
        )

    def test_view(self, request, pk: int):
        provider = get_object_or_404(Provider, pk=pk)
        if not self.has_change_permission(request, provider):
            raise PermissionDenied
        if request.method == "POST":
            try:
                summary = provider_test(provider=provider)
            except ConnectorError as exc:
                self.message_user(request, f"Test failed: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"Test passed: {summary}", messages.SUCCESS)
        return redirect("admin:connectors_provider_change", pk)
