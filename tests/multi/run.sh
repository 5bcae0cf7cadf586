#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Multi-domain tier: several Keel domains at once on a 2-CPU QEMU machine, started through
# scripts/keel-qemu from xl configurations written under $BUILD/multi-tests/.  Cases:
#
#   contain-MODE   a good guest (guests/sgi, 2 vCPUs) beside guests/faulty misbehaving as MODE
#                  (wild, flood, crash, spin-masked, hang, wfi-storm, exc-loop).  The good one
#                  must pass all its checks and power off, Keel must never print FATAL or
#                  PANIC, and the bad one must end as planned: wild powers off after
#                  surviving its aborts, flood and crash crash (on_crash = destroy) and give
#                  their memory back.  spin-masked and hang arm Xen's domain watchdog
#                  (SCHEDOP_watchdog) and are ended by it; wfi-storm and exc-loop never end by
#                  themselves, so the runner stops QEMU once the good domain has returned its
#                  memory.  wild and flood last a number of operations, not a time: about
#                  30 s on an idle host, some 10 times what the good guest needs.  On a loaded
#                  host both slow down (at load averages of 10-18 the good guest still ended
#                  4-6 times sooner), where a fixed time ran out before the good guest ended.
#   restart-100    guests/faulty fault=reboot with on_reboot = "restart": it resets itself at
#                  once, Keel restarts it; the launcher stops after the 100th "memory
#                  returned".  100 restarts, 100 boots, and the free-page count after the
#                  first and the hundredth destroy must be equal (no leak per cycle).  On the
#                  other pCPU guests/faulty fault=prod aims hypercalls at every domain id, so
#                  also at the restarting one while Keel rebuilds it: that neighbour must run
#                  on untouched (no Keel message about it).
#   restart-race-smpN  guests/lifecycle race=both (3 vCPUs, on_poweroff = "restart") on N
#                  pCPUs (2 and 4) beside guests/faulty flooding SGIs: each round it powers off
#                  (SCHEDOP_shutdown or PSCI SYSTEM_OFF) while one vCPU allocates and frees
#                  watchdogs in a loop and the others' timers expire into the teardown (issue
#                  12 item 1); the launcher stops after the MULTI_RESTARTS-th (default 200 on
#                  2 pCPUs, 100 on 4, which QEMU emulates slowly on a 2-core host; `make stress`
#                  runs thousands) "memory returned".  No Keel fault, no failed restart, and the same free-page
#                  count after the first and the last destroy.
#   zero-smpN      guests/zeromem (on_reboot = "restart") checks at every boot that its RAM
#                  reads as zero, fills it with a pattern and resets; each boot is a new domain
#                  built right after the last one was destroyed, in a machine small enough that
#                  it reuses that memory.  On 1 pCPU nothing idles in between, so the pages are
#                  zeroed when handed out; on 2 the idle pCPU's scrubber mostly got there first.
#                  Four clean boots and no pattern seen (issue 13).
#   restart-neighbour  under -icount and RTDS, guests/faulty restarting in a loop with a 32 MiB
#                  ramdisk beside guests/neighbour on one pCPU: the neighbour runs all its periods
#                  and its timer is never more than RESTART_LATE_US late (see the case).
#   grant-pass     guests/grant as granter, mapper and intruder (xen-abi-facts D): two domains
#                  pass a message and its reply through a granted page, the owner cannot end
#                  the grant while it is mapped and can once it is unmapped, the mapper then
#                  has the revoked grant refused, the third domain is refused the grants that
#                  are not its own (GNTST_general_error, bad_gntref), and the granter ends
#                  while a page of it is still mapped: the page stays until unmapped.  Run
#                  twice, the second time with nothing granted (grant.mode=idle): Keel's free
#                  pages after all three ended must be the same in both runs (nothing leaks).
#   evtchn-pingpong-same, evtchn-pingpong-apart
#                  guests/evtping as two domains joined by a dom0less static event channel
#                  (static_evtchn in the configuration): 1000 round trips, each waited for as
#                  an event, with both domains on one pCPU or on two; the peer ends when
#                  VIRQ_DOM_EXC says the other has gone and its end is unbound again.  A third
#                  domain (with a static channel of its own to pong, which pong outlives) tries
#                  to bind pong's port towards ping and every other, to make and read ports in
#                  pong, and to bind to a domain that does not exist: each refused (EINVAL,
#                  EPERM, ESRCH).
#   many           three Debian Linux domains (256 MiB, 1 vCPU, keeltest=basic) and two test
#                  guests (sgi, context) at once: everything passes and powers off.
#   sched-*        under -icount shift=0,sleep=off (deterministic machine time) guests/spin
#                  measures the CPU share it gets, with pCPU 1 in a pool of its own:
#                    sched-credit         weights 256 and 512: share ratio 0.5 +-10%
#                    sched-credit-pinned  the same in Pool-0 with cpus = "1" (the launcher's
#                                         pinning) instead of a pool
#                    sched-rtds           budget/period 3/10 ms and 6/10 ms: shares 0.30 and
#                                         0.60 +-5% (relative), and in no 10 ms window (at the
#                                         best alignment, see guests/spin) more than the
#                                         budget + 120 us (100 us buckets + 20 us sampling)
#                    sched-cap            cap = 25 alone: share <= 0.25 +5% (relative), >= 0.20
#                  A policy Keel does not offer makes its case FAIL with "policy not available".
#                  Under -icount QEMU runs its CPUs in turn, so machine time is shared by the
#                  pCPUs that are busy: these cases keep every busy vCPU on one pCPU.
#
# Prints one line per case as it ends (two run at a time), then "N passed, M failed".  Logs:
# $BUILD/test-logs/multi-CASE.log.  Builds nothing but the Linux initramfs: run make first
# (Keel and the guests); the Debian kernel comes from scripts/fetch-guest.sh.
#
# Usage: tests/multi/run.sh [CASE...]        (default: every case)
# Environment: BUILD (default build), MULTI_JOBS (cases at once, default 2).
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
WORK=$ABS_BUILD/multi-tests
JOBS=${MULTI_JOBS:-2}
GUESTS=$ABS_BUILD/guests
LAUNCHER=$top/scripts/keel-qemu

CASES=(many grant-pass evtchn-pingpong-same evtchn-pingpong-apart restart-100 restart-race-smp2 restart-race-smp4 zero-smp1 zero-smp2 restart-neighbour contain-wild contain-flood contain-crash contain-spin-masked
    contain-hang contain-wfi-storm contain-exc-loop sched-credit sched-credit-pinned sched-rtds
    sched-cap)

# ---- launching ----

# The launcher is read once: bash reads a script while running it, and a long run should not
# pick up an edit made to the launcher meanwhile.
launcher_text=""

# launch LOG TIMEOUT LAUNCHER-ARGS...: run the launcher; sets rc and secs.  TIMEOUT is a
# safety net for a hung run, 20 or more times what the case takes on an idle host: the cases
# wait for what they check, and a loaded host only makes them slower.
launch() {
    local log=$1 t=$2 start=$SECONDS
    shift 2
    timeout -k 5 $((t + 30)) bash -c "$launcher_text" "$LAUNCHER" --timeout "$t" "$@" \
        </dev/null >"$log" 2>&1
    rc=$?
    secs=$((SECONDS - start))
}

# cfg FILE NAME MEMORY VCPUS KERNEL EXTRA [KEY=VALUE...]: an xl configuration.
cfg() {
    local f=$1 kv
    {
        echo "# Written by tests/multi/run.sh"
        echo "name = \"$2\""
        echo "memory = $3"
        echo "vcpus = $4"
        echo "kernel = \"$5\""
        [ -n "$6" ] && echo "extra = \"$6\""
        shift 6
        for kv in "$@"; do echo "${kv%%=*} = ${kv#*=}"; done
    } >"$f"
}

# ---- reading a console log: tests/lib/console.sh ----

# shellcheck source=tests/lib/console.sh
. "$top/tests/lib/console.sh"

# A field of a domain's first SPIN line (guests/spin).
spin_field() {
    con_domain "$1" "$2" | grep -m1 '^SPIN ' | tr ' ' '\n' | sed -n "s/^$3=//p"
}
# awk as a calculator: fcmp EXPR exits 0 if EXPR holds; fmt EXPR prints it.
fcmp() { awk "BEGIN { exit !($1) }"; }
fmt() { awk "BEGIN { printf \"%.4f\", $1 }"; }

# Checks for a test guest domain that must pass everything and power off; appends to why.
guest_passed() { # log name
    if ! con_guest_verdict "$1" "$2"; then
        why+=("$2: $con_why")
    elif ! con_keel_said "$1" "$2" "shutdown (poweroff)"; then
        why+=("$2: passed but Keel never said it powered off")
    elif ! con_keel_said "$1" "$2" "memory returned"; then
        why+=("$2: no 'memory returned' after it ended")
    else
        return 0
    fi
    return 1
}

# Common failures of a launcher run; appends to why.
run_problems() { # log
    local f
    f=$(con_keel_fault "$1")
    [ -n "$f" ] && why+=("Keel fault: $f")
    [ "$rc" = 3 ] && why+=("timed out")
    [ "$rc" = 124 ] || [ "$rc" = 137 ] && why+=("launcher hung")
    [ "$rc" = 6 ] && why+=("QEMU failed: $(grep '^keel-qemu: ' "$1" | tail -1)")
    [ "$rc" = 2 ] && why+=("launcher refused: $(grep '^keel-qemu: ' "$1" | tail -1)")
}

# result NAME SECONDS INFO LOG: print the case's line from why[]; status 0 if it passed.
result() {
    if [ ${#why[@]} -eq 0 ]; then
        printf 'PASS multi %-20s %4d s  %s\n' "$1" "$2" "$3"
        return 0
    fi
    local IFS=';'
    printf 'FAIL multi %-20s %4d s  %s (log: %s)\n' "$1" "$2" "${why[*]}" "${4#"$top"/}"
    return 1
}

need_images() { # IMAGE...: appends to why for each missing one
    local i
    for i in "$@"; do [ -s "$i" ] || why+=("$i missing: run make first"); done
    [ ${#why[@]} -eq 0 ]
}

# ---- fault containment ----

# contain MODE BOOTARGS BAD_VCPUS END: END is how the bad domain must end (poweroff, crash,
# or runner when nothing but the runner can end it).
contain() {
    local name=contain-$1 args=$2 nv=$3 end=$4 dir=$WORK/contain-$1 log=$LOGDIR/multi-contain-$1.log
    local bad=bad good=sgi info stop=() n_good n_bad wd keel_n
    why=()
    need_images "$GUESTS/sgi.Image" "$GUESTS/faulty.Image" || { result "$name" 0 "" "$log"; return; }
    mkdir -p "$dir"
    cfg "$dir/$good.cfg" $good 64 2 "$GUESTS/sgi.Image" "" 'on_crash="destroy"'
    cfg "$dir/$bad.cfg" $bad 32 "$nv" "$GUESTS/faulty.Image" "$args" 'on_crash="destroy"' \
        'on_reboot="destroy"'
    [ "$end" = runner ] && stop=(--stop-on "domain $good: memory returned")
    launch "$log" 900 "${stop[@]}" "$dir/$good.cfg" "$dir/$bad.cfg"
    run_problems "$log"
    guest_passed "$log" $good
    con_domain "$log" $bad | grep -q "^FAULTY $1" || why+=("$bad: never started misbehaving")
    n_good=$(con_keel_line_no "$log" $good "shutdown (poweroff)")
    n_bad=$(con_keel_line_no "$log" $bad "shutdown (")
    case $end in
    poweroff)
        guest_passed "$log" $bad ;;
    crash)
        con_keel_said "$log" $bad "shutdown (crash)" || why+=("$bad: Keel never said it crashed")
        con_keel_said "$log" $bad "memory returned" || why+=("$bad: no 'memory returned' after it crashed") ;;
    runner)
        if [ "$n_bad" != 0 ] && ! con_keel_said "$log" $bad "shutdown (watchdog)"; then
            why+=("$bad: ended ($(con_keel "$log" | grep -m1 -F "domain $bad: shutdown" |
                sed 's/.*shutdown //')) though only the runner should end it")
        fi ;;
    esac
    # The good guest's whole run must overlap the bad one's misbehaviour.
    if [ "$end" != runner ] && [ "$1" != crash ] && [ "$n_good" != 0 ] && [ "$n_bad" != 0 ] &&
        [ "$n_bad" -lt "$n_good" ]; then
        why+=("$bad ended before $good finished: containment not exercised (raise ops=)")
    fi
    info=$(con_domain "$log" $bad | grep -m1 -E "^FAULTY $1: [0-9]" | sed 's/^FAULTY //')
    wd=$(con_domain "$log" $bad | sed -n 's/^FAULTY watchdog: SCHEDOP_watchdog([0-9]* s) = \(-*[0-9]*\).*/SCHEDOP_watchdog = \1/p')
    keel_n=$(con_keel "$log" | grep -cF "domain $bad: ")
    case $end in
    runner) info="$1 until stopped${wd:+ ($wd)}; ${info:+$info; }Keel printed $keel_n lines on it" ;;
    *) info="${info:-$1}; ended by $end, memory returned; Keel printed $keel_n lines on it" ;;
    esac
    result "$name" "$secs" "$good $(con_summary "$log" $good | cut -d' ' -f1) checks passed; $info" "$log"
}

case_contain_wild() { contain wild "fault=wild ops=3000000" 1 poweroff; }
case_contain_flood() { contain flood "fault=flood ops=1500000 end=crash" 2 crash; }
case_contain_crash() { contain crash "fault=crash" 1 crash; }
case_contain_spin_masked() { contain spin-masked "fault=spin-masked watchdog=2" 2 runner; }
case_contain_hang() { contain hang "fault=hang watchdog=2" 2 runner; }
case_contain_wfi_storm() { contain wfi-storm "fault=wfi-storm" 2 runner; }
case_contain_exc_loop() { contain exc-loop "fault=exc-loop" 1 runner; }

# ---- 100 restarts ----

case_restart_100() {
    local name=restart-100 dir=$WORK/restart-100 log=$LOGDIR/multi-restart-100.log n=100
    local restarts boots first last
    why=()
    need_images "$GUESTS/faulty.Image" || { result $name 0 "" "$log"; return; }
    mkdir -p "$dir"
    cfg "$dir/cyc.cfg" cyc 32 2 "$GUESTS/faulty.Image" "fault=reboot" 'on_reboot="restart"' \
        'on_crash="destroy"'
    # On the other pCPU, a neighbour aims event-channel, grant, memory and parameter calls at
    # every domain id, so they also reach cyc while it is being rebuilt.
    cfg "$dir/prod.cfg" prod 32 2 "$GUESTS/faulty.Image" "fault=prod" 'on_crash="destroy"'
    launch "$log" 900 --smp 2 --stop-on "domain cyc: memory returned" --stop-count $n \
        "$dir/cyc.cfg" "$dir/prod.cfg"
    run_problems "$log"
    [ "$rc" = 0 ] || [ "$rc" = 3 ] || why+=("launcher exit status $rc: $(grep '^keel-qemu: ' "$log" | tail -1)")
    # Count what happened up to the n-th "memory returned" (QEMU goes on briefly after it).
    local upto
    upto=$(con_keel "$log" | grep -nF "domain cyc: memory returned" | sed -n "${n}p" | cut -d: -f1)
    if [ -z "$upto" ]; then
        why+=("only $(con_keel "$log" | grep -cF "domain cyc: memory returned") of $n cycles")
    else
        restarts=$(con_keel "$log" | head -n "$upto" | grep -cF "domain cyc: restarting")
        [ "$restarts" -ge $n ] || why+=("$restarts 'restarting' lines in $n cycles")
    fi
    con_domain "$log" prod | grep -q "^FAULTY prod: start" || why+=("the prodding neighbour did not start")
    con_keel "$log" | grep -qE "domain prod: (shut|crash|destroy|restart)" &&
        why+=("$(con_keel "$log" | grep -m1 -E "domain prod: (shut|crash|destroy|restart)")")
    boots=$(con_domain "$log" cyc | grep -c "^FAULTY reboot: PSCI SYSTEM_RESET")
    [ "$boots" -ge $n ] || why+=("the guest booted $boots times, want $n")
    con_keel "$log" | grep -qF "domain cyc: restart failed" &&
        why+=("$(con_keel "$log" | grep -m1 -F "domain cyc: restart failed")")
    first=$(con_keel "$log" | grep -F "domain cyc: memory returned" | sed -n '1s/.*returned, \([0-9]*\) pages free.*/\1/p')
    last=$(con_keel "$log" | grep -F "domain cyc: memory returned" | sed -n "${n}s/.*returned, \([0-9]*\) pages free.*/\1/p")
    if [ -n "$first" ] && [ -n "$last" ] && [ "$first" != "$last" ]; then
        why+=("free pages $first after cycle 1 but $last after cycle $n: $((first - last)) pages lost")
    fi
    result $name "$secs" "${restarts:-0} restarts, ${boots} boots; $first pages free after cycle 1 and ${last:-?} after cycle $n" "$log"
}

# ---- racing restarts ----

restart_race() { # SMP
    local name=restart-race-smp$1 dir=$WORK/restart-race-smp$1 log=$LOGDIR/multi-restart-race-smp$1.log
    local n=${MULTI_RESTARTS:-$((400 / $1))} upto restarts first last
    why=()
    need_images "$GUESTS/lifecycle.Image" "$GUESTS/faulty.Image" || { result $name 0 "" "$log"; return; }
    mkdir -p "$dir"
    # A watchdog that expires (its vCPU descheduled for a second on a loaded host) is one more
    # way to die mid-race: it restarts the domain as well.
    cfg "$dir/race.cfg" race 4 3 "$GUESTS/lifecycle.Image" "race=both" 'on_poweroff="restart"' \
        'on_crash="restart"'
    cfg "$dir/load.cfg" load 32 2 "$GUESTS/faulty.Image" "fault=flood ms=0" 'on_crash="destroy"'
    # The timeout is a safety net only: the case ends at the n-th destroy.
    launch "$log" 1500 --smp "$1" --stop-on "domain race: memory returned" --stop-count "$n" \
        "$dir/race.cfg" "$dir/load.cfg"
    run_problems "$log"
    [ "$rc" = 0 ] || [ "$rc" = 3 ] || why+=("launcher exit status $rc: $(grep '^keel-qemu: ' "$log" | tail -1)")
    upto=$(con_keel "$log" | grep -nF "domain race: memory returned" | sed -n "${n}p" | cut -d: -f1)
    if [ -z "$upto" ]; then
        why+=("only $(con_keel "$log" | grep -cF "domain race: memory returned") of $n restarts")
    fi
    restarts=$(con_keel "$log" | grep -cF "domain race: restarting")
    con_keel "$log" | grep -qF "domain race: restart failed" &&
        why+=("$(con_keel "$log" | grep -m1 -F "domain race: restart failed")")
    con_keel_said "$log" load "shutdown" && why+=("the flooding neighbour ended: $(con_keel "$log" | grep -m1 -F "domain load: shutdown")")
    first=$(con_keel "$log" | grep -F "domain race: memory returned" | sed -n '1s/.*returned, \([0-9]*\) pages free.*/\1/p')
    last=$(con_keel "$log" | grep -F "domain race: memory returned" | sed -n "${n}s/.*returned, \([0-9]*\) pages free.*/\1/p")
    if [ -n "$first" ] && [ -n "$last" ] && [ "$first" != "$last" ]; then
        why+=("free pages $first after restart 1 but $last after restart $n: $((first - last)) pages lost")
    fi
    result $name "$secs" "$restarts restarts on $1 pCPUs beside an SGI flood; $first pages free after the first and ${last:-?} after the last" "$log"
}

case_restart_race_smp2() { restart_race 2; }
case_restart_race_smp4() { restart_race 4; }

# ---- memory handed out zeroed ----

zero_reuse() { # SMP
    local name=zero-smp$1 dir=$WORK/zero-smp$1 log=$LOGDIR/multi-zero-smp$1.log n=4 clean
    why=()
    need_images "$GUESTS/zeromem.Image" || { result $name 0 "" "$log"; return; }
    mkdir -p "$dir"
    cfg "$dir/z.cfg" z 64 1 "$GUESTS/zeromem.Image" "" 'on_reboot="restart"' 'on_crash="destroy"'
    launch "$log" 600 --smp "$1" --mem 320 --stop-on "ZEROMEM clean" --stop-count $n "$dir/z.cfg"
    run_problems "$log"
    [ "$rc" = 0 ] || [ "$rc" = 3 ] || why+=("launcher exit status $rc: $(grep '^keel-qemu: ' "$log" | tail -1)")
    clean=$(con_domain "$log" z | grep -c "^ZEROMEM clean")
    [ "$clean" -ge $n ] || why+=("$clean clean boots, want $n")
    con_domain "$log" z | grep -q "zeromem_clean: FAIL" &&
        why+=("$(con_domain "$log" z | grep -m1 "zeromem_clean: FAIL")")
    result $name "$secs" "$clean boots found their RAM zeroed, the last one's pattern gone" "$log"
}

case_zero_smp1() { zero_reuse 1; }
case_zero_smp2() { zero_reuse 2; }

# ---- a domain that restarts in a loop beside another on one pCPU ----

# Under -icount (machine time, exact) and the RTDS policy: guests/neighbour (a 1 ms timer
# period; 200 us every 500 us) beside guests/faulty resetting itself at once with on_reboot =
# "restart" and a 32 MiB ramdisk (500 us every 1 ms), on one pCPU.  The neighbour must run all
# its periods while the other restarts again and again, and its timer must never be served
# later than RESTART_LATE_US: each restart's teardown returns the old memory in parts, taking
# interrupts between them, and the new incarnation's images (6.4 ms of copying for the ramdisk
# alone) are copied in steps by its own vCPU, within its own reservation.  Before 2026-12-06
# Keel copied them from the reaper, charged to the neighbour, which never ran at all; with the
# copy moved but the teardown in one piece (96 MiB), the timer came 409 us late (55 us now).
RESTART_LATE_US=200

case_restart_neighbour() {
    local name=restart-neighbour dir=$WORK/restart-neighbour log=$LOGDIR/multi-restart-neighbour.log
    local restarts worst periods
    why=()
    need_images "$GUESTS/faulty.Image" "$GUESTS/neighbour.Image" || { result $name 0 "" "$log"; return; }
    mkdir -p "$dir"
    head -c 32M /dev/zero >"$dir/ramdisk.bin"
    cfg "$dir/cyc.cfg" cyc 96 1 "$GUESTS/faulty.Image" "fault=reboot" 'on_reboot="restart"' \
        'on_crash="destroy"' "ramdisk=\"$dir/ramdisk.bin\"" budget=500 period=1000
    cfg "$dir/nb.cfg" nb 32 1 "$GUESTS/neighbour.Image" "periods=200 period_ms=1 report=20" \
        'on_crash="destroy"' budget=200 period=500
    launch "$log" 900 --smp 1 --icount --keel-args sched=rtds --stop-on "domain nb: memory returned" \
        "$dir/nb.cfg" "$dir/cyc.cfg"
    run_problems "$log"
    guest_passed "$log" nb
    restarts=$(con_keel "$log" | sed -n '/domain nb: shutdown/q;p' | grep -cF "domain cyc: restarting")
    [ "$restarts" -ge 10 ] || why+=("cyc restarted only $restarts times while nb ran")
    con_keel "$log" | grep -qF "domain cyc: restart failed" &&
        why+=("$(con_keel "$log" | grep -m1 -F "domain cyc: restart failed")")
    periods=$(con_domain "$log" nb | grep -c "^NEIGHBOUR-STATUS")
    [ "$periods" -ge 10 ] || why+=("nb printed $periods of 10 status lines")
    worst=$(con_domain "$log" nb | grep "^NEIGHBOUR-STATUS" | sed -n 's/.* max_late_us=\([0-9]*\).*/\1/p' |
        tail -1)
    if [ -z "$worst" ]; then
        why+=("no timer lateness reported")
    elif [ "$worst" -gt $RESTART_LATE_US ]; then
        why+=("nb's timer was served $worst us late (at most $RESTART_LATE_US)")
    fi
    result $name "$secs" "$restarts restarts beside nb; nb's timer at worst ${worst:-?} us late" "$log"
}

# ---- grant tables between domains ----

# grant_run DIR LOG EXTRA: the three grant guests once.  The launcher adds each domain's node
# in front of the ones before it, so the last configuration given is domain 1: granter 1,
# mapper 2, intruder 3 (each guest checks its own id).
grant_run() {
    local role ids="grant.a=1 grant.b=2 grant.c=3"
    for role in granter mapper intruder; do
        cfg "$1/$role.cfg" "$role" 64 1 "$GUESTS/grant.Image" "grant.role=$role $ids $3" \
            'on_crash="destroy"'
    done
    launch "$2" 600 --smp 2 "$1/intruder.cfg" "$1/mapper.cfg" "$1/granter.cfg"
    run_problems "$2"
    [ "$rc" = 0 ] || why+=("launcher exit status $rc ($2)")
}

last_free() { # LOG: Keel's free pages after the last domain ended
    con_keel "$1" | grep -E "memory returned|all domains have ended" | tail -1 |
        sed -n 's/.*\(returned\|ended\), \([0-9]*\) pages free.*/\2/p'
}

case_grant_pass() {
    local name=grant-pass dir=$WORK/grant-pass log=$LOGDIR/multi-grant-pass.log
    local idle=$LOGDIR/multi-grant-pass-idle.log g free0 free1 t
    why=()
    need_images "$GUESTS/grant.Image" || { result $name 0 "" "$log"; return; }
    mkdir -p "$dir"
    grant_run "$dir" "$idle" "grant.mode=idle"
    t=$secs
    grant_run "$dir" "$log" ""
    secs=$((secs + t))
    if con_text "$log" | grep -q "memory_op has no XENMAPSPACE_grant_table"; then
        result $name "$secs" "SKIPPED: memory_op cannot map a grant table here yet" "$log"
        return
    fi
    for g in granter mapper intruder; do guest_passed "$log" $g; done
    free0=$(last_free "$idle") free1=$(last_free "$log")
    [ -n "$free1" ] && [ "$free0" = "$free1" ] ||
        why+=("${free1:-?} pages free after the three ended, ${free0:-?} when nothing was granted")
    result $name "$secs" "message and reply through a grant, revoke refused while mapped, intruder refused; $free1 pages free after, as without grants" "$log"
}

# ---- event channels between domains ----

# evtchn-pingpong-PLACE: guests/evtping as two domains joined by a static event channel
# (static_evtchn in ping's configuration; Xen 4.17's dom0less binding in the DT): ping port 10,
# pong port 20.  ping makes N round trips, each ended by an event, not by a time; pong counts
# the batches it answered and ends when VIRQ_DOM_EXC says ping has gone and its end of the
# channel is unbound again.  PLACE: same (both on pCPU 0) or apart (pCPU 0 and 1).
evtchn_pingpong() { # PLACE
    local name=evtchn-pingpong-$1 dir=$WORK/evtchn-$1 log=$LOGDIR/multi-evtchn-$1.log n=1000
    local pin_ping='cpus="0"' pin_pong='cpus="0"' line
    [ "$1" = apart ] && pin_pong='cpus="1"'
    why=()
    need_images "$GUESTS/evtping.Image" || { result "$name" 0 "" "$log"; return; }
    mkdir -p "$dir"
    cfg "$dir/pong.cfg" pong 32 1 "$GUESTS/evtping.Image" "evt.role=pong evt.port=20 evt.watch=30" \
        "$pin_pong"
    cfg "$dir/ping.cfg" ping 32 1 "$GUESTS/evtping.Image" "evt.role=ping evt.port=10 evt.rounds=$n" \
        "$pin_ping" 'static_evtchn=[ "10:pong:20" ]'
    # The intruder finds pong's domain id from its own channel; pong ends after it.
    cfg "$dir/intruder.cfg" intruder 32 1 "$GUESTS/evtping.Image" \
        "evt.role=intruder evt.port=5 evt.target=20" "$pin_pong" \
        'static_evtchn=[ "5:pong:30" ]'
    launch "$log" 600 --smp 2 "$dir/pong.cfg" "$dir/ping.cfg" "$dir/intruder.cfg"
    run_problems "$log"
    guest_passed "$log" ping
    guest_passed "$log" pong
    guest_passed "$log" intruder
    line=$(con_domain "$log" ping | grep -m1 '^EVTPING ')
    if [[ $line == *skipped=no-memory-op* ]]; then
        # Only before memory_op lands: nothing maps shared_info, so no event can be seen.
        result "$name" "$secs" "skipped: this Keel has no memory_op to map shared_info" "$log"
        return
    fi
    [[ $line == *"rounds=$n "* ]] || why+=("ping: '${line:-no EVTPING line}', want rounds=$n")
    result "$name" "$secs" "$n round trips, ${line##*ns_per_rt=} ns each; pong: $(con_domain "$log" pong | grep -m1 '^EVTPONG ' | cut -d' ' -f2-)" "$log"
}

case_evtchn_pingpong_same() { evtchn_pingpong same; }
case_evtchn_pingpong_apart() { evtchn_pingpong apart; }

# ---- many domains ----

initrd=$WORK/initramfs.cpio.gz
kernel=$top/build/cache/Image # scripts/fetch-guest.sh puts it there

prepare_linux() {
    local newest
    [ -s "$kernel" ] || "$top/scripts/fetch-guest.sh" >"$LOGDIR/multi-fetch.log" 2>&1 ||
        return 1
    newest=$(find "$top/scripts/mkinitramfs.sh" "$top/tests/e2e/initramfs" -type f -newer "$initrd" 2>/dev/null | head -1)
    if [ ! -s "$initrd" ] || [ -n "$newest" ]; then
        "$top/scripts/mkinitramfs.sh" "$initrd" >"$LOGDIR/multi-mkinitramfs.log" 2>&1 || return 1
    fi
}

# The e2e guest's "CHECK key=value" lines of one domain; sets why on a failure (as
# tests/e2e/lib.sh check_basic, for one domain of a shared console).
linux_basic() { # log name vcpus mem-MiB
    local t cpus mem lo hi
    t=$(con_checks "$1" "$2")
    val() { printf '%s\n' "$t" | sed -n "s/^$1=//p" | tail -1; }
    cpus=$(val cpus)
    mem=$(val mem_kb)
    lo=$(($4 * 1024 * 80 / 100))
    hi=$(($4 * 1024))
    if ! con_domain "$1" "$2" | grep -q 'CHECK done'; then
        why+=("$2: the basic check did not finish$(con_domain "$1" "$2" | grep -m1 'CHECK error' | sed 's/^/: /')")
    elif [ "$cpus" != "$3" ]; then
        why+=("$2: cpus=$cpus, want $3")
    elif ! [[ $mem =~ ^[0-9]+$ ]] || [ "$mem" -lt "$lo" ] || [ "$mem" -gt "$hi" ]; then
        why+=("$2: mem_kb=$mem, want $lo..$hi")
    elif [ "$(val timer_rising)" != yes ]; then
        why+=("$2: timer not rising ($(val timer_irqs))")
    elif [ "$(val dmesg_clean)" != yes ]; then
        why+=("$2: kernel log not clean: $(con_domain "$1" "$2" | grep -m1 'CHECK dmesg_bad')")
    elif ! con_keel_said "$1" "$2" "shutdown (poweroff)"; then
        why+=("$2: never powered off")
    fi
}

case_many() {
    local name=many dir=$WORK/many log=$LOGDIR/multi-many.log i cfgs=() g
    why=()
    need_images "$GUESTS/sgi.Image" "$GUESTS/context.Image" || { result $name 0 "" "$log"; return; }
    if ! prepare_linux; then
        why+=("cannot get the Debian kernel or build the initramfs (see $LOGDIR/multi-*.log)")
        result $name 0 "" "$log"
        return
    fi
    mkdir -p "$dir"
    for i in 1 2 3; do
        cfg "$dir/linux$i.cfg" linux$i 256 1 "$kernel" \
            "console=ttyAMA0 earlycon=pl011,0x22000000 keeltest=basic" "ramdisk=\"$initrd\"" \
            'on_reboot="destroy"'
        cfgs+=("$dir/linux$i.cfg")
    done
    for g in sgi context; do
        cfg "$dir/$g.cfg" $g 64 2 "$GUESTS/$g.Image" ""
        cfgs+=("$dir/$g.cfg")
    done
    launch "$log" 900 "${cfgs[@]}"
    run_problems "$log"
    [ "$rc" = 0 ] || [ "$rc" = 3 ] || why+=("launcher exit status $rc: $(grep '^keel-qemu: ' "$log" | tail -1)")
    for i in 1 2 3; do linux_basic "$log" linux$i 1 256; done
    guest_passed "$log" sgi
    guest_passed "$log" context
    result $name "$secs" "3 Linux domains passed keeltest=basic, sgi $(con_summary "$log" sgi | cut -d' ' -f1) and context $(con_summary "$log" context | cut -d' ' -f1) checks passed" "$log"
}

# ---- scheduling accuracy ----

SPIN_MS=2000

# sched_run NAME KEEL-ARGS POOL-LINE CFG...: run under -icount; checks the pool Keel made.
sched_run() {
    local name=$1 kargs=$2 want_pool=$3 log=$LOGDIR/multi-$1.log
    shift 3
    launch "$log" 600 --icount --keel-args "$kargs" "$@"
    run_problems "$log"
    if ! con_keel "$log" | grep -qE "sched: pool $want_pool"; then
        why+=("policy not available: Keel made no 'pool $want_pool' (it said: $(con_keel "$log" |
            grep -E 'sched|cpupool' | sed 's/^(keel) \[[ 0-9.]*\] //' | head -3 | tr '\n' '|'))")
        return 1
    fi
    [ "$rc" = 0 ] || why+=("launcher exit status $rc: $(grep '^keel-qemu: ' "$log" | tail -1)")
    return 0
}

spin_cfg() { # file name extra-settings...
    local f=$1 n=$2
    shift 2
    cfg "$f" "$n" 16 1 "$GUESTS/spin.Image" "spin_ms=$SPIN_MS window_us=10000 bucket_us=100 gap_us=20" "$@"
}

credit_weights() { # name pinned(0/1)
    local name=$1 dir=$WORK/$1 log=$LOGDIR/multi-$1.log a b r kargs=cpupool=one:credit:1 pool='one: policy credit'
    local place=('pool="one"')
    why=()
    need_images "$GUESTS/spin.Image" || { result "$name" 0 "" "$log"; return; }
    mkdir -p "$dir"
    if [ "$2" = 1 ]; then
        kargs="sched=credit" pool='Pool-0: policy credit' place=('cpus="1"')
    fi
    spin_cfg "$dir/w256.cfg" w256 cpu_weight=256 "${place[@]}"
    spin_cfg "$dir/w512.cfg" w512 cpu_weight=512 "${place[@]}"
    if sched_run "$name" "$kargs" "$pool" "$dir/w256.cfg" "$dir/w512.cfg"; then
        a=$(spin_field "$log" w256 share)
        b=$(spin_field "$log" w512 share)
        if [ -z "$a" ] || [ -z "$b" ]; then
            why+=("no SPIN line from w256 or w512")
        else
            r=$(fmt "$a / $b")
            fcmp "$b > 0 && $a / $b >= 0.45 && $a / $b <= 0.55" ||
                why+=("shares $a : $b, ratio $r; want 0.5 +-10%")
            # Under -icount two pCPUs busy at once split machine time between them.
            [ "$2" = 1 ] && [ ${#why[@]} -gt 0 ] &&
                why+=("if they ran on both pCPUs, cpus=\"1\" was not honoured: the launcher writes keel,cpus")
            fcmp "$a + $b >= 0.9" || why+=("shares $a + $b leave the pCPU idle")
        fi
    fi
    result "$name" "$secs" "weight 256 share ${a:-?}, weight 512 share ${b:-?}, ratio ${r:-?} (want 0.50 +-0.05)" "$log"
}

case_sched_credit() { credit_weights sched-credit 0; }
case_sched_credit_pinned() { credit_weights sched-credit-pinned 1; }

case_sched_rtds() {
    local name=sched-rtds dir=$WORK/sched-rtds log=$LOGDIR/multi-sched-rtds.log d s m budget want tol=120 info=""
    why=()
    need_images "$GUESTS/spin.Image" || { result $name 0 "" "$log"; return; }
    mkdir -p "$dir"
    spin_cfg "$dir/rt3.cfg" rt3 'pool="rt"' budget=3000 period=10000
    spin_cfg "$dir/rt6.cfg" rt6 'pool="rt"' budget=6000 period=10000
    if sched_run $name "cpupool=rt:rtds:1" "rt: policy rtds" "$dir/rt3.cfg" "$dir/rt6.cfg"; then
        for d in rt3 rt6; do
            budget=$((${d#rt} * 1000))
            want=$(fmt "$budget / 10000")
            s=$(spin_field "$log" $d share)
            m=$(spin_field "$log" $d max_window_us)
            info="$info$d share ${s:-?} max ${m:-?} us; "
            if [ -z "$s" ]; then
                why+=("$d: no SPIN line")
                continue
            fi
            fcmp "$s >= $want * 0.95 && $s <= $want * 1.05" || why+=("$d: share $s, want $want +-5%")
            [ "$m" -le $((budget + tol)) ] ||
                why+=("$d: ran $m us in one 10 ms window, budget $budget us (+$tol us)")
        done
    fi
    result $name "$secs" "${info}want 0.30/0.60 +-5%, max <= budget + $tol us" "$log"
}

case_sched_cap() {
    local name=sched-cap dir=$WORK/sched-cap log=$LOGDIR/multi-sched-cap.log s
    why=()
    need_images "$GUESTS/spin.Image" || { result $name 0 "" "$log"; return; }
    mkdir -p "$dir"
    spin_cfg "$dir/cap25.cfg" cap25 cap=25 'pool="one"'
    if sched_run $name "cpupool=one:credit:1" "one: policy credit" "$dir/cap25.cfg"; then
        s=$(spin_field "$log" cap25 share)
        if [ -z "$s" ]; then
            why+=("no SPIN line")
        else
            fcmp "$s <= 0.2625" || why+=("share $s above the 25% cap (+5%)")
            fcmp "$s >= 0.20" || why+=("share $s: the cap starves it (want >= 0.20)")
        fi
    fi
    result $name "$secs" "cap 25: share ${s:-?} (want 0.20..0.2625)" "$log"
}

# ---- main ----

want=("$@")
for c in "${want[@]}"; do
    [[ " ${CASES[*]} " == *" $c "* ]] || {
        echo "multi: no case '$c' (have: ${CASES[*]})" >&2
        exit 2
    }
done
[ ${#want[@]} -gt 0 ] || want=("${CASES[@]}")
mkdir -p "$LOGDIR" "$WORK"
if [ ! -x "$LAUNCHER" ]; then
    echo "multi: the launcher $LAUNCHER is missing" >&2
    echo "0 passed, ${#want[@]} failed"
    exit 1
fi
launcher_text=$(cat "$LAUNCHER")
# The launcher builds keel-cfg when it is out of date; do it once here, not in parallel.
make -s -C "$top" BUILD="$ABS_BUILD" "$ABS_BUILD/tools/keel-cfg" >"$LOGDIR/multi-build.log" 2>&1

pass=0 fail=0
declare -A job_case=()
collect() { # wait for one case to end and print its line
    local pid
    wait -n -p pid
    cat "$WORK/${job_case[$pid]}.result"
    if grep -q '^PASS' "$WORK/${job_case[$pid]}.result"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
    unset "job_case[$pid]"
}
for c in "${want[@]}"; do
    while [ ${#job_case[@]} -ge "$JOBS" ]; do collect; done
    rm -f "$WORK/$c.result"
    ("case_${c//-/_}" >"$WORK/$c.result" 2>"$LOGDIR/multi-$c.err") &
    job_case[$!]=$c
done
while [ ${#job_case[@]} -gt 0 ]; do collect; done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
