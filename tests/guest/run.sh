#!/bin/bash
# Guest tier: the bare-metal test guests (guests/, built as build/guests/NAME.Image) run as Keel
# domains through the launcher scripts/keel-qemu, one or more domains per case; each guest
# checks hypercall and virtual-device behaviour Linux does not reach and ends with
# "GUEST-TESTS: N passed, M failed" and a PSCI SYSTEM_OFF.  A case passes when the launcher
# exits 0 (every domain powered off) and every guest in it reported at least one check and no
# failure.  Prints one line per case, then "N passed, M failed" counting cases.
#
# Builds nothing: run `make` first (Keel and the guests).  Domain configurations are generated
# under build/guest-tests/, logs land in build/test-logs/guest-CASE.log.
#
# Usage: tests/guest/run.sh [--bare] [CASE...]
#   CASE    run only these cases (names from the table below); default all
#   --bare  run each test guest alone on QEMU at EL1 without Keel instead (checks the guests
#           themselves; QEMU's own PSCI stands in for Keel's); CASE names guests then
# Environment: GUEST_LAUNCHER (default scripts/keel-qemu), QEMU (binary for --bare),
# GUEST_TIMEOUT (seconds per case, default 120), BUILD (build directory, default build).
set -u

cd "$(dirname "$0")/../.." || exit 2
top=$(pwd)
BUILD=${BUILD:-build}
LAUNCHER=${GUEST_LAUNCHER:-scripts/keel-qemu}
QEMU=${QEMU:-qemu-system-aarch64}
TIMEOUT=${GUEST_TIMEOUT:-120}
case $BUILD in
/*) ABS_BUILD=$BUILD ;;
*) ABS_BUILD=$top/$BUILD ;;
esac
CFGDIR=$BUILD/guest-tests
LOGDIR=$BUILD/test-logs
MEM_MIB=64 # per domain; must stay below 1 GiB (the mmio guest probes past the end of RAM)

# name | guests in it (comma-separated, one domain each) | host CPUs given to QEMU [| QEMU CPU
# model, default cortex-a57].
# The -smp1 cases put two vCPUs on one physical CPU, so vCPUs must be scheduled to make
# progress (WFI, blocked waits, SGIs to a descheduled vCPU); "together" runs every guest at
# once, so domains share CPUs, the vGIC and the console.
CASES=(
    "hello|hello|2"
    "psci|psci|2"
    "mmio|mmio|2"
    "vgic|vgic|2"
    "sgi|sgi|2"
    "context|context|2"
    "uart|uart|2"
    "hcall|hcall|2"
    "smp|smp|2"
    "cpufeat|cpufeat|2"
    "cpufeat-max|cpufeat|2|max"
    "timerlevel|timerlevel|2"
    "psci-smp1|psci|1"
    "vgic-smp1|vgic|1"
    "sgi-smp1|sgi|1"
    "context-smp1|context|1"
    "oslock|oslock,cpufeat|1"
    "together|hello,psci,mmio,vgic,sgi,context,uart,hcall|2"
)

# vCPUs each guest wants: smp needs more than 16 so that Aff1 is used (16 vCPUs a cluster).
vcpus_of() {
    case $1 in
    smp) echo 17 ;;
    psci | vgic | sgi | context) echo 2 ;;
    *) echo 1 ;;
    esac
}

bare=0
want=()
for a in "$@"; do
    case $a in
    --bare) bare=1 ;;
    -h | --help)
        sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    -*)
        echo "guest: unknown option $a" >&2
        exit 2
        ;;
    *) want+=("$a") ;;
    esac
done

mkdir -p "$LOGDIR" "$CFGDIR"
pass=0
fail=0

selected() {
    [ ${#want[@]} -eq 0 ] && return 0
    local w
    for w in "${want[@]}"; do [ "$w" = "$1" ] && return 0; done
    return 1
}

# verdict CASE SMP MS RC LOG GUEST...: judge one run from its log; print its line.
verdict() {
    local name=$1 smp=$2 ms=$3 rc=$4 log=$5
    shift 5
    local why=() text g line p f total=0 fails
    text=$(tr -d '\r' <"$log")
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        why+=("timed out after ${TIMEOUT}s")
    elif [ "$rc" != 0 ]; then
        why+=("launcher exit status $rc")
    fi
    for g in "$@"; do
        # Domain output arrives as "[NAME] ..." lines; a lone guest's summary may be bare.
        line=$(printf '%s\n' "$text" | grep -F "[$g] GUEST-TESTS:" | tail -1)
        if [ -z "$line" ] && [ $# -eq 1 ]; then
            line=$(printf '%s\n' "$text" | grep 'GUEST-TESTS:' | tail -1)
        fi
        if [ -z "$line" ]; then
            why+=("$g: no GUEST-TESTS summary")
            continue
        fi
        p=$(printf '%s\n' "$line" | sed -n 's/.*GUEST-TESTS: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p')
        f=$(printf '%s\n' "$line" | sed -n 's/.*GUEST-TESTS: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p')
        total=$((total + ${p:-0} + ${f:-0}))
        if [ "${f:-1}" != 0 ]; then
            fails=$(printf '%s\n' "$text" | grep -E "(\[$g\] |^)GUEST-TEST [^ ]*: FAIL" |
                sed 's/.*GUEST-TEST \([^ ]*\): FAIL.*/\1/' | sort -u | tr '\n' ' ')
            why+=("$g: $f of $((p + f)) checks failed: ${fails% }")
        elif [ "${p:-0}" = 0 ]; then
            why+=("$g: no checks ran")
        fi
    done
    if [ ${#why[@]} -eq 0 ]; then
        printf 'PASS guest %-14s smp=%s %6d ms  %3d checks  (%s)\n' "$name" "$smp" "$ms" \
            "$total" "$(
                IFS=,
                echo "$*"
            )"
        return 0
    fi
    local IFS=';'
    printf 'FAIL guest %-14s smp=%s %6d ms  %s (see %s)\n' "$name" "$smp" "$ms" "${why[*]}" "$log"
    return 1
}

# run_keel CASE GUESTS SMP [CPU]: one launcher run with a domain per guest.
run_keel() {
    local name=$1 smp=$3 cpu=${4:-cortex-a57} g cfgs=() log=$LOGDIR/guest-$1.log dir=$CFGDIR/$1
    local start rc
    IFS=, read -r -a guests <<<"$2"
    rm -rf "$dir"
    mkdir -p "$dir"
    for g in "${guests[@]}"; do
        if [ ! -f "$BUILD/guests/$g.Image" ]; then
            printf 'FAIL guest %-14s %s missing: run make first\n' "$name" "$BUILD/guests/$g.Image"
            return 1
        fi
        cat >"$dir/$g.cfg" <<CFG
# Generated by tests/guest/run.sh: the $g test guest as a domain.
name = "$g"
memory = $MEM_MIB
vcpus = $(vcpus_of "$g")
kernel = "$ABS_BUILD/guests/$g.Image"
on_reboot = "destroy"
on_crash = "destroy"
extra = "guest.pcpus=$smp"
CFG
        cfgs+=("$dir/$g.cfg")
    done
    start=$(date +%s%N)
    timeout -k 5 $((TIMEOUT + 10)) "$LAUNCHER" --smp "$smp" --cpu "$cpu" --timeout "$TIMEOUT" \
        --keel "$ABS_BUILD/keel.Image" "${cfgs[@]}" \
        </dev/null >"$log" 2>&1
    rc=$?
    verdict "$name" "$smp" $((($(date +%s%N) - start) / 1000000)) "$rc" "$log" "${guests[@]}"
}

# run_bare GUEST: the guest alone on QEMU virt at EL1 (PSCI from QEMU, over HVC).
run_bare() {
    local g=$1 log=$LOGDIR/guest-bare-$1.log start rc smp
    smp=$(vcpus_of "$g")
    [ "$smp" -ge 2 ] || smp=2
    if [ ! -f "$BUILD/guests/$g.Image" ]; then
        printf 'FAIL guest %-14s %s missing: run make first\n' "bare-$g" "$BUILD/guests/$g.Image"
        return 1
    fi
    start=$(date +%s%N)
    timeout -k 5 "$TIMEOUT" "$QEMU" -M virt,gic-version=3 -cpu cortex-a57 -smp "$smp" -m 256 \
        -nographic -no-reboot -kernel "$BUILD/guests/$g.Image" </dev/null >"$log" 2>&1
    rc=$?
    verdict "bare-$g" "$smp" $((($(date +%s%N) - start) / 1000000)) "$rc" "$log" "$g"
}

if [ $bare = 1 ]; then
    # Every test guest the cases use, once (guests/bench is for make bench, not a test).
    for g in $(for c in "${CASES[@]}"; do echo "$c" | cut -d'|' -f2 | tr , '\n'; done | sort -u); do
        selected "$g" || continue
        if run_bare "$g"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
    done
elif [ ! -x "$LAUNCHER" ]; then
    echo "guest: the launcher $LAUNCHER is missing; nothing can run the guests under Keel" >&2
    fail=1
else
    for c in "${CASES[@]}"; do
        IFS='|' read -r name guests smp cpu <<<"$c"
        selected "$name" || continue
        if run_keel "$name" "$guests" "$smp" "$cpu"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
    done
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
