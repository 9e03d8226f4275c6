#!/usr/bin/env bash
# `make demo`: the provider sandbox, the demo setup, a first sync with its progress bars,
# then the portal and the Django-Q2 workers together. Ctrl-C stops everything started here.
set -euo pipefail

PY=${PY:-.venv/bin/python}
PORT=${PORT:-8000}
SANDBOX_PORT=${SANDBOX_PORT:-8765}
DEMO_PEOPLE=${DEMO_PEOPLE:-3000}
VAR=${GLUE_VAR_DIR:-var}
SANDBOX_URL="http://127.0.0.1:${SANDBOX_PORT}"
# The portal's own address, for the OAuth redirect URL and connect links.
export PUBLIC_URL=${PUBLIC_URL:-http://127.0.0.1:${PORT}}
# The sandbox's host: provider endpoints (and so credentials) may point only at the real
# provider's hosts and these.
export PROVIDER_ALLOWED_HOSTS=${PROVIDER_ALLOWED_HOSTS:-127.0.0.1,localhost}
# Webhook endpoints on this machine (a local receiver) are allowed in the demo.
export WEBHOOK_ALLOW_PRIVATE_NETWORKS=${WEBHOOK_ALLOW_PRIVATE_NETWORKS:-true}
mkdir -p "$VAR"

# With DEBUG off Glue starts only with its keys in the environment. The demo makes its own
# once, keeps them under var/ (readable by you alone; the demo database is encrypted with
# them) and exports them; values already exported win.
demo_key() {  # demo_key FILE PYTHON-EXPRESSION
  if [ ! -s "$VAR/$1" ]; then
    (umask 077 && "$PY" -c "import secrets; from cryptography.fernet import Fernet; print($2)" >"$VAR/$1")
  fi
  cat "$VAR/$1"
}
export SECRET_KEY=${SECRET_KEY:-$(demo_key secret_key "secrets.token_urlsafe(50)")}
export FIELD_ENCRYPTION_KEYS=${FIELD_ENCRYPTION_KEYS:-$(demo_key field_encryption_key "Fernet.generate_key().decode()")}

pids=()
stop_all() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
  echo "Demo stopped."
}
trap stop_all INT TERM EXIT

# The sandbox's credentials (its deterministic defaults unless exported), handed to both the
# sandbox and demo_setup: Glue itself never imports the sandbox (a separate package).
read -r api_key client_id client_secret < <("$PY" -c "from salesloft_sandbox import defaults as d
print(d.DEFAULT_API_KEY, d.DEFAULT_CLIENT_ID, d.DEFAULT_CLIENT_SECRET)")
SANDBOX_API_KEY=${SANDBOX_API_KEY:-$api_key}
SANDBOX_CLIENT_ID=${SANDBOX_CLIENT_ID:-$client_id}
SANDBOX_CLIENT_SECRET=${SANDBOX_CLIENT_SECRET:-$client_secret}
sandbox_credentials=(--api-key "$SANDBOX_API_KEY" --client-id "$SANDBOX_CLIENT_ID"
  --client-secret "$SANDBOX_CLIENT_SECRET")

echo "Starting the provider sandbox on ${SANDBOX_URL} (${DEMO_PEOPLE} people, data in ${VAR}/sandbox, log in ${VAR}/sandbox.log)"
"$PY" -m salesloft_sandbox --port "$SANDBOX_PORT" --people "$DEMO_PEOPLE" \
  --data-dir "$VAR/sandbox" --auto-approve "${sandbox_credentials[@]}" >"$VAR/sandbox.log" 2>&1 &
pids+=($!)

# Up when it answers anything over HTTP (401 without a key is fine); generating a fresh
# store takes a few seconds the first time.
"$PY" - "$SANDBOX_URL" "${pids[0]}" <<'PYEOF'
import os, sys, time, urllib.error, urllib.request
url, pid = sys.argv[1], int(sys.argv[2])
for _ in range(600):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit("The sandbox exited: see var/sandbox.log")
    try:
        urllib.request.urlopen(url + "/v2/team", timeout=2)
        sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)
    except OSError:
        time.sleep(0.5)
sys.exit("The sandbox did not start within 5 minutes: see var/sandbox.log")
PYEOF

"$PY" manage.py migrate --no-input
"$PY" manage.py demo_setup --sandbox-url "$SANDBOX_URL" "${sandbox_credentials[@]}"
"$PY" manage.py sync --customer demo-customer

echo
echo "Portal: http://127.0.0.1:${PORT}/admin/  (login admin / admin; demo only)"
echo "Workers: manage.py qcluster (the heartbeat enqueues due syncs every minute). Ctrl-C stops all."
"$PY" manage.py runserver "127.0.0.1:${PORT}" --noreload &
pids+=($!)
"$PY" manage.py qcluster &
pids+=($!)
wait -n "${pids[@]}"
