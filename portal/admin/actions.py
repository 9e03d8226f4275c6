"""What Glue's admin actions share: a refusal (403) for an action the user lacks the
permission for, and the intermediate page a destructive action shows before it acts, like
Django's own delete confirmation: the selected objects, what will be lost, and a
"Yes, I'm sure" that posts the same action again with `post=yes`."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import admin
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse


class ActionPermissionsMixin:
    """Answers 403 to a posted action that exists here but that the user may not run.

    Django already leaves such an action out of the user's choices (`permissions=` on
    `@admin.action`), but then ignores the POST silently, or says "No action selected."."""

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and "action" in request.POST:
            existing = {name for _, name, _ in self._get_base_actions()}
            allowed = self.get_actions(request)
            if any(a in existing and a not in allowed for a in request.POST.getlist("action")):
                raise PermissionDenied
        return super().changelist_view(request, extra_context)


@dataclass(frozen=True)
class ConfirmItem:
    """One selected object as the page lists it, with what acting on it costs."""

    label: str
    summary: str = ""  # shown after the label, e.g. "5,059 synced records"
    details: list[str] = field(default_factory=list)  # a list under it, e.g. per object


def action_confirmed(request: HttpRequest) -> bool:
    """True when the request is the "Yes, I'm sure" post of a confirmation page."""
    return request.POST.get("post") == "yes"


def confirmation_page(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    title: str,
    losses: list[str],
    items: list[ConfirmItem],
) -> TemplateResponse:
    """The page asking to confirm the action being posted on `queryset`."""
    opts = modeladmin.model._meta
    request.current_app = modeladmin.admin_site.name
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": opts,
        "objects_name": opts.verbose_name if len(items) == 1 else opts.verbose_name_plural,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "selected_pks": [obj.pk for obj in queryset],
        "losses": losses,
        "items": items,
        # The changelist, with the filters it was posted from.
        "back_url": request.get_full_path(),
    }
    return TemplateResponse(request, "admin/glue/confirm_action.html", context)


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")
