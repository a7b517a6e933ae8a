#!/usr/bin/env bash
# sqitch round trip on an EMPTY database, run from the repository root with
# `sqitch -C migrations`:
#   deploy -> verify -> revert -y -> (nothing left) -> deploy -> verify,
# then proof that verify fails loudly when something it checks is missing.
#
# Usage:
#   PSQL_CONN='host=/tmp/sock port=55431 user=postgres dbname=woo_rt' \
#     scripts/test-roundtrip.sh 'db:pg://postgres@%2Ftmp%2Fsock:55431/woo_rt'
#       the database must exist and be empty; PSQL_CONN is how psql reaches it.
#   scripts/test-roundtrip.sh DBNAME
#       (what `make test` uses) DBNAME of the cluster in PGHOST/PGPORT/PGUSER is
#       dropped and created empty first.
# Prints one "ok N - ..." line per check and a summary; exits non-zero on the
# first failure.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
export SQITCH_FULLNAME="pg_woocommerce developers" SQITCH_EMAIL="dev@pg-woocommerce.invalid"
export PSQLRC=/dev/null
source "$ROOT/scripts/tap.sh"

arg=${1:?usage: test-roundtrip.sh SQITCH_TARGET_URI (with PSQL_CONN) | DBNAME}
if [[ $arg == db:* ]]; then
  target=$arg
  conn=${PSQL_CONN:?set PSQL_CONN to a libpq connection string for the same database}
else
  source "$ROOT/scripts/lib.sh"
  fresh_db "$arg"
  target=$(sqitch_target "$arg")
  conn="dbname=$arg"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {  # fail DESCRIPTION [FILE]: the check fails (FILE shown), and the round trip stops
  not_ok "$1" ${2:+"$(cat "$2")"}
  echo "# round trip: FAIL after $((tap_n - 1)) passing checks"
  exit 1
}
q() { psql -X -qAt -v ON_ERROR_STOP=1 -d "$conn" -c "$1"; }
# sqitch from the repository root; output kept for the failure message.
sq_logged() { (cd "$ROOT" && sqitch -C migrations "$@") >"$work/sqitch.log" 2>&1; }

# Everything a database holds that our migrations could leave behind, outside
# the sqitch registry: objects created after initdb (oid >= 16384) in the
# catalogs below, and every privilege (database, schemas, built-in functions
# and views: ai_hardening revokes some) with defaults made explicit, so
# "revoked then granted back" compares equal to "never touched".
SNAPSHOT=$(cat <<'SQL'
WITH reg AS (SELECT oid FROM pg_namespace WHERE nspname = 'sqitch')
SELECT line FROM (
  SELECT 'object ' || pg_describe_object('pg_class'::regclass, c.oid, 0) AS line FROM pg_class c
   WHERE c.oid >= 16384 AND c.relnamespace NOT IN (SELECT oid FROM reg) AND c.relnamespace <> 'pg_toast'::regnamespace
  UNION ALL SELECT 'object ' || pg_describe_object('pg_proc'::regclass, p.oid, 0) FROM pg_proc p
   WHERE p.oid >= 16384 AND p.pronamespace NOT IN (SELECT oid FROM reg)
  UNION ALL SELECT 'object ' || pg_describe_object('pg_type'::regclass, t.oid, 0) FROM pg_type t
   WHERE t.oid >= 16384 AND t.typnamespace NOT IN (SELECT oid FROM reg)
  UNION ALL SELECT 'object ' || pg_describe_object('pg_constraint'::regclass, k.oid, 0) FROM pg_constraint k
   WHERE k.oid >= 16384 AND k.connamespace NOT IN (SELECT oid FROM reg)
  UNION ALL SELECT 'object ' || pg_describe_object('pg_policy'::regclass, oid, 0) FROM pg_policy
  UNION ALL SELECT 'object ' || pg_describe_object('pg_trigger'::regclass, g.oid, 0) FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
   WHERE g.oid >= 16384 AND c.relnamespace NOT IN (SELECT oid FROM reg)
  UNION ALL SELECT 'object ' || pg_describe_object('pg_event_trigger'::regclass, oid, 0) FROM pg_event_trigger
  UNION ALL SELECT 'object ' || pg_describe_object('pg_cast'::regclass, oid, 0) FROM pg_cast WHERE oid >= 16384
  UNION ALL SELECT 'object ' || pg_describe_object('pg_operator'::regclass, oid, 0) FROM pg_operator WHERE oid >= 16384
  UNION ALL SELECT 'object ' || pg_describe_object('pg_publication'::regclass, oid, 0) FROM pg_publication
  UNION ALL SELECT 'object default privileges ' || d.defaclrole::regrole::text || ' ' || d.defaclobjtype::text || ' ' || d.defaclacl::text FROM pg_default_acl d
  UNION ALL SELECT 'extension ' || extname || ' ' || extversion FROM pg_extension
  UNION ALL SELECT 'schema ' || nspname || ' owner ' || nspowner::regrole || ' acl ' ||
         (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(coalesce(nspacl, acldefault('n', nspowner))) x)
    FROM pg_namespace WHERE oid NOT IN (SELECT oid FROM reg) AND nspname NOT LIKE 'pg\_temp\_%' AND nspname NOT LIKE 'pg\_toast\_temp\_%'
  UNION ALL SELECT 'database acl ' ||
         (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(coalesce(datacl, acldefault('d', datdba))) x)
    FROM pg_database WHERE datname = current_database()
  UNION ALL SELECT 'builtin function ' || p.oid::regprocedure || ' acl ' ||
         (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(coalesce(p.proacl, acldefault('f', p.proowner))) x)
    FROM pg_proc p WHERE p.oid < 16384 AND p.proacl IS NOT NULL
  UNION ALL SELECT 'builtin relation ' || c.oid::regclass || ' acl ' ||
         (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(coalesce(c.relacl, acldefault('r', c.relowner))) x)
    FROM pg_class c WHERE c.oid < 16384 AND c.relacl IS NOT NULL
) s
ORDER BY line
SQL
)
# "builtin ... acl" lines are listed only when the ACL is not NULL; a revert
# that GRANTs back a default privilege leaves an explicit ACL equal to the
# default, so normalise: drop lines whose ACL equals the built-in default.
snapshot() {
  q "$SNAPSHOT" >"$work/raw" 2>"$work/psql.err" || return 1
  q "SELECT 'builtin function ' || p.oid::regprocedure || ' acl ' ||
            (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(acldefault('f', p.proowner)) x)
       FROM pg_proc p WHERE p.oid < 16384 AND p.proacl IS NOT NULL
     UNION ALL
     SELECT 'builtin relation ' || c.oid::regclass || ' acl ' ||
            (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(acldefault('r', c.relowner)) x)
       FROM pg_class c WHERE c.oid < 16384 AND c.relacl IS NOT NULL" >"$work/defaults" 2>"$work/psql.err" || return 1
  LC_ALL=C comm -23 <(LC_ALL=C sort "$work/raw") <(LC_ALL=C sort "$work/defaults") >"$1"
}

# --- 0. the database is empty ----------------------------------------------------
q "SELECT 1" >/dev/null || fail "psql reaches the database ($conn)"
[ "$(q "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")" = 0 ] &&
  [ "$(q "SELECT count(*) FROM pg_namespace WHERE nspname IN ('woo', 'sqitch')")" = 0 ] &&
  [ "$(q "SELECT count(*) FROM pg_extension WHERE extname = 'pg_woocommerce'")" = 0 ] ||
  fail "the database is empty (no relation in public, no schema woo or sqitch, no extension)"
ok "the database is empty"
snapshot "$work/before" || fail "snapshot of the empty database's objects and privileges" "$work/psql.err"

# --- 1. deploy, verify ---------------------------------------------------------
sq_logged deploy "$target" || fail "sqitch deploy on the empty database" "$work/sqitch.log"
ok "sqitch -C migrations deploy"
changes=$(q "SELECT count(*) FROM sqitch.changes WHERE project = 'pg_woocommerce'")
planned=$(grep -cE '^[A-Za-z0-9_]+( |$)' "$ROOT/migrations/sqitch.plan")
[ "$changes" = "$planned" ] || fail "deployed $changes changes, the plan has $planned"
ok "all $planned planned changes deployed"
sq_logged verify "$target" || fail "sqitch verify after deploy" "$work/sqitch.log"
ok "sqitch verify after deploy"

# --- 2. revert everything: nothing is left -------------------------------------
sq_logged revert -y "$target" || fail "sqitch revert -y" "$work/sqitch.log"
ok "sqitch revert -y"
[ "$(q "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")" = 0 ] ||
  fail "no relation left in public: $(q "SELECT string_agg(relname, ' ') FROM pg_class WHERE relnamespace = 'public'::regnamespace")"
ok "no table, index, sequence or view left in public"
[ "$(q "SELECT count(*) FROM pg_namespace WHERE nspname = 'woo'")" = 0 ] || fail "schema woo is gone"
ok "schema woo is gone"
[ "$(q "SELECT count(*) FROM pg_extension WHERE extname = 'pg_woocommerce'")" = 0 ] || fail "extension pg_woocommerce is gone"
ok "extension pg_woocommerce is gone"
extra=$(q "SELECT coalesce(string_agg(nspname, ' '), '') FROM pg_namespace
            WHERE nspname NOT IN ('public', 'sqitch', 'pg_catalog', 'information_schema', 'pg_toast')
              AND nspname NOT LIKE 'pg\_temp\_%' AND nspname NOT LIKE 'pg\_toast\_temp\_%'")
[ -z "$extra" ] || fail "only the sqitch registry schema is added (left: $extra)"
ok "no schema left but the sqitch registry"
[ "$(q "SELECT count(*) FROM sqitch.changes WHERE project = 'pg_woocommerce'")" = 0 ] ||
  fail "the registry records no deployed change"
ok "the registry records no deployed change"
snapshot "$work/after" || fail "snapshot of the database's objects and privileges after the revert" "$work/psql.err"
diff -u "$work/before" "$work/after" >"$work/diff" ||
  fail "objects and privileges are as before the first deploy ($(wc -l <"$work/before") lines compared)" "$work/diff"
ok "objects and privileges are exactly as before the first deploy ($(wc -l <"$work/before") lines compared)"
# Roles are cluster-wide: the revert drops them unless another database still
# uses them. Nothing of this database may reference them any more, and a role
# that stays must be referenced by some other database.
mine=$(q "SELECT count(*) FROM pg_shdepend d JOIN pg_roles r ON d.refclassid = 'pg_authid'::regclass AND d.refobjid = r.oid
           WHERE r.rolname IN ('woo_owner', 'woo_app', 'woo_ai')
             AND d.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())")
[ "$mine" = 0 ] || fail "nothing in this database references the roles woo_owner, woo_app, woo_ai ($mine references)"
unused=$(q "SELECT coalesce(string_agg(r.rolname, ' '), '') FROM pg_roles r
             WHERE r.rolname IN ('woo_owner', 'woo_app', 'woo_ai')
               AND NOT EXISTS (SELECT 1 FROM pg_shdepend d
                                WHERE d.refclassid = 'pg_authid'::regclass AND d.refobjid = r.oid AND d.dbid <> 0)")
[ -z "$unused" ] || fail "roles no other database uses are dropped (left: $unused)"
kept=$(q "SELECT count(*) FROM pg_roles WHERE rolname IN ('woo_owner', 'woo_app', 'woo_ai')")
ok "roles woo_owner, woo_app, woo_ai: nothing here references them; $kept of 3 kept, each still used by another database"

# --- 3. deploy again, verify ---------------------------------------------------
sq_logged deploy "$target" || fail "sqitch deploy after revert" "$work/sqitch.log"
ok "sqitch deploy again after revert"
sq_logged verify "$target" || fail "sqitch verify after the second deploy" "$work/sqitch.log"
ok "sqitch verify after the second deploy"

# --- 4. verify fails loudly when what it checks is missing ---------------------
# expect_verify_fails CHANGE DESCRIPTION: sqitch verify must exit non-zero and
# report CHANGE's verify script as the one that failed.
expect_verify_fails() {
  if sq_logged verify "$target"; then fail "sqitch verify fails when $2" "$work/sqitch.log"; fi
  grep -Fq "# Verify script \"verify/$1.sql\" failed." "$work/sqitch.log" ||
    fail "sqitch verify fails when $2, and names change $1" "$work/sqitch.log"
  ok "sqitch verify fails (non-zero, change $1 not ok) when $2"
}
q "DROP INDEX public.idx_orders_store_status"
expect_verify_fails orders "index idx_orders_store_status is missing"
q "CREATE INDEX idx_orders_store_status ON public.orders (store_id, status)"
q "ALTER TABLE public.stores DROP CONSTRAINT stores_store_url_key"
expect_verify_fails stores "UNIQUE (store_url) on stores is missing"
q "ALTER TABLE public.stores ADD CONSTRAINT stores_store_url_key UNIQUE (store_url)"
q "ALTER TABLE public.orders NO FORCE ROW LEVEL SECURITY"
expect_verify_fails rls "orders no longer forces row-level security"
q "ALTER TABLE public.orders FORCE ROW LEVEL SECURITY"
sq_logged verify "$target" || fail "sqitch verify passes again after the repairs" "$work/sqitch.log"
ok "sqitch verify passes again after the repairs"

echo "# round trip: PASS ($tap_n checks)"
done_testing
