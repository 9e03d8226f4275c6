"""The admin: the portal's home. One module per area; each registers onto Glue's site."""

from django.contrib import admin
from django_q.admin import FailAdmin, TaskAdmin, resubmit_task
from django_q.models import Failure, Success
from social_django.models import Association, Nonce, UserSocialAuth

from portal.admin import customers, keys, providers, records, syncs, webhooks  # noqa: F401
from portal.admin.actions import ActionPermissionsMixin

# social-auth's tables hold nothing here (connections live in Connection): keep them out of sight.
for _model in (Association, Nonce, UserSocialAuth):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)

# Django-Q's "Resubmit selected tasks" runs stored task code again (a sync, say) and declares
# no permission, so anyone who may view the task lists could run it: it needs `change`, and
# a refused one answers 403 like Glue's own actions.
resubmit_task.allowed_permissions = ("change",)
for _model, _admin in ((Success, TaskAdmin), (Failure, FailAdmin)):
    admin.site.unregister(_model)
    admin.site.register(_model, type(_admin.__name__, (ActionPermissionsMixin, _admin), {}))
