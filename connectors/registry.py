"""Every provider Glue knows, by name. Adding one is a package and a line here."""

from __future__ import annotations

from connectors.base import ProviderSpec
from connectors.salesloft.spec import SPEC as SALESLOFT

PROVIDERS: dict[str, ProviderSpec] = {SALESLOFT.name: SALESLOFT}


def provider_spec(name: str) -> ProviderSpec:
    """The spec for `name`; KeyError names the known providers."""
    try:
        return PROVIDERS[name]
    except KeyError:
        raise KeyError(
            f"Unknown provider {name!r}; known: {', '.join(sorted(PROVIDERS))}"
        ) from None
