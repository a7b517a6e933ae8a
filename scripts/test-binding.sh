#!/usr/bin/env bash
# The tenant binding ends with its transaction (issue 9), proven where it matters: behind
# pgbouncer in transaction mode (one server connection shared by every client), and for
# what only a new connection shows (connection options, role and database settings, the
# pin of an AI login). Runs against database $1 (every migration deployed by the caller) on
# the current cluster (PGHOST/PGPORT/PGUSER of a superuser, as scripts/cluster.sh env
# prints them); pgbouncer listens on a Unix socket beside the server's, port PGPORT+1.
# TAP-like output; exits non-zero when any test fails. Logins t9_app (a member of woo_app)
# and t9_ai (made by woo.create_ai_login) are created here and dropped at the end.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tap.sh"
db=${1:?usage: test-binding.sh DBNAME}
A=a9000000-0000-4000-8000-000000000000
B=b9000000-0000-4000-8000-000000000000
BPORT=$((PGPORT + 1))
command -v pgbouncer >/dev/null || { echo "Bail out! pgbouncer not installed (scripts/deps.sh)"; exit 1; }


q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" "$@" 2>&1; }          # superuser, direct
app() { psql -X -q -A -t -U t9_app -d "$db" "$@" 2>&1; }                  # the application, direct
pooled() { psql -X -q -A -t -h "$PGHOST" -p "$BPORT" -U t9_app -d "$db" "$@" 2>&1; }  # through pgbouncer
ai() { psql -X -q -A -t -U t9_ai -d "$db" "$@" 2>&1; }                    # the AI login, direct

cleanup() {
  [ -n "${bouncer_pid:-}" ] && kill "$bouncer_pid" 2>/dev/null
  psql -X -q -d "$db" -c "SET client_min_messages = warning" -c "ALTER DATABASE \"$db\" RESET ALL" \
       -c "DROP ROLE IF EXISTS t9_app" -c "DROP ROLE IF EXISTS t9_ai" >/dev/null 2>&1
}
trap cleanup EXIT

# Fixture: store A has 3 orders, store B 2; the application's login.
q -c "SET client_min_messages = warning" -c "DROP ROLE IF EXISTS t9_app" -c "DROP ROLE IF EXISTS t9_ai" \
  -c "CREATE ROLE t9_app LOGIN IN ROLE woo_app" \
  -c "INSERT INTO stores (id, store_url, api_key_hash) VALUES ('$A', 'https://a9.example', 'h'), ('$B', 'https://b9.example', 'h')" \
  -c "INSERT INTO orders (store_id, wc_order_id, date_created, status, total)
      SELECT s, g, now(), 'completed', 1 FROM (VALUES ('$A'::uuid, 3), ('$B'::uuid, 2)) v(s, k), generate_series(1, k) g" \
  -c "SELECT woo.create_ai_login('$A', 't9_ai', 'unused')" >/dev/null || { echo "Bail out! fixture failed"; exit 1; }

# pgbouncer, transaction mode, one server connection for every client.
bdir="$WOO_CLUSTER_DIR/pgbouncer"
rm -rf "$bdir"; mkdir -p "$bdir"
cat >"$bdir/pgbouncer.ini" <<INI
[databases]
$db = host=$PGHOST port=$PGPORT dbname=$db pool_size=1
[pgbouncer]
listen_addr =
listen_port = $BPORT
unix_socket_dir = $PGHOST
pool_mode = transaction
auth_type = trust
auth_file = $bdir/users.txt
logfile = $bdir/pgbouncer.log
pidfile = $bdir/pgbouncer.pid
max_client_conn = 20
default_pool_size = 1
INI
printf '"t9_app" ""\n"t9_ai" ""\n' >"$bdir/users.txt"
if [ "$(id -u)" -eq 0 ]; then
  chown -R postgres "$bdir"
  runuser -u postgres -- pgbouncer "$bdir/pgbouncer.ini" >/dev/null 2>&1 &
else
  pgbouncer "$bdir/pgbouncer.ini" >/dev/null 2>&1 &
fi
for _ in $(seq 50); do [ -S "$PGHOST/.s.PGSQL.$BPORT" ] && break; sleep 0.1; done
bouncer_pid=$(cat "$bdir/pgbouncer.pid" 2>/dev/null)
[ -n "$bouncer_pid" ] || { echo "Bail out! pgbouncer did not start"; cat "$bdir/pgbouncer.log"; exit 1; }

# 1. Behind the pooler: client 1 tries every session-level binding, client 2 gets the same backend.
pid1=$(pooled -c "SELECT pg_backend_pid()")
like "$(pooled -c "SET woo.store_id = '$A'")" "ERROR: +SET woo.store_id binds a store for the session" \
     "pooled client 1: SET woo.store_id (session level) fails loudly"
like "$(pooled -c "SELECT set_config('woo.store_id', '$A', false)")" "ERROR: +woo.store_id was set for the session" \
     "pooled client 1: set_config('woo.store_id', …, false) fails at commit"
is "$(pooled -c "BEGIN" -c "SET LOCAL woo.store_id = '$A'" -c "SELECT count(*) FROM orders" -c "COMMIT")" 3 \
   "pooled client 1: SET LOCAL binds store A for its transaction (3 orders)"
is "$(pooled -c "BEGIN" -c "SELECT woo.set_store('$B')" -c "SELECT count(*) FROM orders" -c "COMMIT" | tr '\n' ' ')" "$B 2 " \
   "pooled client 1: woo.set_store() binds store B for its transaction (2 orders)"
pid2=$(pooled -c "SELECT pg_backend_pid()")
is "$pid2" "$pid1" "pooled client 2 runs on the same server backend as client 1"
like "$(pooled -c "SELECT count(*) FROM orders")" "ERROR: +no store is bound to this transaction" \
     "pooled client 2: nothing client 1 did leaves a store bound (its read fails, 42501)"
is "$(pooled -c "SELECT current_setting('woo.store_id')")" "" "pooled client 2: woo.store_id is empty"

# 2. Directly: DISCARD ALL, RESET ALL, connection options, role and database settings.
like "$(app -c "BEGIN" -c "SET LOCAL woo.store_id = '$A'" -c "RESET ALL" -c "SELECT count(*) FROM orders")" \
     "ERROR: +no store is bound" "RESET ALL leaves nothing bound, even inside the binding transaction"
like "$(app -c "SELECT set_config('woo.store_id', '$A', false)" -c "DISCARD ALL" -c "SELECT count(*) FROM orders")" \
     "ERROR: +no store is bound" "set_config(…, false) then DISCARD ALL: nothing bound"
like "$(PGOPTIONS="-c woo.store_id=$A" app -c "SELECT count(*) FROM orders")" \
     "woo.store_id binds one transaction: it cannot come from connection options" \
     "PGOPTIONS='-c woo.store_id=…' is refused at connection"
like "$(app -c "ALTER ROLE CURRENT_USER SET woo.store_id = '$A'")" \
     "ERROR: +invalid value for parameter \"woo.store_id\"" "ALTER ROLE <self> SET woo.store_id is refused (the app holds SET on it)"
q -c "ALTER ROLE t9_app SET woo.store_id = '$A'" >/dev/null   # a DBA's mistake: the superuser may
out=$(app -c "SELECT count(*) FROM orders")
like "$out" "no store is bound" "a role setting of woo.store_id made by a superuser does not bind an application login"
like "$out" "WARNING: +invalid value for parameter \"woo.store_id\"" "… and says so at connection (WARNING)"
q -c "ALTER ROLE t9_app RESET woo.store_id" -c "ALTER DATABASE \"$db\" SET woo.store_id = '$A'" >/dev/null
like "$(app -c "SELECT count(*) FROM orders")" "no store is bound" "a database setting of woo.store_id binds nobody"
q -c "ALTER DATABASE \"$db\" RESET woo.store_id" >/dev/null

# 3. The AI login pinned by woo.create_ai_login keeps its store, and cannot loosen its pins.
is "$(ai -c "SELECT count(*) FROM orders")" 3 "AI login: pinned to store A (3 orders)"
is "$(ai -c "DISCARD ALL" -c "RESET ALL" -c "SELECT count(*) FROM orders")" "3" "AI login: still store A after DISCARD ALL / RESET ALL"
is "$(psql -X -q -A -t -h "$PGHOST" -p "$BPORT" -U t9_ai -d "$db" -c "SELECT count(*) FROM orders" 2>&1)" 3 \
   "AI login through the pooler: store A"
like "$(ai -c "ALTER ROLE CURRENT_USER SET statement_timeout = 0")" "ERROR: +AI logins may not run ALTER ROLE" \
     "AI login: ALTER ROLE <self> SET statement_timeout is refused"
like "$(ai -c "ALTER ROLE CURRENT_USER RESET ALL")" "ERROR: +AI logins may not run ALTER ROLE" "AI login: ALTER ROLE <self> RESET ALL is refused"
like "$(ai -c "ALTER ROLE CURRENT_USER PASSWORD 'x'")" "ERROR: +AI logins may not run ALTER ROLE" "AI login: ALTER ROLE <self> PASSWORD is refused"
like "$(ai -c "SET default_transaction_read_only = off")" "ERROR: +AI logins may not change default_transaction_read_only" \
     "AI login: SET default_transaction_read_only = off is refused"
like "$(ai -c "LISTEN c")" "ERROR: +AI logins may not run LISTEN" "AI login: LISTEN is refused"
like "$(ai -c "BEGIN READ WRITE")" "ERROR: +AI logins may not start a READ WRITE transaction" "AI login: BEGIN READ WRITE is refused"
like "$(PGOPTIONS="-c statement_timeout=0" ai -c "SELECT count(*) FROM orders")" "FATAL: +AI logins may not set statement_timeout" \
     "AI login: PGOPTIONS='-c statement_timeout=0' ends the session at its first statement"
is "$(q -c "SELECT s FROM pg_db_role_setting d, unnest(d.setconfig) s WHERE d.setrole = 't9_ai'::regrole ORDER BY s" | tr '\n' ' ')" \
   "default_transaction_read_only=on search_path=pg_catalog, public, pg_temp statement_timeout=5s woo.store_id=$A " \
   "AI login: its pinned settings are unchanged"

done_testing
