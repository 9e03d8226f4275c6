from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Glue"

    def ready(self) -> None:
        from portal.events import connect_receivers

        connect_receivers(self)


class GlueAdminConfig(admin_apps.AdminConfig):
    """Makes Glue's admin site the default, so every app registers onto it."""

    default_site = "portal.sites.GlueAdminSite"
