#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Boot integration tests: boot build/keel.Image under QEMU with Keel's "selftest" command line
# for 1, 2 and 4 CPUs on two CPU models, and check each console log: every self-check passed,
# every CPU came online, nothing fatal, and Keel powered the machine off before the timeout.
# Builds nothing: run `make` first.  Logs land in build/test-logs/boot-<cpu>-smp<N>.log.
#
# Environment: QEMU (binary), BOOT_TIMEOUT (seconds per boot, default 120: a safety net, a boot
# takes about a second on an idle host), BOOT_JOBS (boots run at once, default 2), BUILD (build
# directory, default build).
set -u

cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/console.sh
. tests/lib/console.sh
BUILD=${BUILD:-build}
QEMU=${QEMU:-qemu-system-aarch64}
TIMEOUT=${BOOT_TIMEOUT:-120}
JOBS=${BOOT_JOBS:-2}
IMAGE=$BUILD/keel.Image
LOGDIR=$BUILD/test-logs

# cpu model | -cpu argument.  Plain "max" emulates pointer authentication with the slow
# architected algorithm; the implementation-defined one boots many times faster.
CPUS="cortex-a57|cortex-a57 max|max,pauth-impdef=on"
SMPS="1 2 4"

if [ ! -f "$IMAGE" ]; then
    echo "boot: $IMAGE missing; run make first" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
if ! command -v "$QEMU" >/dev/null; then
    echo "boot: $QEMU not found" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
mkdir -p "$LOGDIR"

# boot NAME CPUARG SMP: run QEMU, write the console to the log and the exit status and
# duration to LOG.status.
boot() {
    local log=$LOGDIR/boot-$1.log start end rc
    start=$(date +%s%N)
    timeout -k 5 "$TIMEOUT" "$QEMU" -M virt,virtualization=on,gic-version=3 -cpu "$2" \
        -smp "$3" -m 2G -nographic -no-reboot -kernel "$IMAGE" -append selftest \
        </dev/null >"$log" 2>&1
    rc=$?
    end=$(date +%s%N)
    echo "$rc $(((end - start) / 1000000))" >"$log.status"
}

# check NAME SMP: print the verdict line; return non-zero on failure.
check() {
    local log=$LOGDIR/boot-$1.log why=() rc ms text s n
    read -r rc ms <"$log.status"
    text=$(con_text "$log")
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        why+=("no power-off within ${TIMEOUT}s")
    elif [ "$rc" != 0 ]; then
        why+=("QEMU exit status $rc")
    fi
    s=$(con_selftest "$log")
    n=${s% *}
    if [ -z "$s" ]; then
        why+=("no selftest summary")
    elif [ "${s#* }" != 0 ]; then
        why+=("selftest: $n passed, ${s#* } failed")
    elif [ "$n" -eq 0 ]; then
        why+=("no self-checks ran")
    fi
    printf '%s\n' "$text" | grep -q "smp: $2 of $2 CPUs online" ||
        why+=("not all $2 CPUs online")
    printf '%s\n' "$text" | grep -Eq 'FATAL|PANIC' && why+=("FATAL/PANIC in log")
    if [ ${#why[@]} -eq 0 ]; then
        printf 'PASS boot %-22s smp=%s  %5d ms  %s self-checks\n' "$1" "$2" "$ms" "$n"
        return 0
    fi
    local IFS=';'
    printf 'FAIL boot %-22s smp=%s  %5d ms  %s (see %s)\n' "$1" "$2" "$ms" "${why[*]}" "$log"
    return 1
}

cases=()
for c in $CPUS; do
    for s in $SMPS; do
        cases+=("${c%%|*}-smp$s|${c#*|}|$s")
    done
done

pass=0
fail=0
i=0
while [ $i -lt ${#cases[@]} ]; do
    batch=("${cases[@]:i:JOBS}")
    for c in "${batch[@]}"; do
        IFS='|' read -r name cpu smp <<<"$c"
        boot "$name" "$cpu" "$smp" &
    done
    wait
    for c in "${batch[@]}"; do
        IFS='|' read -r name cpu smp <<<"$c"
        if check "$name" "$smp"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
    done
    i=$((i + JOBS))
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
