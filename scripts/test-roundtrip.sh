#!/usr/bin/env bash
# sqitch round trip on an EMPTY database: deploy -> verify -> revert (all gone)
# -> deploy -> verify, and proof that verify fails loudly when an object is
# missing. Usage: test-roundtrip.sh DBNAME  (PGHOST/PGPORT/PGUSER of a cluster)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

db=${1:?usage: test-roundtrip.sh DBNAME}
target=$(sqitch_target "$db")
q() { psql -X -qAt -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { echo "not ok - $1" >&2; exit 1; }

fresh_db "$db"
sq deploy "$target" >/dev/null || fail "deploy on an empty database"
ok "deploy on an empty database"
sq verify "$target" >/dev/null || fail "verify after deploy"
ok "verify after deploy"

sq revert -y "$target" >/dev/null || fail "revert everything"
ok "revert everything"
left=$(q "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname IN ('public', 'woo') AND c.relkind IN ('r', 'p', 'v', 'm', 'i', 'S')")
[ "$left" = 0 ] || fail "revert left $left relations in public/woo"
ok "no table, index or view left in public or woo"
[ "$(q "SELECT count(*) FROM pg_extension WHERE extname = 'pg_woocommerce'")" = 0 ] || fail "extension left"
[ "$(q "SELECT count(*) FROM pg_namespace WHERE nspname = 'woo'")" = 0 ] || fail "schema woo left"
ok "extension and schema woo gone"
[ "$(q "SELECT count(*) FROM pg_policies")" = 0 ] || fail "policies left"
ok "no policy left"
# Roles are cluster-wide: they stay only while another database still uses them.
others=$(psql -X -qAt -d postgres -c "SELECT count(*) FROM pg_database WHERE datname NOT IN ('$db', 'postgres', 'template0', 'template1')")
roles=$(q "SELECT count(*) FROM pg_roles WHERE rolname IN ('woo_owner', 'woo_app', 'woo_ai')")
if [ "$others" = 0 ]; then
  [ "$roles" = 0 ] || fail "roles left although no other database uses them"
  ok "roles dropped"
else
  ok "roles kept for $others other database(s) of the cluster ($roles of 3)"
fi

sq deploy "$target" >/dev/null || fail "deploy again after revert"
ok "deploy again after revert"
sq verify "$target" >/dev/null || fail "verify after second deploy"
ok "verify after second deploy"

# Verify must fail loudly when what it checks is missing.
q "DROP INDEX public.idx_orders_store_status"
if sq verify "$target" >/dev/null 2>&1; then fail "verify passed with idx_orders_store_status missing"; fi
ok "verify fails when idx_orders_store_status is missing"
q "CREATE INDEX idx_orders_store_status ON public.orders (store_id, status)"
q "ALTER TABLE public.orders NO FORCE ROW LEVEL SECURITY"
if sq verify "$target" >/dev/null 2>&1; then fail "verify passed with RLS not forced on orders"; fi
ok "verify fails when orders no longer forces RLS"
q "ALTER TABLE public.orders FORCE ROW LEVEL SECURITY"
sq verify "$target" >/dev/null || fail "verify after repair"
ok "verify passes again after repair"
echo "1..$n"
