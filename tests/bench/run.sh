#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Benchmark smoke test: builds Keel, the bench guest and the first-instruction probe, runs the
# bench guest once as a two-vCPU Keel domain under -icount with 20 samples per figure, and
# checks that every figure is there and plausible (non-zero median, min <= median <= p99, all
# samples taken), that the boot probe reported, and that the guest's own checks passed.
# Ends with "N passed, N failed".  The full suite is `make bench`.  The run takes seconds; its
# 600 s timeout is a safety net for a loaded host (under -icount the figures do not change).
cd "$(dirname "$0")/../.." || { echo "0 passed, 1 failed"; exit 1; }
out=$(scripts/bench.sh smoke --samples 20 --timeout-micro 600 2>&1)
rc=$?
printf '%s\n' "$out"
# A build failure stops bench.sh before the checks: count it as one failure.
printf '%s\n' "$out" | tail -n 1 | grep -Eq '^[0-9]+ passed, [0-9]+ failed$' || {
    echo "bench: the smoke run did not complete (exit status $rc)"
    echo "0 passed, 1 failed"
    exit 1
}
exit $rc
