#!/bin/bash
# make fuzz: the hostile guest for FUZZ_OPS operations in all (default 10 million), spread
# over FUZZ_SEEDS (one QEMU instance after another, each beside the neighbour), then every
# host fuzzer for FUZZ_HOST_TIME seconds.  Ends with one summary: operations by kind, what
# came back, hypervisor faults and neighbour failures, the host fuzzers' runs, and
# "N passed, M failed" over the seeds and the harnesses.
#
# Environment:
#   FUZZ_OPS        operations over all seeds (default 10000000)
#   FUZZ_SEEDS      the seeds (default "101 102 103 104 105 106 107 108")
#   FUZZ_HOST_TIME  seconds per host fuzzer (default 60; 0 skips them)
#   FUZZ_ARGS       more options for tests/fuzz/run.sh (--vcpus 2, --icount, ...)
# A failing seed reproduces with: tests/fuzz/run.sh --ops N SEED (N as printed below).
set -u
cd "$(dirname "$0")/../.." || exit 2
BUILD=${BUILD:-build}
ops=${FUZZ_OPS:-10000000}
read -r -a seeds <<<"${FUZZ_SEEDS:-101 102 103 104 105 106 107 108}"
host_time=${FUZZ_HOST_TIME:-60}
per=$(((ops + ${#seeds[@]} - 1) / ${#seeds[@]}))
# No bound on host speed, only one against a hang: an hour plus a second per 200 operations.
timeout=$((3600 + per / 200))
start=$SECONDS
mkdir -p "$BUILD/test-logs"
passed=0 failed=0

echo "== guest fuzzing: ${#seeds[@]} seed(s) x $per operations (tests/fuzz/run.sh --ops $per SEED)"
# shellcheck disable=SC2086  # FUZZ_ARGS is a list of options
tests/fuzz/run.sh --ops "$per" --timeout "$timeout" ${FUZZ_ARGS:-} "${seeds[@]}" |
    tee "$BUILD/test-logs/fuzz-guest.txt"
line=$(tail -1 "$BUILD/test-logs/fuzz-guest.txt")
passed=$((passed + $(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')))
failed=$((failed + $(echo "$line" | sed -n 's/.*, \([0-9]*\) failed$/\1/p')))
guest_secs=$((SECONDS - start))

host_line=""
if [ "$host_time" -gt 0 ]; then
    echo "== host fuzzing: ${host_time}s per harness (tests/fuzz/host/run.sh)"
    tests/fuzz/host/run.sh --time "$host_time" | tee "$BUILD/test-logs/fuzz-host.txt"
    host_line=$(tail -1 "$BUILD/test-logs/fuzz-host.txt")
    passed=$((passed + $(echo "$host_line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')))
    failed=$((failed + $(echo "$host_line" | sed -n 's/.*, \([0-9]*\) failed$/\1/p')))
fi

echo "== make fuzz: guest ${guest_secs}s, total $((SECONDS - start))s"
grep -E '^  (operations|hypervisor)' "$BUILD/test-logs/fuzz-guest.txt"
[ -n "$host_line" ] && grep -E '^(PASS|FAIL) host fuzz' "$BUILD/test-logs/fuzz-host.txt" |
    sed 's/^/  /'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
