"""Every provider Glue knows, by name: the modules listed in `settings.GLUE_PROVIDERS` (a
provider package's `spec` module), each exporting `SPEC`, a `ProviderSpec`. Adding a provider
is a package and a line there:
no migration (provider names are checked against this registry, not frozen into choices)
and no authentication backend to list (connect flows build theirs from the spec).

The modules are imported on first use, not when this module is, so models can name the
registry without loading any provider's client.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping

from django.conf import settings
from django.utils.module_loading import import_string

from connectors.base import Operation, ProviderSpec


class _Registry(MutableMapping[str, ProviderSpec]):
    """The installed providers by name; tests may put a spec in or take one out."""

    def __init__(self) -> None:
        self._specs: dict[str, ProviderSpec] | None = None

    def _loaded(self) -> dict[str, ProviderSpec]:
        if self._specs is None:
            specs = [import_string(f"{module}.SPEC") for module in settings.GLUE_PROVIDERS]
            self._specs = {spec.name: spec for spec in specs}
        return self._specs

    def __getitem__(self, name: str) -> ProviderSpec:
        return self._loaded()[name]

    def __setitem__(self, name: str, spec: ProviderSpec) -> None:
        self._loaded()[name] = spec

    def __delitem__(self, name: str) -> None:
        del self._loaded()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())


PROVIDERS: MutableMapping[str, ProviderSpec] = _Registry()


def provider_spec(name: str) -> ProviderSpec:
    """The spec for `name`; KeyError names the known providers."""
    try:
        return PROVIDERS[name]
    except KeyError:
        raise KeyError(
            f"Unknown provider {name!r}; known: {', '.join(sorted(PROVIDERS))}"
        ) from None


def provider_label(name: str) -> str:
    """A provider's display name (its spec's label), or `name` for one no longer installed."""
    spec = PROVIDERS.get(name)
    return spec.label if spec is not None else name


def provider_choices() -> list[tuple[str, str]]:
    return [(name, spec.label) for name, spec in PROVIDERS.items()]


def any_provider_offers(object_name: str, operation: Operation) -> bool:
    """True when some installed provider takes `operation` on `object_name` (the unified
    API then routes it; a connection whose provider does not is answered 405)."""
    return any(spec.offers(object_name, operation) for spec in PROVIDERS.values())
