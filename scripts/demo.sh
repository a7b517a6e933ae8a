#!/usr/bin/env bash
# make demo: a private cluster with every migration deployed, showing the
# extension at work. Idempotent: each run starts the demo cluster afresh.
# The extension must be built and installed first (the Makefile does that).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
sql() { psql -X -q -v ON_ERROR_STOP=1 -d woo_demo "$@"; }

say "Starting a private PostgreSQL (demo cluster)"
use_cluster demo
fresh_db woo_demo

say "Deploying the sqitch migrations (migrations/sqitch.plan)"
sq deploy --verify "$(sqitch_target woo_demo)"
sq status "$(sqitch_target woo_demo)" | tail -n 3

say "Extension and schema"
sql -c "SELECT extname, extversion FROM pg_extension WHERE extname = 'pg_woocommerce'" \
    -c "\dt public.*"

say "woo.hash_email: emails are stored only as SHA-256 hashes"
sql -c "SELECT e AS email, woo.normalize_email(e) AS normal_form, woo.hash_email(e) AS email_hash
          FROM (VALUES ('  Jane.Doe@Example.COM '), ('jane.doe@example.com'), ('   ')) v(e)" \
    -c "SELECT e AS email, woo.normalize_email(e, true) AS gmail_canonical, left(woo.hash_email(e, true), 16) || '…' AS hash_prefix
          FROM (VALUES ('John.Smith+News@Gmail.com'), ('johnsmith@googlemail.com')) v(e)"

say "Done"
cat <<MSG
The demo cluster keeps running: connect with
  psql -h '$PGHOST' -p $PGPORT -U postgres woo_demo
and stop it with: make demo-stop
MSG
