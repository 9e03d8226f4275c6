"""Rate limiting: each provider account's per-minute cost budget, shared by every process.

* `budget` — the budget itself (`RateBudget`): pure, no Django; settings are passed in.
* `memory`, `database`, `redis` — where budget states live (`BudgetStore`s): one process,
  a `RateWindow` row per account, or a Redis key per account.
* `shared` — the store a deployment's processes share (Redis if configured, else the database).

This module re-exports the pure names only, so importing it loads no Django.
"""

from connectors.ratelimit.budget import (
    WINDOW_SECONDS,
    BudgetState,
    BudgetStore,
    OnWait,
    Priority,
    RateBudget,
    Ticket,
    header_int,
)

__all__ = [
    "WINDOW_SECONDS",
    "BudgetState",
    "BudgetStore",
    "OnWait",
    "Priority",
    "RateBudget",
    "Ticket",
    "header_int",
]
