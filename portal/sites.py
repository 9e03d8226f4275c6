"""Glue's admin site (its own module so the admin can load it before any registration)."""

from django.contrib import admin


class GlueAdminSite(admin.AdminSite):
    site_header = "Glue"
    site_title = "Glue portal"
    index_title = "Dashboard"

    def each_context(self, request):
        # Imported here: the registry loads the provider packages, which need the models.
        from connectors.registry import PROVIDERS

        context = super().each_context(request)
        # The header's tagline names the providers the registry knows, not one in a template.
        context["provider_labels"] = ", ".join(spec.label for spec in PROVIDERS.values())
        return context

    def index(self, request, extra_context=None):
        # Imported here: the site is built before the apps' models are ready.
        from portal.charts import runs_chart
        from portal.selectors import dashboard

        summary = dashboard()
        extra = {"dashboard": summary, "runs_chart": runs_chart(summary.runs)}
        return super().index(request, {**extra, **(extra_context or {})})
