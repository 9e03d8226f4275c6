"""The one customer and connection lookup by the developer's names."""

from __future__ import annotations

import pytest

from connectors.exceptions import NotFound
from connectors.selectors import connection_get, connection_list, customer_get, provider_get
from tests.factories import ConnectionFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def test_customer_and_connection_by_the_developers_names(connection):
    customer_id = connection.customer.customer_id
    assert customer_get(customer_id=customer_id) == connection.customer
    found = connection_get(customer_id=customer_id, provider_name=connection.provider.name)
    assert found == connection
    assert list(connection_list(customer_id=customer_id)) == [connection]


def test_one_customer_never_reaches_anothers_connection(connection):
    other = CustomerFactory(customer_id="someone-else")
    with pytest.raises(NotFound, match="'someone-else' has no 'salesloft' connection"):
        connection_get(customer_id=other.customer_id, provider_name="salesloft")
    ConnectionFactory(customer=other, provider=connection.provider)
    assert connection_get(customer_id="someone-else", provider_name="salesloft").customer == other


@pytest.mark.parametrize(
    ("lookup", "says"),
    [
        (lambda: customer_get(customer_id="nobody"), "No customer 'nobody'."),
        (lambda: connection_list(customer_id="nobody"), "No customer 'nobody'."),
        (lambda: provider_get(provider_id="outreach"), "No Provider matches"),
        (lambda: provider_get(provider_id="999"), "No Provider matches"),
    ],
)
def test_what_is_missing_is_a_not_found_saying_so(db, lookup, says):
    with pytest.raises(NotFound, match=says):
        lookup()
