from django.apps import AppConfig


class SalesloftConfig(AppConfig):
    """The Salesloft provider package; an app only so its management commands are found."""

    name = "connectors.salesloft"
    label = "salesloft"
    verbose_name = "Salesloft"
