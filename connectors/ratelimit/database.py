"""The database budget store (used when Redis is not configured): one `RateWindow` row per
account, changed under `select_for_update` so every process sees one budget."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import TypeVar

from django.db import transaction

from connectors.models import RateWindow
from connectors.ratelimit.budget import BudgetState

T = TypeVar("T")


class DatabaseStore:
    """One `RateWindow` row per key, changed under `select_for_update`."""

    def update(self, key: str, change: Callable[[BudgetState | None], tuple[BudgetState, T]]) -> T:
        with transaction.atomic():
            row = RateWindow.objects.select_for_update().filter(key=key).first()
            current = None if row is None else BudgetState(**row.state_fields())
            new, result = change(current)
            RateWindow.objects.update_or_create(key=key, defaults=asdict(new))
        return result

    def states(self) -> dict[str, BudgetState]:
        return {row.key: BudgetState(**row.state_fields()) for row in RateWindow.objects.all()}
