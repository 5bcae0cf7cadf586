#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Hostile-guest fuzzing: for each seed, boot Keel (through scripts/keel-qemu) with guests/fuzz
# issuing random operations from that seed and guests/neighbour checking its own timers,
# interrupts, registers and debug state beside it.  The neighbour runs until stopped: once
# the fuzzing domain has ended, the runner waits for two more neighbour status lines (so the
# neighbour also outlived the other domain's destruction) and stops QEMU.
#
# A seed passes when Keel printed no FATAL, PANIC or BUG line, the fuzzer finished all its
# operations (FUZZ-TOTAL, its fuzz_finished check passed, no failed check, it powered off),
# and the neighbour reported 0 failures and kept running after the fuzzer ended.  Prints one
# line per seed, a summary of the operations by kind and what came back, then
# "N passed, M failed" counting seeds.  Logs: $BUILD/test-logs/fuzz-SEED.log.
#
# Usage: tests/fuzz/run.sh [options] [SEED...]        (default seeds: 1 2 3)
#   --ops N              operations per seed (default 20000)
#   --vcpus N            vCPUs of the fuzzing domain (default 3)
#   --neighbour-vcpus N  vCPUs of the neighbour (default 1; 0 = no neighbour)
#   --smp N              host CPUs (default 2)
#   --cpu MODEL          QEMU CPU model (default cortex-a57)
#   --timeout S          seconds per seed before it counts as hung (default 600)
#   --fuzz-args "..."    more fuzzer boot arguments (see guests/fuzz/main.c)
#   --neighbour-args "..."  more neighbour boot arguments (see guests/neighbour/main.c)
#   --icount             deterministic machine time (QEMU -icount)
#   --keel-args "..."    Keel's command line (e.g. sched=rtds: every domain under RTDS, so
#                        the control fuzzer reaches RTDS's scheduler_op paths)
#   --control            the fuzzing domain is a control domain (control_domain = 1) and
#                        fuzzes domctl and sysctl too (fuzzer option control=1, kind ctl)
#   --totals FILE        append each seed's FUZZ-KIND/FUZZ-TOTAL lines to FILE
# Environment: BUILD (default build).  Builds nothing: run make first.
set -u

cd "$(dirname "$0")/../.." || exit 2
top=$(pwd)
BUILD=${BUILD:-build}
case $BUILD in
/*) ABS_BUILD=$BUILD ;;
*) ABS_BUILD=$top/$BUILD ;;
esac
export BUILD=$ABS_BUILD
LOGDIR=$ABS_BUILD/test-logs
WORK=$ABS_BUILD/fuzz-tests
LAUNCHER=$top/scripts/keel-qemu

ops=20000 vcpus=3 nvcpus=1 smp=2 cpu=cortex-a57 timeout=600 fuzz_args="" nb_args="" icount=0 control=0
keel_args=()
totals=""
seeds=()
need() { [ $# -ge 2 ] || { echo "fuzz: $1 needs a value" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
    case $1 in
    --ops) need "$@"; ops=$2; shift 2 ;;
    --vcpus) need "$@"; vcpus=$2; shift 2 ;;
    --neighbour-vcpus) need "$@"; nvcpus=$2; shift 2 ;;
    --smp) need "$@"; smp=$2; shift 2 ;;
    --cpu) need "$@"; cpu=$2; shift 2 ;;
    --timeout) need "$@"; timeout=$2; shift 2 ;;
    --fuzz-args) need "$@"; fuzz_args=$2; shift 2 ;;
    --neighbour-args) need "$@"; nb_args=$2; shift 2 ;;
    --icount) icount=1; shift ;;
    --control) control=1; shift ;;
    --keel-args) need "$@"; keel_args=(--keel-args "$2"); shift 2 ;;
    --totals) need "$@"; totals=$2; shift 2 ;;
    -h | --help)
        sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    -*) echo "fuzz: unknown option $1" >&2; exit 2 ;;
    *) seeds+=("$1"); shift ;;
    esac
done
[ ${#seeds[@]} -gt 0 ] || seeds=(1 2 3)
for img in keel guests/fuzz guests/neighbour; do
    if [ ! -s "$ABS_BUILD/$img.Image" ]; then
        echo "fuzz: $ABS_BUILD/$img.Image missing: run make first" >&2
        echo "0 passed, 1 failed"
        exit 1
    fi
done
mkdir -p "$LOGDIR" "$WORK"

# cfg FILE NAME MEMORY VCPUS IMAGE EXTRA [MORE]: a domain that is destroyed however it ends (the
# runner counts on one run of the fuzzer; restarts are tests/multi's restart-race cases).
cfg() {
    cat >"$1" <<CFG
# Written by tests/fuzz/run.sh
name = "$2"
memory = $3
vcpus = $4
kernel = "$ABS_BUILD/$5.Image"
extra = "$6"
on_poweroff = "destroy"
on_reboot = "destroy"
on_crash = "destroy"
${7:-}
CFG
}

# Keel's own lines (not "[domain] ..."), without carriage returns.
keel_lines() { tr -d '\r' <"$1" | grep -a -v '^\['; }
# A domain's lines.  The fuzzer writes random bytes to the UART's data register, so one of its
# lines may start with a stray character or two: whatever comes before a marker goes.
dom_lines() {
    tr -d '\r' <"$1" | sed -n "s/^\[$2\] //p" |
        sed -E 's/^.*((FUZZ|NEIGHBOUR)-[A-Z]+ |GUEST-TEST )/\1/'
}
keel_fault() { keel_lines "$1" | grep -a -E '(^|[^A-Za-z])(FATAL|PANIC)([^A-Za-z]|$)|BUG at ' | head -1; }

# watch LOG PID: stop the launcher PID once the fuzzer has ended and the neighbour has
# reported twice since, or on a hypervisor fault, or at the deadline.  Sets timed_out.
watch() {
    local log=$1 pid=$2 deadline=$((SECONDS + timeout)) ended_at="" stop_at=""
    timed_out=0
    while kill -0 "$pid" 2>/dev/null; do
        sleep 0.5
        [ -f "$log" ] || continue
        if [ -z "$stop_at" ] && [ -n "$(keel_fault "$log")" ]; then
            stop_at=$((SECONDS + 2)) # keep what Keel prints after the fault
        fi
        if [ -z "$ended_at" ] && keel_lines "$log" | grep -aq 'domain fuzz: memory returned'; then
            ended_at=$(tr -d '\r' <"$log" | grep -ac .)
        fi
        if [ -n "$ended_at" ] && [ -z "$stop_at" ]; then
            local after
            after=$(tr -d '\r' <"$log" | tail -n +"$ended_at" | grep -ac '^\[neighbour\] NEIGHBOUR-STATUS')
            [ "$nvcpus" = 0 ] || [ "$after" -ge 2 ] && stop_at=$SECONDS
        fi
        if [ -z "$stop_at" ] && [ $SECONDS -ge $deadline ]; then
            timed_out=1
            stop_at=$SECONDS
        fi
        if [ -n "$stop_at" ] && [ $SECONDS -ge "$stop_at" ]; then
            kill -TERM "$pid" 2>/dev/null
            break
        fi
    done
    wait "$pid" 2>/dev/null
}

# A field "key=N" of the last line of the fuzzer's that starts with prefix.
field() { # log prefix key
    dom_lines "$1" fuzz | grep -a "^$2" | tail -1 | tr ' ' '\n' | sed -n "s/^$3=//p"
}

# judge SEED LOG SECS: print the seed's line; returns 0 if it passed.
judge() {
    local seed=$1 log=$2 secs=$3 why=() fault total fin nb_fail nb_last nb_after
    fault=$(keel_fault "$log")
    [ -n "$fault" ] && why+=("hypervisor fault: $fault")
    [ "$timed_out" = 1 ] && why+=("timed out after ${timeout}s")
    # QEMU's own complaints (an assertion, an abort) reach the console too.
    local qemu
    qemu=$(tr -d '\r' <"$log" | grep -a '^qemu-system-[a-z0-9_]*: ' | grep -av 'terminating on signal' |
        head -1)
    [ -n "$qemu" ] && why+=("QEMU: $qemu")
    total=$(field "$log" FUZZ-TOTAL ops)
    fin=$(dom_lines "$log" fuzz | grep -a '^GUEST-TEST fuzz_finished:' | tail -1)
    if [ -z "$total" ]; then
        why+=("fuzzer: no summary (last: $(dom_lines "$log" fuzz | grep -a '^FUZZ-' | tail -1))")
    elif [[ $fin != *": PASS"* ]]; then
        why+=("fuzzer: ${fin:-no fuzz_finished check}")
    fi
    if dom_lines "$log" fuzz | grep -aq '^GUEST-TEST [^ ]*: FAIL'; then
        why+=("fuzzer: $(dom_lines "$log" fuzz | grep -a '^GUEST-TEST [^ ]*: FAIL' | head -1)")
    fi
    if [ -n "$total" ] && ! keel_lines "$log" | grep -aq 'domain fuzz: shutdown (poweroff)'; then
        why+=("fuzzer did not power off")
    fi
    nb_fail=0
    if [ "$nvcpus" != 0 ]; then
        nb_last=$(dom_lines "$log" neighbour | grep -a '^NEIGHBOUR-STATUS' | tail -1)
        nb_fail=$(echo "$nb_last" | tr ' ' '\n' | sed -n 's/^failures=//p')
        [ -n "$nb_fail" ] || nb_fail=0
        local fails
        fails=$(dom_lines "$log" neighbour | grep -ac '^NEIGHBOUR-FAIL')
        [ "$fails" -gt "$nb_fail" ] && nb_fail=$fails
        if [ -z "$nb_last" ]; then
            why+=("neighbour: no status line")
        elif [ "$nb_fail" != 0 ]; then
            why+=("neighbour: $nb_fail failure(s), first: $(dom_lines "$log" neighbour |
                grep -a '^NEIGHBOUR-FAIL' | head -1)")
        fi
        if keel_lines "$log" | grep -aq 'domain neighbour: shutdown'; then
            why+=("neighbour ended: $(keel_lines "$log" | grep -a 'domain neighbour: shutdown' | head -1)")
        fi
    fi
    nb_periods=$(echo "${nb_last:-}" | tr ' ' '\n' | sed -n 's/^periods=//p')
    if [ ${#why[@]} -eq 0 ]; then
        printf 'PASS fuzz seed=%-6s %8s ops %6s exceptions  neighbour %s periods, 0 failures  (%ss)\n' \
            "$seed" "$total" "$(field "$log" FUZZ-TOTAL exceptions)" "${nb_periods:--}" "$secs"
        return 0
    fi
    local IFS=';'
    printf 'FAIL fuzz seed=%-6s %s (%ss, see %s)\n' "$seed" "${why[*]}" "$secs" "$log"
    return 1
}

pass=0 fail=0 faults=0 nb_failures=0
all_totals=$WORK/totals.txt
: >"$all_totals"
for seed in "${seeds[@]}"; do
    dir=$WORK/seed-$seed log=$LOGDIR/fuzz-$seed.log
    rm -rf "$dir" "$log" "$log.out"
    mkdir -p "$dir"
    cfgs=("$dir/fuzz.cfg")
    if [ $control = 1 ]; then
        cfg "$dir/fuzz.cfg" fuzz 64 "$vcpus" guests/fuzz "seed=$seed ops=$ops control=1 $fuzz_args" \
            "control_domain = 1"
    else
        cfg "$dir/fuzz.cfg" fuzz 64 "$vcpus" guests/fuzz "seed=$seed ops=$ops $fuzz_args"
    fi
    if [ "$nvcpus" != 0 ]; then
        cfg "$dir/neighbour.cfg" neighbour 32 "$nvcpus" guests/neighbour "$nb_args"
        cfgs=("$dir/neighbour.cfg" "${cfgs[@]}")
    fi
    det=()
    [ $icount = 1 ] && det=(--icount)
    start=$SECONDS
    "$LAUNCHER" --smp "$smp" --cpu "$cpu" --timeout $((timeout + 60)) "${det[@]}" "${keel_args[@]}" --log "$log" "${cfgs[@]}" \
        </dev/null >"$log.out" 2>&1 &
    watch "$log" $!
    if judge "$seed" "$log" $((SECONDS - start)); then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
    fi
    [ -n "$(keel_fault "$log")" ] && faults=$((faults + 1))
    n=$(dom_lines "$log" neighbour | grep -a '^NEIGHBOUR-STATUS' | tail -1 | tr ' ' '\n' |
        sed -n 's/^failures=//p')
    nb_failures=$((nb_failures + ${n:-0}))
    dom_lines "$log" fuzz | grep -a -E '^FUZZ-(KIND|TOTAL|IRQ) ' >>"$all_totals"
done
[ -n "$totals" ] && cat "$all_totals" >>"$totals"

# Operations by kind and what came back, over every seed.
awk -v faults=$faults -v nbf=$nb_failures -v seeds=${#seeds[@]} '
function num(s) { sub(/^[a-z]*=/, "", s); return s + 0 }
$1 == "FUZZ-KIND" { k = $2; if (!(k in ops)) order[n++] = k; ops[k] += num($3)
    for (i = 4; i <= NF; i++) { split($i, kv, "="); out[k, kv[1]] += kv[2] } }
$1 == "FUZZ-IRQ" { irq += num($2) }
END {
    if (!n) exit
    printf "== fuzz summary: %d seed(s)\n", seeds
    printf "  %-12s %10s %10s %10s %10s %10s %10s %10s\n", "kind", "ops", "none", "undef",
        "dabt", "iabt", "local", "other"
    for (j = 0; j < n; j++) {
        k = order[j]; total += ops[k]
        printf "  %-12s %10d %10d %10d %10d %10d %10d %10d\n", k, ops[k], out[k, "none"],
            out[k, "undef"], out[k, "dabt"], out[k, "iabt"], out[k, "local"], out[k, "other"]
        exc += ops[k] - out[k, "none"]
        und += out[k, "undef"]; dab += out[k, "dabt"]; iab += out[k, "iabt"]
        loc += out[k, "local"]; oth += out[k, "other"]
    }
    printf "  operations: %d, exceptions back: %d (undef %d, dabt %d, iabt %d, local %d, other %d), interrupts taken: %d\n",
        total, exc, und, dab, iab, loc, oth, irq
    printf "  hypervisor faults: %d, neighbour failures: %d\n", faults, nbf
}' "$all_totals"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
