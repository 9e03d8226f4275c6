"""Default credentials and constants of the sandbox.

The credentials are deterministic so a developer can paste them once into the portal
and keep them across sandbox restarts. They are for a local fake API only.
"""

import hashlib

# Real Salesloft API keys are "ak" + 64 hex characters (docs/salesloft-api.md §3).
DEFAULT_API_KEY = "ak" + hashlib.sha256(b"glue-salesloft-sandbox-api-key").hexdigest()
DEFAULT_CLIENT_ID = hashlib.sha256(b"glue-salesloft-sandbox-client-id").hexdigest()
DEFAULT_CLIENT_SECRET = hashlib.sha256(b"glue-salesloft-sandbox-client-secret").hexdigest()

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_SEED = 1
DEFAULT_PEOPLE = 2000
DEFAULT_RATE_LIMIT_PER_MINUTE = 600
DEFAULT_TOKEN_LIFETIME = 7200
DEFAULT_THREADS = 8

# Records keep the production host in their `_href` links (clients never follow them,
# docs/salesloft-api.md §1), so the stored JSON does not depend on the sandbox's port.
HREF_BASE = "https://api.salesloft.com/v2"

TEAM_ID = 700
# The first generated user: the team admin that API keys and OAuth tokens act as.
ADMIN_USER_ID = 9001
TEAM_NAME = "Sandbox Test Co"
TEAM_TIME_ZONE = "US/Eastern"
# Users' email addresses are at this domain (teams 2..N: `team<N>.` in front of it).
USER_EMAIL_DOMAIN = "sandboxtest.example"
DEFAULT_TEAMS = 1
# Teams 2..N (`--teams`): every generated id of team N is team 1's plus (N - 1) times this,
# so ids never collide across teams (a request that reaches the wrong team's data shows).
TEAM_ID_STRIDE = 100_000_000

# Generated history ends here, so that writes made "now" always sort after it.
HISTORY_START = "2023-01-02T08:00:00+00:00"
HISTORY_END = "2025-06-01T00:00:00+00:00"
