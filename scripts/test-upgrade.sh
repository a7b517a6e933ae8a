#!/usr/bin/env bash
# Upgrade-path test: installing the current version directly and reaching it
# from 1.0 through every upgrade script must give the same objects; walking
# back down through the downgrade scripts must give each version's objects again.
# Needs PGHOST/PGPORT/PGUSER of a running cluster with the extension installed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tap.sh"

latest=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$ROOT/extension/pg_woocommerce.control")
# Every version from 1.0 up to the latest, in order, from the upgrade scripts' names.
mapfile -t versions < <( { echo 1.0; ls "$ROOT"/sql/pg_woocommerce--*--*.sql 2>/dev/null |
  sed -E 's/.*--([0-9.]+)--([0-9.]+)\.sql$/\2/'; } | sort -uV)
[ "${versions[-1]}" = "$latest" ] || { echo "upgrade chain ends at ${versions[-1]}, control says $latest" >&2; exit 1; }

# One line per extension member: identity plus a digest of its definition
# (function text, privileges as a sorted list with defaults made explicit, comment).
SNAPSHOT="SELECT pg_describe_object(d.classid, d.objid, d.objsubid) || ' ' || md5(coalesce(
    CASE d.classid
      WHEN 'pg_proc'::regclass THEN (SELECT pg_get_functiondef(p.oid) || (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(coalesce(p.proacl, acldefault('f', p.proowner))) x) ||
                                            coalesce(obj_description(p.oid, 'pg_proc'), '') FROM pg_proc p WHERE p.oid = d.objid)
      WHEN 'pg_class'::regclass THEN (SELECT c.relkind::text || (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(coalesce(c.relacl, acldefault('r', c.relowner))) x) || coalesce(string_agg(
                                            a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ',' ORDER BY a.attnum), '')
                                        FROM pg_class c LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                                       WHERE c.oid = d.objid GROUP BY c.oid)
      WHEN 'pg_type'::regclass THEN (SELECT format_type(d.objid, NULL))
      WHEN 'pg_namespace'::regclass THEN (SELECT (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(coalesce(n.nspacl, acldefault('n', n.nspowner))) x) || coalesce(obj_description(n.oid, 'pg_namespace'), '')
                                            FROM pg_namespace n WHERE n.oid = d.objid)
    END, ''))
  FROM pg_depend d JOIN pg_extension e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
 WHERE e.extname = 'pg_woocommerce' AND d.deptype = 'e'
 ORDER BY 1"

snap() { psql -X -qAt -v ON_ERROR_STOP=1 -d "$1" -c "$SNAPSHOT"; }
q() { psql -X -qAt -v ON_ERROR_STOP=1 -d "$1" -c "$2" >/dev/null; }

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
check() {  # name file-a file-b
  if diff -u "$2" "$3" >"$work/diff"; then ok "$1 ($(wc -l <"$2") objects)"; else not_ok "$1" "$(cat "$work/diff")"; fi
}

fresh_db woo_upgrade_direct
q woo_upgrade_direct "CREATE EXTENSION pg_woocommerce"
snap woo_upgrade_direct >"$work/direct"

fresh_db woo_upgrade_chain
q woo_upgrade_chain "CREATE EXTENSION pg_woocommerce VERSION '1.0'"
snap woo_upgrade_chain >"$work/up-1.0"
for v in "${versions[@]:1}"; do
  q woo_upgrade_chain "ALTER EXTENSION pg_woocommerce UPDATE TO '$v'"
  snap woo_upgrade_chain >"$work/up-$v"
done
check "1.0 -> ${versions[*]:1} gives the same objects as CREATE EXTENSION $latest" "$work/direct" "$work/up-$latest"

for ((i = ${#versions[@]} - 2; i >= 0; i--)); do
  v=${versions[$i]}
  q woo_upgrade_chain "ALTER EXTENSION pg_woocommerce UPDATE TO '$v'"
  snap woo_upgrade_chain >"$work/down-$v"
  check "downgrade to $v restores $v's objects" "$work/up-$v" "$work/down-$v"
done
[ ${#versions[@]} -gt 1 ] || ok "only version 1.0 exists: no upgrade scripts to walk yet"

psql -X -q -d postgres -c "DROP DATABASE woo_upgrade_direct" -c "DROP DATABASE woo_upgrade_chain"
done_testing
