"""factory_boy factories for the models every test needs."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from connectors.models import AuthType, Connection, Customer, Provider


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider
        django_get_or_create = ("name",)

    name = "salesloft"
    auth_type = AuthType.OAUTH2
    client_id = "app-client-id"
    client_secret = "app-client-secret-plaintext"
    authorize_url = "https://accounts.salesloft.com/oauth/authorize"
    token_url = "https://accounts.salesloft.com/oauth/token"
    api_base_url = "https://api.salesloft.com/v2"


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    customer_id = factory.Sequence(lambda n: f"customer-{n}")
    name = factory.Faker("company")
    email = factory.Faker("email")


class ConnectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Connection

    customer = factory.SubFactory(CustomerFactory)
    provider = factory.SubFactory(ProviderFactory)
    status = Connection.Status.ACTIVE
    auth_type = AuthType.OAUTH2
    access_token = factory.Sequence(lambda n: f"access-token-plaintext-{n}")
    refresh_token = factory.Sequence(lambda n: f"refresh-token-plaintext-{n}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=2))
