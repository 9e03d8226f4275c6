"""The Salesloft sandbox: a faithful local Salesloft REST API v2 with generated data.

Any Salesloft client works against it unchanged except for the base URL (docs/sandbox.md).
It is a test double, not part of Glue: a top-level package that imports nothing of
`portal`, `syncs` or `connectors` (an import-linter contract checks it), is left out of
the wheel, and needs the `sandbox` extra (waitress) to serve. Its own WSGI app, its own
SQLite store in a data dir.

Public interface
----------------
Command line (prints the base URL, API key and OAuth client credentials)::

    python -m salesloft_sandbox --port 8765 [--people 2000] [--seed 1] ...

Tests of other components::

    from salesloft_sandbox.testing import run_sandbox

    with run_sandbox(people=300, seed=1, auto_approve=True, rate_limit=True,
                     data_dir=tmp_path) as sb:
        sb.base_url, sb.api_base, sb.authorize_url, sb.token_url
        sb.api_key, sb.client_id, sb.client_secret
        sb.control.mutate("people", update=100, delete=10, create=5)
        sb.control.faults(http_503=0.2, force_429=3, expire_tokens=True)
        sb.control.stats(); sb.control.snapshot("people")  # {id: updated_at}
        sb.control.clock(advance=7200); sb.control.next_minute()  # the sandbox's time

    with run_sandbox(teams=2) as sb:  # several Salesloft teams (teams.py)
        sb.teams[1].api_key, sb.teams[1].team_id, sb.teams[1].user_ids, sb.teams[1].control

Default credentials: `defaults.DEFAULT_API_KEY`, `DEFAULT_CLIENT_ID`,
`DEFAULT_CLIENT_SECRET` (deterministic; the API key looks like a real one: `ak` + 64 hex).

Programmatic use: `config.SandboxConfig` / `config.DataShape` describe a sandbox;
`server.SandboxServer(config)` serves it (`start()`/`stop()` or `serve_forever()`);
`server.ensure_store(config)` generates or reuses the store; `generate.generate(path,
shape)` writes a store directly.

Modules: teams (the teams served, their derived identities), resources (the catalog
of collections, filters, sorts), store (SQLite), generate + people + records + vocab
(data), query + reads + render (lists), writes + cadences (writes), oauth, ratelimit,
faults, stats, control + mutate (/_sandbox/*), app (routing to teams, WSGI pipeline),
http (request/response helpers), server, cli, testing.
"""
