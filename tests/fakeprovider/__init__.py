"""A second engagement provider that exists only in the tests ("Fake CRM"): two streams
(accounts, contacts) and one write (creating a contact), kept in memory. It proves the
provider contract is the whole contract: it is registered by `tests/settings.py` alone and
is synced and served through the unified API with no change to `portal/` or `syncs/`."""
