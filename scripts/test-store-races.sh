#!/usr/bin/env bash
# Races of the 1.5 store functions, each played step by step (two sessions, the
# wait observed in pg_stat_activity, never hoped for):
#   1. two sessions append to one conversation: session 1 appends and keeps its
#      transaction open, session 2 appends and blocks on it, session 1 commits;
#      both messages must land, in that order;
#   2. the same with woo.conversation_max_messages reached by session 1's append:
#      session 2 must be refused (54000), not exceed the cap;
#   3. two sessions save a chart of one store: both get distinct, dense positions;
#   4. two sessions register one site at once: one store, the second gets the clear 23505.
# Needs a deployed database ($1).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tap.sh"
db=${1:?usage: test-store-races.sh DBNAME}
store=c0c0c0c0-0000-4000-8000-0000000000c1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
q() { psql -X -qAt -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }
q "INSERT INTO public.stores (id, store_url, api_key_hash) VALUES ('$store', 'https://races-12.example', 'x')" >/dev/null || exit 1
bind="SET LOCAL ROLE woo_app; SET LOCAL woo.store_id = '$store';"
conv=$(psql -X -qAt -v ON_ERROR_STOP=1 -d "$db" -c "BEGIN; $bind SELECT woo.start_conversation('$store'); COMMIT;" | grep -E '^[0-9a-f-]{36}$')
conv2=$(psql -X -qAt -v ON_ERROR_STOP=1 -d "$db" -c "BEGIN; $bind SELECT woo.start_conversation('$store'); COMMIT;" | grep -E '^[0-9a-f-]{36}$')

race() {  # race NAME SETUP SQL1 SQL2: SQL1 in session 1 (left open), SQL2 in session 2 (must block), then 1 commits
  local name=$1 setup=$2
  rm -f "$tmp/s1"; mkfifo "$tmp/s1"
  PGAPPNAME=race12a psql -X -q -v ON_ERROR_STOP=1 -d "$db" <"$tmp/s1" >"$tmp/s1.log" 2>&1 & local p1=$!
  exec 7>"$tmp/s1"
  echo "BEGIN; $setup $bind $3" >&7
  waits race12a "state = 'idle in transaction'" || tap_fail "$name: session 1 did not finish its write"
  PGAPPNAME=race12b psql -X -q -d "$db" -c "BEGIN; $setup $bind $4 COMMIT;" >"$tmp/s2.log" 2>&1 & local p2=$!
  waits race12b "wait_event_type = 'Lock'" || tap_fail "$name: session 2 did not block on session 1 (the race was not played)"
  echo "COMMIT;" >&7
  exec 7>&-
  wait $p1 || tap_fail "$name, session 1:" "$(cat "$tmp/s1.log")"
  wait $p2
  s2_status=$?
}

race "appends" "" \
  "SELECT woo.append_message('$conv', 'user', 'first from session 1');" \
  "SELECT woo.append_message('$conv', 'assistant', 'second from session 2');"
[ $s2_status -eq 0 ] || tap_fail "appends, session 2:" "$(cat "$tmp/s2.log")"
check "two sessions appending to one conversation: both messages land, in commit order, timestamps ordered" \
  "SELECT jsonb_array_length(messages) = 2
      AND messages->0->>'content' = 'first from session 1' AND messages->0->>'role' = 'user'
      AND messages->1->>'content' = 'second from session 2' AND messages->1->>'role' = 'assistant'
      AND (messages->0->>'at')::timestamptz <= (messages->1->>'at')::timestamptz
      AND updated_at >= (messages->1->>'at')::timestamptz
     FROM public.conversations WHERE id = '$conv'"

# The cap: 1 message per conversation (superuser-only setting, set for both sessions).
race "cap" "SET LOCAL woo.conversation_max_messages = 1;" \
  "SELECT woo.append_message('$conv2', 'user', 'fills the conversation');" \
  "SELECT woo.append_message('$conv2', 'user', 'one too many');"
if [ $s2_status -ne 0 ] && grep -q "ERROR:  conversation $conv2 is full: woo.conversation_max_messages is 1" "$tmp/s2.log"; then
  check "the append that waited on a concurrent one re-checks the cap after the wait: refused (54000), 1 message kept" \
    "SELECT jsonb_array_length(messages) = 1 FROM public.conversations WHERE id = '$conv2'"
else
  not_ok "the waiting append past the cap was not refused" "$(cat "$tmp/s2.log")"
fi

race "charts" "" \
  "SELECT woo.save_chart('$store', 'A', 'SELECT 1', '{\"type\": \"number\"}');" \
  "SELECT woo.save_chart('$store', 'B', 'SELECT 2', '{\"type\": \"number\"}');"
[ $s2_status -eq 0 ] || tap_fail "charts, session 2:" "$(cat "$tmp/s2.log")"
check "two sessions saving charts of one store at once: positions 0 and 1, in commit order" \
  "SELECT array_agg(title::text || position_index ORDER BY position_index) = ARRAY['A0', 'B1'] FROM public.saved_charts WHERE store_id = '$store'"

# Two sessions register the same site at once (spelled differently): the second waits on the
# first's uncommitted row in UNIQUE (store_url), then gets the same clear 23505 as a late caller.
bind="SET LOCAL woo.bcrypt_cost = 4; SET LOCAL ROLE woo_onboarding;"
race "register" "" \
  "SELECT woo.register_store('https://Race-Register.example/', 'race-key-0123456789abcdef0123456789');" \
  "SELECT woo.register_store('https://race-register.example:443', 'race-key-0123456789abcdef0123456789');"
if [ $s2_status -ne 0 ] && grep -q "ERROR:  woo.register_store: a store is already registered for https://race-register.example" "$tmp/s2.log"; then
  check "two sessions registering one site at once: one store, the second refused with the clear 23505" \
    "SELECT count(*) = 1 FROM public.stores WHERE store_url = 'https://race-register.example'"
else
  not_ok "the concurrent registration was not refused clearly" "$(cat "$tmp/s2.log")"
fi

q "DELETE FROM public.conversations WHERE store_id = '$store'; DELETE FROM public.saved_charts WHERE store_id = '$store';
   DELETE FROM public.stores WHERE id = '$store' OR store_url = 'https://race-register.example'" >/dev/null
done_testing
