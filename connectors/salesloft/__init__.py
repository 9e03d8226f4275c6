"""The Salesloft provider package (see `spec.py` for what it declares).

No imports here: the settings read `OAUTH_BACKEND` before any model can load.
"""

OAUTH_BACKEND = "connectors.salesloft.oauth.SalesloftOAuth2"
