#!/usr/bin/env bash
# make installcheck's database: contrib_regression, created afresh with every
# sqitch migration deployed (the tables the extension works on live in the
# migrations). Runs against the server libpq's PGHOST/PGPORT name, which must
# preload the library (shared_preload_libraries = 'pg_woocommerce', as
# scripts/cluster.sh configures it; test/woo.conf for a temporary instance).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
db=${1:-contrib_regression}
fresh_db "$db"
sq deploy "$(sqitch_target "$db")" >/dev/null
