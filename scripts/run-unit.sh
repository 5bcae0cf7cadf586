#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Run host unit-test binaries; print each binary's cmocka output and a final tally.
pass=0; fail=0
for t in "$@"; do
    if "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "unit: $t FAILED"; fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
