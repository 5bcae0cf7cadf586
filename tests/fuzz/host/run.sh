#!/bin/bash
# Host fuzzing of the parsers that take outside input: libFuzzer harnesses (tests/fuzz/host/,
# built with clang, AddressSanitizer and UndefinedBehaviorSanitizer by `make fuzz-host`) for
# the device-tree reader, the xl configuration parser, the vGIC register decode and the
# vPL011.  Each runs for a bounded time from a corpus kept under $BUILD/fuzz-host/corpus/NAME
# (seeded from the tree: the unit tests' device trees, QEMU's own, configs/ and
# tests/fuzz/host/corpus/); a crash leaves its input in $BUILD/fuzz-host/crash-NAME-*, which
# `$BUILD/fuzz-host/fuzz_NAME FILE` replays.  Prints a line per harness and "N passed,
# M failed".
#
# Usage: tests/fuzz/host/run.sh [--time SECONDS] [NAME...]    (default 60 s each, all four)
# Environment: BUILD (default build), FUZZ_CC (default clang).
set -u
cd "$(dirname "$0")/../../.." || exit 2
BUILD=${BUILD:-build}
secs=60
names=()
while [ $# -gt 0 ]; do
    case $1 in
    --time) secs=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) names+=("$1"); shift ;;
    esac
done
[ ${#names[@]} -gt 0 ] || names=(fdt xlcfg vgic vpl011)
out=$BUILD/fuzz-host
logs=$BUILD/test-logs
mkdir -p "$out" "$logs"
if ! make -s --no-print-directory BUILD="$BUILD" fuzz-host >"$logs/fuzz-host-build.log" 2>&1; then
    tail -20 "$logs/fuzz-host-build.log"
    echo "host fuzz: the harnesses did not build (clang with libFuzzer: scripts/deps.sh clang libclang-rt-14-dev)"
    echo "0 passed, ${#names[@]} failed"
    exit 1
fi

# seed NAME DIR: put the tree's examples in the corpus (they stay there, and libFuzzer keeps
# what it finds next to them).
seed() {
    case $1 in
    fdt)
        for d in tests/unit/data/*.dts; do
            dtc -q -I dts -O dtb -o "$2/$(basename "$d" .dts).dtb" "$d" 2>/dev/null
        done
        # QEMU's own tree, recompiled without the 1 MiB of padding QEMU leaves in it.
        if command -v qemu-system-aarch64 >/dev/null &&
            qemu-system-aarch64 -M "virt,gic-version=3,virtualization=on,dumpdtb=$2/qemu.tmp" \
                -cpu cortex-a57 -smp 2 -m 1024 -nographic >/dev/null 2>&1; then
            dtc -q -I dtb -O dtb -o "$2/qemu-virt.dtb" "$2/qemu.tmp" 2>/dev/null
        fi
        rm -f "$2/qemu.tmp"
        ;;
    xlcfg) cp configs/*.cfg tests/fuzz/host/corpus/xlcfg/*.cfg "$2/" 2>/dev/null ;;
    *) ;;
    esac
}

pass=0 fail=0
for n in "${names[@]}"; do
    bin=$out/fuzz_$n corpus=$out/corpus/$n log=$logs/fuzz-host-$n.log
    mkdir -p "$corpus"
    seed "$n" "$corpus"
    rm -f "$out"/crash-"$n"-* "$out"/leak-"$n"-* "$out"/timeout-"$n"-*
    start=$SECONDS
    "$bin" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$out/crash-$n-" "$corpus" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -a -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    files=$(find "$corpus" -type f | wc -l)
    if [ $rc -eq 0 ]; then
        printf 'PASS host fuzz %-7s %10s runs in %ss, coverage %s, corpus %s inputs\n' "$n" \
            "${runs:-?}" $((SECONDS - start)) "${cov:-?}" "$files"
        pass=$((pass + 1))
    else
        crash=$(ls "$out"/*-"$n"-* 2>/dev/null | head -1)
        printf 'FAIL host fuzz %-7s exit %s after %s runs: %s (input %s, see %s)\n' "$n" "$rc" \
            "${runs:-?}" "$(grep -a -m1 -E 'ERROR|runtime error|SUMMARY|BUG at' "$log")" \
            "${crash:-none}" "$log"
        fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
