# Shared helpers for the demo/test/bench scripts (sourced, not run).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export SQITCH_FULLNAME="pg_woocommerce developers" SQITCH_EMAIL="dev@pg-woocommerce.invalid"
export PSQLRC=/dev/null
# The PostgreSQL installation every script uses (the Makefile honours the same variable).
export PG_CONFIG=${PG_CONFIG:-$(command -v /usr/lib/postgresql/15/bin/pg_config || command -v pg_config)}

# Starts cluster $1 and exports its connection settings.
use_cluster() {
  "$ROOT/scripts/cluster.sh" start "$1"
  eval "$("$ROOT/scripts/cluster.sh" env "$1")"
}

# sqitch target URI for database $1 of the current cluster (socket path URL-encoded).
sqitch_target() {
  local host=${PGHOST//\//%2F}
  printf 'db:pg://postgres@%s:%s/%s' "$host" "$PGPORT" "$1"
}

sq() { (cd "$ROOT/migrations" && sqitch --quiet "$@"); }

# Creates database $1 from scratch.
fresh_db() {
  psql -q -X -d postgres -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" -c "CREATE DATABASE \"$1\""
}

# Fails when the server log shows a crashed backend.
assert_no_crash() {
  if grep -E "terminated by signal|server process .* was terminated|PANIC" "$WOO_SERVER_LOG"; then
    echo "server log shows a crashed backend" >&2
    return 1
  fi
}
