"""Glue's admin site (its own module so the admin can load it before any registration)."""

from django.contrib import admin


class GlueAdminSite(admin.AdminSite):
    site_header = "Glue"
    site_title = "Glue portal"
    index_title = "Sales-engagement data, synced"
