#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
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
# GUEST_TIMEOUT (seconds per case, default 300: a safety net for a hung run; a case takes a few
# seconds on an idle host), BUILD (build directory, default build).
set -u

cd "$(dirname "$0")/../.." || exit 2
top=$(pwd)
# shellcheck source=tests/lib/console.sh
. tests/lib/console.sh
BUILD=${BUILD:-build}
LAUNCHER=${GUEST_LAUNCHER:-scripts/keel-qemu}
QEMU=${QEMU:-qemu-system-aarch64}
TIMEOUT=${GUEST_TIMEOUT:-300}
case $BUILD in
/*) ABS_BUILD=$BUILD ;;
*) ABS_BUILD=$top/$BUILD ;;
esac
CFGDIR=$BUILD/guest-tests
LOGDIR=$BUILD/test-logs
MEM_MIB=64 # per domain; must stay below 1 GiB (the mmio guest probes past the end of RAM)

# name | guests in it (comma-separated, one domain each; GUEST*N: N domains GUEST1..GUESTN, each
# with a ramdisk the guest checks, judged by the launcher's status; GUEST/ROLE: domain
# GUEST-ROLE, the guest told GUEST.role=ROLE; a leading !: a domain Keel must refuse to build,
# for the reason refusal_of gives) | host CPUs given to QEMU
# [| QEMU CPU model, default cortex-a57 [| Keel's command line [| launcher options]]].
# Domains get more configuration keys from cfg_extra.
# --icount for a case whose checks compare durations: time is then instructions, so a loaded
# host cannot change the verdict.
# The -smp1 cases put two vCPUs on one physical CPU, so vCPUs must be scheduled to make
# progress (WFI, blocked waits, SGIs to a descheduled vCPU); "together" runs every guest at
# once, so domains share CPUs, the vGIC and the console.
CASES=(
    "hello|hello|2"
    "psci|psci|2"
    # The Spectre workarounds on QEMU's max (CSV2, SSBS), and with Keel's branch-history loop
    # forced there (its exit vectors, and WA3 offered).
    "psci-max|psci/max|2|max"
    "psci-bhb|psci/bhb|2|max|bhb_loop=8"
    "mmio|mmio|2"
    "vgic|vgic|2"
    "sgi|sgi|2"
    "context|context|2"
    "uart|uart|2"
    "hcall|hcall|2"
    "grant|grant|2"
    "control|control,ctlpeer|2"
    "pvmem|pvmem|2"
    "blocksplit|blocksplit|2"
    "evtchn|evtchn|2"
    "smp|smp|2"
    "cpufeat|cpufeat|2"
    "cpufeat-max|cpufeat|2|max"
    "timerlevel|timerlevel|2"
    "psci-smp1|psci|1|cortex-a57||--icount"
    "vgic-smp1|vgic|1"
    "sgi-smp1|sgi|1"
    "context-smp1|context|1"
    "oslock|oslock,cpufeat|1"
    "together|hello,psci,mmio,vgic,sgi,context,uart,hcall|2"
    "modules|hello*16|2"
    "selftest-off|hello|2|cortex-a57|selftest=0"
    # The launcher puts each domain's node before the earlier ones', so Keel builds the last
    # one listed first: passthru has INTID 34 before passthru-dup asks for it.
    "passthru|!passthru/dup,!passthru/uart,passthru/outsider,passthru|2"
    "passthru-smp1|passthru/outsider,passthru|1"
)

# vCPUs each guest wants: smp needs more than 16 so that Aff1 is used (16 vCPUs a cluster).
vcpus_of() {
    case $1 in
    smp) echo 17 ;;
    psci | vgic | sgi | context | pvmem | evtchn | blocksplit) echo 2 ;;
    *) echo 1 ;;
    esac
}

# Configuration keys domain NAME gets beyond the common ones (later keys win), in a case run
# on SMP host CPUs.  passthru: QEMU virt's PL031 RTC (page 0x9010000, SPI 2 = INTID 34), and
# one restart to show the device is given back and given again; the others ask for lines Keel
# must refuse.  control is a control domain (the toolstack's calls); its peer is kept after it
# powers off so that the control domain can see it shut down and then destroy it.
cfg_extra() { # NAME SMP
    case $1 in
    control) echo 'control_domain = 1' ;;
    ctlpeer) echo 'on_poweroff = "preserve"' ;;
    passthru)
        printf 'iomem = [ "9010,1" ]\nirqs = [ 34 ]\non_reboot = "restart"\n'
        printf 'extra = "guest.pcpus=%s passthru.restart=1"\n' "$2" ;;
    passthru-uart) printf 'irqs = [ 33 ]\n' ;; # Keel's own console UART's line
    passthru-dup) printf 'irqs = [ 34 ]\n' ;;  # given to passthru already
    esac
}

# What Keel must say when it refuses domain NAME: "domain NAME: not created: TEXT...".
refusal_of() {
    case $1 in
    passthru-uart) echo "irqs: host interrupt 33 is Keel's own" ;;
    passthru-dup) echo "irqs: host interrupt 34 is given to domain passthru" ;;
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

# Domains of the run being judged that Keel must refuse (run_keel sets it).
refused=()

# Whether the launcher's exit status 1 is only its report of the domains Keel had to refuse.
only_refusals() { # LOG
    local l d ok
    while IFS= read -r l; do
        ok=0
        for d in "${refused[@]}"; do
            [[ $l == "keel-qemu: domain $d was not created: "* ]] && ok=1
        done
        [ $ok = 1 ] || return 1
    done < <(grep '^keel-qemu: ' "$1" | grep -v '^keel-qemu: qemu')
}

# verdict CASE SMP MS RC LOG GUEST...: judge one run from its log; print its line.
verdict() {
    local name=$1 smp=$2 ms=$3 rc=$4 log=$5
    shift 5
    local why=() g src total=0
    for g in "${refused[@]}"; do
        con_keel_said "$log" "$g" "not created: $(refusal_of "$g")" ||
            why+=("$g: no \"not created: $(refusal_of "$g")\"")
    done
    [ "$rc" = 1 ] && [ ${#refused[@]} -gt 0 ] && only_refusals "$log" && rc=0
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        why+=("timed out after ${TIMEOUT}s")
    elif [ "$rc" != 0 ]; then
        why+=("launcher exit status $rc")
    fi
    for g in "$@"; do
        # Domain output arrives as "[NAME] ..." lines; a lone guest's may be bare (--bare).
        src=$g
        [ $# -eq 1 ] && [ -z "$(con_summary "$log" "$g")" ] && src=""
        con_guest_verdict "$log" "$src" || why+=("$g: $con_why")
        total=$((total + con_passed + con_failed_n))
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

# The ramdisk the hello guest checks: 64-bit little-endian words 0x4b45454c00000000 | i,
# 100000 bytes (not a whole number of pages).
write_ramdisk() {
    perl -e 'print pack("Q<", 0x4b45454c00000000 | $_) for 0 .. 12499' >"$1"
}

# verdict_status CASE SMP MS RC LOG N: judge a run of N copies of a guest by the launcher's
# status alone (every domain powered off; a guest that finds its ramdisk damaged crashes):
# with that many domains printing at once, a guest's line can reach the console in pieces.
verdict_status() {
    local why
    if [ "$4" = 0 ]; then
        printf 'PASS guest %-14s smp=%s %6d ms  %d domains powered off\n' "$1" "$2" "$3" "$6"
        return 0
    fi
    why=$(grep '^keel-qemu: ' "$5" | grep -v 'keel-qemu: qemu' | tr '\n' ';')
    printf 'FAIL guest %-14s smp=%s %6d ms  launcher exit status %s: %s (see %s)\n' "$1" "$2" "$3" \
        "$4" "${why%;}" "$5"
    return 1
}

# run_keel CASE GUESTS SMP [CPU [KEEL-ARGS]]: one launcher run with a domain per guest.
run_keel() {
    local name=$1 smp=$3 cpu=${4:-cortex-a57} g d n i cfgs=() doms=() log=$LOGDIR/guest-$1.log
    local dir=$CFGDIR/$1 start rc ramdisk args=() copies=0 lopts=() role refuse
    [ -z "${5:-}" ] || args=(--keel-args "$5")
    if [ -n "${6:-}" ]; then
        read -r -a lopts <<<"$6"
        args+=("${lopts[@]}")
    fi
    IFS=, read -r -a guests <<<"$2"
    rm -rf "$dir"
    mkdir -p "$dir"
    refused=()
    for g in "${guests[@]}"; do
        n=1 ramdisk="" role="" refuse=0
        if [[ $g == "!"* ]]; then
            refuse=1 g=${g#!}
        fi
        if [[ $g == */* ]]; then
            role=${g#*/} g=${g%%/*}
        fi
        if [[ $g == *"*"* ]]; then
            n=${g#*\*} g=${g%%\**} ramdisk=$ABS_BUILD/guest-tests/$name/ramdisk copies=1
            write_ramdisk "$ramdisk"
        fi
        if [ ! -f "$BUILD/guests/$g.Image" ]; then
            printf 'FAIL guest %-14s %s missing: run make first\n' "$name" "$BUILD/guests/$g.Image"
            return 1
        fi
        for ((i = 1; i <= n; i++)); do
            d=$g
            [ -z "$ramdisk" ] || d=$g$i
            [ -z "$role" ] || d=$g-$role
            cat >"$dir/$d.cfg" <<CFG
# Generated by tests/guest/run.sh: the $g test guest as a domain.
name = "$d"
memory = $MEM_MIB
vcpus = $(vcpus_of "$g")
kernel = "$ABS_BUILD/guests/$g.Image"
${ramdisk:+ramdisk = \"$ramdisk\"}
on_reboot = "destroy"
on_crash = "destroy"
extra = "guest.pcpus=$smp${role:+ $g.role=$role}"
$(cfg_extra "$d" "$smp")
CFG
            cfgs+=("$dir/$d.cfg")
            if [ "$refuse" = 1 ]; then
                refused+=("$d")
            else
                doms+=("$d")
            fi
        done
    done
    start=$(date +%s%N)
    timeout -k 5 $((TIMEOUT + 10)) "$LAUNCHER" --smp "$smp" --cpu "$cpu" --timeout "$TIMEOUT" \
        --keel "$ABS_BUILD/keel.Image" "${args[@]}" "${cfgs[@]}" \
        </dev/null >"$log" 2>&1
    rc=$?
    if [ "$copies" = 1 ]; then
        verdict_status "$name" "$smp" $((($(date +%s%N) - start) / 1000000)) "$rc" "$log" "${#doms[@]}"
    else
        verdict "$name" "$smp" $((($(date +%s%N) - start) / 1000000)) "$rc" "$log" "${doms[@]}"
    fi
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
    # Every test guest the cases use, once, in its default role (guests/bench is for make
    # bench, not a test).
    for g in $(for c in "${CASES[@]}"; do echo "$c" | cut -d'|' -f2 | tr , '\n' | sed 's/^!//; s/[*/].*//'; done | sort -u); do
        selected "$g" || continue
        if run_bare "$g"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
    done
elif [ ! -x "$LAUNCHER" ]; then
    echo "guest: the launcher $LAUNCHER is missing; nothing can run the guests under Keel" >&2
    fail=1
else
    for c in "${CASES[@]}"; do
        IFS='|' read -r name guests smp cpu kargs lopts <<<"$c"
        selected "$name" || continue
        if run_keel "$name" "$guests" "$smp" "$cpu" "$kargs" "$lopts"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
    done
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
