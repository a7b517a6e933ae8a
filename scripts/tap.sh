# The TAP printer of the shell suites (sourced after lib.sh, not run): numbered
# ok / not ok lines, diagnostics after a failure, the plan at the end.
#   ok DESC | not_ok DESC [DIAG...] | is GOT WANT DESC | like GOT ERE DESC
#   check DESC SQL (psql -d "$db": SQL must return t) | done_testing (prints 1..N, fails if any failed)
tap_n=0 tap_failed=0
ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"; }
not_ok() {
  tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $1"; shift
  local l; for l in "$@"; do echo "#   $l"; done
}
is() { if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3" "got:  '$1'" "want: '$2'"; fi; }
like() { if printf '%s' "$1" | grep -Eq -- "$2"; then ok "$3"; else not_ok "$3" "got:  '$(printf '%s' "$1" | tail -n 5)'" "want: /$2/"; fi; }
check() {
  local got; got=$(psql -X -qAt -v ON_ERROR_STOP=1 -d "$db" -c "$2" 2>&1)
  if [ "$got" = t ]; then ok "$1"; else not_ok "$1" "got:  '$got'" "want: 't'"; fi
}
# A failure outside an assertion (a session that did not block, a worker that failed): counted.
tap_fail() { tap_failed=$((tap_failed + 1)); local l; for l in "$@"; do echo "# $l"; done; }
done_testing() {
  echo "1..$tap_n"
  [ "$tap_failed" -eq 0 ] || { echo "# $tap_failed failed"; return 1; }
}
# waits APPNAME CONDITION: polls pg_stat_activity (database $db) for up to 10 s
# until the session named APPNAME satisfies CONDITION (a race's step observed).
waits() {
  local _
  for _ in $(seq 1 100); do
    [ "$(psql -X -qAt -d "$db" -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$1' AND $2")" = 1 ] && return 0
    sleep 0.1
  done
  return 1
}
