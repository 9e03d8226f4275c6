"""The tests' settings: the product's, plus a second provider that exists only here
(tests/fakeprovider), registered the way any provider is: one line in GLUE_PROVIDERS."""

from portal.settings import *  # noqa: F403
from portal.settings import GLUE_PROVIDERS

GLUE_PROVIDERS = [*GLUE_PROVIDERS, "tests.fakeprovider.spec"]
WEBHOOK_ALLOW_PRIVATE_NETWORKS = True  # the tests deliver to listeners on 127.0.0.1
