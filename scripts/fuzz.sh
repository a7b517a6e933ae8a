#!/usr/bin/env bash
# make fuzz: the ingestion fuzzer for longer (FUZZ_SECONDS, default 600; FUZZ_SEED,
# default 1) on a throwaway cluster (the test cluster's), then the crash check.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
use_cluster test || { echo "could not start the test cluster" >&2; exit 1; }
trap '"$ROOT/scripts/cluster.sh" stop test >/dev/null' EXIT
FUZZ_SECONDS=${FUZZ_SECONDS:-600} "$ROOT/scripts/test-fuzz.sh" woo_fuzz; rc=$?
assert_no_crash || rc=1
exit $rc
