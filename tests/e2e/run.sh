#!/bin/bash
# End-to-end tests: Debian's arm64 Linux as Keel domains, started by scripts/keel-qemu from xl
# configuration files written under build/e2e/.
#   tests/e2e/run.sh [CASE...]   cases: launcher basic cpu-max reboot-restart reboot-destroy
#                                (default all)
# Prints one line per case and finally "N passed, N failed"; logs in build/test-logs/e2e-*.log.
# tests/e2e/baseline.sh runs the same guest checks on plain QEMU.
set -uo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
all_cases="launcher basic cpu-max reboot-restart reboot-destroy"
cases=${*:-$all_cases}
for c in $cases; do
    [[ " $all_cases " == *" $c "* ]] || { echo "run.sh: no case '$c' (have: $all_cases)" >&2; exit 2; }
done

setup_ok=1
prepare_guest || setup_ok=0
make -s -C "$top" hyp build/tools/keel-cfg > "$logs/e2e-build.log" 2>&1 || setup_ok=0
if [ "$setup_ok" = 0 ]; then
    echo "run.sh: cannot build Keel or the guest material (see build/test-logs/e2e-build.log)"
    for c in $cases; do fail=$((fail + 1)); echo "FAIL e2e: $c: not run"; done
    summary
    exit 1
fi

domain_cfg() { # name vcpus memory test on_reboot
    cat > "$work/$1.cfg" <<CFG
# Written by tests/e2e/run.sh
name = "$1"
vcpus = $2
memory = $3
kernel = "../cache/Image"
ramdisk = "initramfs.cpio.gz"
# The console is Keel's virtual SBSA UART (vpl011) at 0x22000000.
extra = "console=ttyAMA0 earlycon=pl011,0x22000000 keeltest=$4"
on_reboot = "$5"
CFG
}

launch() { # name keel-qemu-args... ; sets rc, secs, log
    local name=$1 start=$SECONDS
    shift
    log=$logs/e2e-$name.log
    "$top/scripts/keel-qemu" --timeout 600 "$@" < /dev/null > "$log" 2>&1
    rc=$?
    secs=$((SECONDS - start))
}

# Line number of the first console line containing a string after line $3 (0 if none).
line_of() { # log string [after]
    awk -v s="$2" -v after="${3:-0}" 'NR > after && index($0, s) { print NR; exit }' "$1" | grep . || echo 0
}

case_launcher() {
    local start=$SECONDS
    log=$logs/e2e-launcher.log
    if "$top/tests/e2e/launcher-test.sh" > "$log" 2>&1; then
        result e2e launcher 1 $((SECONDS - start))
    else
        result e2e launcher 0 $((SECONDS - start)) "$(tail -1 "$log")" "$log"
    fi
}

# A "basic" run of domain NAME with VCPUS and MIB ended well: sets why (empty if so).
judge_basic() { # name vcpus memory-MiB
    why=""
    if [ "$rc" != 0 ]; then why="keel-qemu exit status $rc: $(grep '^keel-qemu: ' "$log" | tail -1)"
    elif ! con_keel_said "$log" "$1" "shutdown (poweroff)"; then why="no 'domain $1: shutdown (poweroff)'"
    else check_basic "$log" "$2" "$3"; fi
}

# A 2-vCPU, 512 MiB domain reports CPUs, memory, timer and a clean log, then powers off.
case_basic() {
    domain_cfg basic 2 512 basic restart
    launch basic "$work/basic.cfg"
    judge_basic basic 2 512
    result e2e basic "$([ -z "$why" ] && echo 1)" "$secs" "$why" "$log"
}

# The same on QEMU's -cpu max, whose CPU has SVE, SME, pointer authentication and more that
# Keel does not switch between vCPUs: the guest must boot without seeing any of them.
case_cpu_max() {
    domain_cfg cpumax 2 256 basic restart
    launch cpu-max --cpu max "$work/cpumax.cfg"
    local f hidden
    judge_basic cpumax 2 256
    if [ -z "$why" ]; then
        f=" $(con_check_value "$log" features) "
        for hidden in sve sme paca pacg mte; do
            [[ $f == *" $hidden "* ]] && why="$why${why:+, }the guest sees '$hidden'"
        done
        [[ $f == *" atomics "* ]] || why="$why${why:+, }features line without 'atomics': '$f'"
    fi
    result e2e cpu-max "$([ -z "$why" ] && echo 1)" "$secs" "$why" "$log"
}

# on_reboot = "restart": the guest reboots, Keel restarts it, it boots again; the launcher
# stops QEMU at the second boot (the guest cannot tell the two boots apart).
case_reboot_restart() {
    domain_cfg rbr 1 256 reboot restart
    launch reboot-restart --stop-on "CHECK boot" --stop-count 2 "$work/rbr.cfg"
    local b1 sd rs b2
    b1=$(line_of "$log" "CHECK boot")
    sd=$(line_of "$log" "domain rbr: shutdown (reboot)" "$b1")
    rs=$(line_of "$log" "domain rbr: restarting" "$sd")
    b2=$(line_of "$log" "CHECK boot" "$rs")
    why=""
    if [ "$rc" != 0 ]; then why="keel-qemu exit status $rc: $(grep '^keel-qemu: ' "$log" | tail -1)"
    elif [ "$b1" = 0 ]; then why="the guest never booted"
    elif [ "$sd" = 0 ]; then why="no 'domain rbr: shutdown (reboot)' after the first boot"
    elif [ "$rs" = 0 ]; then why="no 'domain rbr: restarting' after the shutdown"
    elif [ "$b2" = 0 ]; then why="no second boot after the restart"
    fi
    result e2e reboot-restart "$([ -z "$why" ] && echo 1)" "$secs" "$why" "$log"
}

# on_reboot = "destroy": the reboot ends the domain and, with it, the machine; the launcher
# reports a domain that did not power off (status 1).
case_reboot_destroy() {
    domain_cfg rbd 1 256 reboot destroy
    launch reboot-destroy "$work/rbd.cfg"
    why=""
    if [ "$rc" != 1 ]; then why="keel-qemu exit status $rc, expected 1: $(grep '^keel-qemu: ' "$log" | tail -1)"
    elif [ "$(count_lines "$log" "CHECK boot")" != 1 ]; then why="$(count_lines "$log" "CHECK boot") boots, expected 1"
    elif ! con_keel_said "$log" rbd "shutdown (reboot)"; then why="no 'domain rbd: shutdown (reboot)'"
    elif ! con_keel_said "$log" rbd "destroyed"; then why="no 'domain rbd: destroyed'"
    elif con_keel_said "$log" rbd "restarting"; then why="Keel restarted the domain"
    elif ! con_keel "$log" | grep -qF "all domains have ended"; then why="no 'all domains have ended'"
    elif ! grep -q "keel-qemu: domain rbd ended with reboot, not poweroff" "$log"; then why="launcher gave another reason"
    fi
    result e2e reboot-destroy "$([ -z "$why" ] && echo 1)" "$secs" "$why" "$log"
}

for c in $cases; do
    "case_${c//-/_}"
done
summary
