#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Every test tier, in order; called by `make test` after scripts/deps.sh.
#   build  make (the hypervisor image)
#   unit   make unit + scripts/run-unit.sh (host unit tests, ASan/UBSan)
#   lint   scripts/lint.sh (clang-format, cppcheck, include rules)
#   fetch  scripts/fetch-guest.sh (guest kernel and busybox into build/cache; only for e2e)
#   abi    tests/abi/run.sh    (abi/xen/ against Debian's Xen headers)
#   boot   tests/boot/run.sh   (Keel under QEMU)            } each only if present;
#   guest  tests/guest/run.sh  (bare-metal test guests)      } a missing runner is
#   fuzz   tests/fuzz/run.sh   (hostile guest, a few seeds)  } skipped, not failed
#   e2e    tests/e2e/run.sh    (Linux domains)               }
# A failing stage does not stop the others.  Each stage's output goes to
# build/test-logs/stage-NAME.log (its end is shown when the stage fails; -v shows everything as
# it runs); its result and duration are printed, and the last line is "N passed, N failed" over
# the stages that ran.
# Exit status: 0 only if every stage that ran passed.
#
# Time: CI gives 90 minutes on 2 cores and `make test` must stay well under an hour, so every
# stage runs under a timeout and all of them share a budget (KEEL_TEST_BUDGET seconds, default
# 3000); a stage that would start with no budget left fails without running.
# Usage: scripts/test-all.sh [-v]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2

verbose=0
[ "${1:-}" = "-v" ] && verbose=1
logs=build/test-logs
mkdir -p "$logs"
budget=${KEEL_TEST_BUDGET:-3000}
jobs=$(nproc 2>/dev/null || echo 2)
start_all=$(date +%s)
passed=0
failed=0
summary=""

# run_stage NAME CAP_SECONDS COMMAND...: run COMMAND with stdin closed, log it, time it.
run_stage() {
    name=$1 cap=$2
    shift 2
    log=$logs/stage-$name.log
    left=$((budget - ($(date +%s) - start_all)))
    [ "$cap" -gt "$left" ] && cap=$left
    echo "== $name: $*"
    if [ "$cap" -le 0 ]; then
        echo "   FAIL  (not run: the ${budget}s test budget is used up)"
        failed=$((failed + 1))
        summary="$summary$(printf '\n  %-6s FAIL  not run, no time left' "$name")"
        return
    fi
    t0=$(date +%s)
    # timeout signals the whole process group, so QEMU instances a runner started go too.
    if [ $verbose = 1 ]; then
        { timeout -k 10 "$cap" "$@" </dev/null 2>&1; echo $? >"$log.rc"; } | tee "$log"
        rc=$(cat "$log.rc")
    else
        timeout -k 10 "$cap" "$@" </dev/null >"$log" 2>&1
        rc=$?
    fi
    rm -f "$log.rc"
    dt=$(($(date +%s) - t0))
    if [ "$rc" -eq 0 ]; then
        result=PASS
        passed=$((passed + 1))
    else
        result=FAIL
        failed=$((failed + 1))
        [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && result="FAIL (timed out after ${cap}s)"
        if [ $verbose = 0 ]; then
            echo "   --- last lines of $log ---"
            tail -n 40 "$log" | sed 's/^/   | /'
        fi
    fi
    echo "   $result  (${dt}s)  log: $log"
    summary="$summary$(printf '\n  %-6s %s  %ss' "$name" "$result" "$dt")"
}

skip_stage() {
    echo "== $1: skipped ($2 not present yet)"
    summary="$summary$(printf '\n  %-6s skipped (no %s)' "$1" "$2")"
}

# A runner is run by its #! line when executable, else by bash (which also runs sh scripts).
runner() {
    if [ -x "$1" ]; then echo "$1"; else echo "bash $1"; fi
}

run_stage build 900 make -j"$jobs"
run_stage unit 600 sh -c "make -j$jobs unit && make -s test-unit"
run_stage lint 600 scripts/lint.sh
# The Linux tier boots Debian's arm64 kernel and busybox: download them into build/cache once
# (scripts/fetch-guest.sh does nothing when the cache is complete).  A failed download is a
# failed stage, so it shows up as itself rather than as mysterious e2e failures.
if [ -f tests/e2e/run.sh ]; then
    run_stage fetch 900 scripts/fetch-guest.sh
fi
for tier in abi boot guest fuzz e2e multi bench; do
    r=tests/$tier/run.sh
    args=""
    case $tier in
    e2e | multi) cap=1800 ;;
    # Three fixed seeds, briefly (make fuzz runs millions of operations), about a minute.
    # Machine time counts instructions (--icount), so the run is the same on any host: the
    # same interleaving of the vCPUs, and none of the guests' time limits can trip because
    # the host is slow; the timeouts only catch a hang.
    # Then one seed as a control domain (--control: domctl and sysctl too, a few seconds), and
    # one more with every domain under RTDS (sched=rtds), whose scheduler_op paths differ.
    fuzz) cap=900 args="--icount --ops 5000 --timeout 240" ;;
    *) cap=900 ;;
    esac
    if [ -f "$r" ] && [ "$tier" = fuzz ]; then
        run_stage fuzz $cap sh -c "$(runner "$r") $args 1 2 3; a=\$?; $(runner "$r") $args --control 4 && $(runner "$r") $args --control --keel-args sched=rtds 5 && [ \$a -eq 0 ]"
    elif [ -f "$r" ]; then
        # shellcheck disable=SC2046,SC2086  # "bash FILE" and the arguments must split
        run_stage "$tier" $cap $(runner "$r") $args
    else
        skip_stage "$tier" "$r"
    fi
done

echo "== stages (total $(($(date +%s) - start_all))s):$summary"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
