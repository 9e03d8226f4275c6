"""The admin: the portal's home. One module per area; each registers onto Glue's site."""

from portal.admin import customers, keys, providers, records, syncs  # noqa: F401
