"""`make demo`: a portal a newcomer can open and click through. Never for production."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

DEMO_USERNAME = "admin"
DEMO_PASSWORD = "admin"  # demo only: printed by `make demo`


@dataclass
class DemoSetup:
    username: str
    password: str


def demo_setup() -> DemoSetup:
    """Create (or reset) the demo admin user. Safe to run again."""
    user, _ = get_user_model().objects.get_or_create(username=DEMO_USERNAME)
    user.is_staff = user.is_superuser = True
    user.set_password(DEMO_PASSWORD)
    user.save()
    return DemoSetup(username=DEMO_USERNAME, password=DEMO_PASSWORD)
