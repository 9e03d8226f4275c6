"""The admin: the portal's home. One module per area; each registers onto Glue's site."""

from django.contrib import admin
from social_django.models import Association, Nonce, UserSocialAuth

from portal.admin import customers, keys, providers, records, syncs  # noqa: F401

# social-auth's tables hold nothing here (connections live in Connection): keep them out of sight.
for _model in (Association, Nonce, UserSocialAuth):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
