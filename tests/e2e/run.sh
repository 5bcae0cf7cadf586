#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# End-to-end tests: Debian's arm64 Linux as Keel domains, started by scripts/keel-qemu from xl
# configuration files written under build/e2e/.
#   tests/e2e/run.sh [CASE...]   cases: launcher basic cpu-max reboot-restart reboot-destroy
#                                truncated-kernel not-created demo balloon dom0 dom0-devices
#                                toolstack toolstack-rtds xl-create pv-disk pv-net pv-fb
#                                pv-stress (default all)
# Prints one line per case and finally "N passed, N failed"; logs in build/test-logs/e2e-*.log.
# tests/e2e/baseline.sh runs the same guest checks on plain QEMU.
set -uo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
all_cases="launcher basic cpu-max reboot-restart reboot-destroy truncated-kernel not-created demo balloon dom0 dom0-devices toolstack toolstack-rtds xl-create pv-disk pv-net pv-fb pv-stress"
cases=${*:-$all_cases}
for c in $cases; do
    [[ " $all_cases " == *" $c "* ]] || { echo "run.sh: no case '$c' (have: $all_cases)" >&2; exit 2; }
done

setup_ok=1
prepare_guest || setup_ok=0
make -s -C "$top" hyp build/tools/keel-cfg build/guests/hello.Image build/guests/ctlpeer.Image build/guests/faulty.Image > "$logs/e2e-build.log" 2>&1 ||
    setup_ok=0
if [ "$setup_ok" = 0 ]; then
    echo "run.sh: cannot build Keel or the guest material (see build/test-logs/e2e-build.log)"
    for c in $cases; do fail=$((fail + 1)); echo "FAIL e2e: $c: not run"; done
    summary
    exit 1
fi

dom0_cfg() { # file-name test [extra kernel arguments]: dom0 for scripts/keel-qemu --dom0
    cat > "$work/$1.cfg" <<CFG
# Written by tests/e2e/run.sh: dom0 (2 vCPUs, 512 MiB), its console hvc0
name = "dom0"
vcpus = 2
memory = 512
kernel = "../cache/Image"
ramdisk = "dom0-initramfs.cpio.gz"
extra = "console=hvc0 earlycon=xenboot keeltest=$2${3:+ $3}"
CFG
}

domain_cfg() { # name vcpus memory test on_reboot [extra config line [extra kernel arguments]]
    cat > "$work/$1.cfg" <<CFG
# Written by tests/e2e/run.sh
name = "$1"
vcpus = $2
memory = $3
kernel = "../cache/Image"
ramdisk = "initramfs.cpio.gz"
# The console is Keel's virtual SBSA UART (vpl011) at 0x22000000.
extra = "console=ttyAMA0 earlycon=pl011,0x22000000 keeltest=$4${7:+ $7}"
on_reboot = "$5"
${6:-}
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
    # QEMU's cortex-a57 needs the firmware's SMCCC_ARCH_WORKAROUND_1, which QEMU's PSCI lacks:
    # Keel must not claim a Spectre-v2 mitigation it cannot give (Xen 4.17 does).
    if [ -z "$why" ] && [ "$(con_check_value "$log" spectre_v2)" != Vulnerable ]; then
        why="spectre_v2 is '$(con_check_value "$log" spectre_v2)', not Vulnerable, without firmware"
    fi
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
        # Keel answers WA1 "unaffected" (CSV2) and WA2 "not supported" (the guest has SSBS).
        f=$(con_check_value "$log" spectre_v2)
        [[ $f == "Mitigation: CSV2"* ]] || why="$why${why:+, }spectre_v2 is '$f'"
        f=$(con_check_value "$log" spectre_v4)
        [[ $f == *"Speculative Store Bypass disabled"* ]] || why="$why${why:+, }spectre_v4 is '$f'"
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

# Keel refuses a domain whose kernel was cut short (the first 100 KiB of Debian's Image), says
# why, and ends by itself since nothing else is left to run (issue 12, items 6 and 7).
case_truncated_kernel() {
    head -c 102400 "$kernel" > "$work/Image-100k"
    printf 'name = "cut"\nmemory = 256\nkernel = "Image-100k"\n' > "$work/cut.cfg"
    launch truncated-kernel "$work/cut.cfg"
    why=""
    if [ "$rc" != 1 ]; then why="keel-qemu exit status $rc, expected 1: $(grep '^keel-qemu: ' "$log" | tail -1)"
    elif ! grep -q "keel-qemu: domain cut was not created: kernel truncated: the file has 102400 bytes" "$log"
    then why="the launcher did not give Keel's reason: $(grep '^keel-qemu: ' "$log" | tail -1)"
    elif ! grep -q "all domains have ended" "$log"; then why="Keel did not end by itself"
    fi
    result e2e truncated-kernel "$([ -z "$why" ] && echo 1)" "$secs" "$why" "$log"
}

# Two small domains run and end while a third, built after them, asks for more memory than
# the machine has: Keel says so and ends instead of idling (items 5 and 7).  Their kernel's
# path has commas, which QEMU's option syntax doubles.
case_not_created() {
    local d=$work/with,comma n
    mkdir -p "$d"
    cp "$top/build/guests/hello.Image" "$d/hello,1.Image"
    for n in big small1 small2; do
        printf 'name = "%s"\nmemory = %s\nkernel = "with,comma/hello,1.Image"\n' "$n" \
            "$([ $n = big ] && echo 100000 || echo 64)" > "$work/$n.cfg"
    done
    # keel-qemu lists the domains in the device tree in the reverse order: big is built last.
    launch not-created --mem 2048 "$work/big.cfg" "$work/small1.cfg" "$work/small2.cfg"
    why=""
    if [ "$rc" != 1 ]; then why="keel-qemu exit status $rc, expected 1: $(grep '^keel-qemu: ' "$log" | tail -1)"
    elif ! grep -q "keel-qemu: domain big was not created: it asks for 100000 MiB of memory" "$log"
    then why="the launcher did not give Keel's reason: $(grep '^keel-qemu: ' "$log" | tail -1)"
    elif [ "$(grep -c '^keel-qemu: domain ' "$log")" != 1 ]; then why="more verdicts than the one expected"
    elif [ "$(count_lines "$log" "GUEST-TESTS: 2 passed, 0 failed")" != 2 ]; then why="the small domains did not both pass"
    elif ! grep -q "all domains have ended" "$log"; then why="Keel did not end by itself"
    fi
    result e2e not-created "$([ -z "$why" ] && echo 1)" "$secs" "$why" "$log"
}

# Wait until the log has a line containing the string, or process pid has ended, or the
# safety net of limit seconds runs out (a loaded host can be slow: the events decide).
wait_for_line() { # log string pid limit
    local end=$((SECONDS + $4))
    until grep -qF -- "$2" "$1"; do
        kill -0 "$3" 2>/dev/null && [ "$SECONDS" -lt "$end" ] || return 1
        sleep 0.2
    done
}

# `make run` as a new user would (issues 12 and 10), with scripted typing: dom0's shell comes
# up with Debian's toolstack, `xl create -c` of the ready configuration gives the domU's shell
# on the same console, what is typed reaches it, and quitting QEMU with Ctrl-T X, as README
# says, ends the demo with status 0.
case_demo() {
    local start=$SECONDS in=$work/demo.in pid
    log=$logs/e2e-demo.log
    why=""
    rm -f "$in"
    mkfifo "$in"
    "$top/scripts/run-demo.sh" --input --timeout 600 < "$in" > "$log" 2>&1 &
    pid=$!
    exec 7> "$in"
    if ! wait_for_line "$log" "Keel dom0: Debian's xl is ready" "$pid" 500; then
        why="dom0's shell never started"
    else
        printf 'xl create -c /etc/xen/debian.cfg\n' >&7
        if ! wait_for_line "$log" "Keel guest: busybox shell on the console" "$pid" 500; then
            why="xl create -c showed no domU shell"
        else
            printf 'echo typed-$((6 * 7))\n' >&7
            wait_for_line "$log" "typed-42" "$pid" 120 || why="what was typed did not reach the domU's shell"
        fi
    fi
    printf 'x' >&7
    exec 7>&-
    wait "$pid"
    rc=$?
    rm -f "$in"
    if [ -z "$why" ] && [ "$rc" != 0 ]; then
        why="run-demo.sh exit status $rc after Ctrl-T X: $(grep '^keel-qemu: ' "$log" | tail -1)"
    elif [ -z "$why" ] && ! grep -q "keel-qemu: ok (quit from the console)" "$log"; then
        why="the launcher did not see a quit from the console"
    fi
    result e2e demo "$([ -z "$why" ] && echo 1)" $((SECONDS - start)) "$why" "$log"
}

# Keel's figures from its console command "mem": "FREE_MIB CHARGED_KIB" of domain $2, read
# from the last reply in the log once there are more than $3 replies.
keel_mem() { # log domain replies-before
    local end=$((SECONDS + 120))
    until [ "$(grep -c 'KiB charged' "$1")" -gt "$3" ]; do
        [ "$SECONDS" -lt "$end" ] || return 1
        sleep 0.2
    done
    printf '%s %s\n' "$(grep -o '[0-9]* MiB free' "$1" | tail -1 | cut -d' ' -f1)" \
        "$(grep -o "$2: [0-9]* KiB charged" "$1" | tail -1 | cut -d' ' -f2)"
}

# Ask Keel for "mem" on its console and come back to the domain (the only one): Ctrl-A
# three times each way.  Prints keel_mem's figures.
ask_mem() { # log domain
    local n
    n=$(grep -c 'KiB charged' "$1")
    printf '\001\001\001' >&7
    sleep 1
    printf 'mem\r' >&7
    keel_mem "$1" "$2" "$n" || return 1
    printf '\001\001\001' >&7
    sleep 1
}

# Linux as a Xen domU (issue 9): Xen found, grant table v1 and FIFO events, a clean kernel
# log, /sys/hypervisor answers, steal time shows (two vCPUs pinned to one pCPU, both kept busy;
# nokaslr, since Linux/arm64 with KASLR unmaps itself at EL0 and then registers no runstate
# area, on Xen as here),
# and its balloon gives
# 64 MiB back when the target goes down (Keel's free memory grows by that and the domain's
# charge shrinks by it, less the few stage-2 table pages that splitting its blocks took) and
# takes it again when the target goes back up.
case_balloon() {
    local start=$SECONDS in=$work/balloon.in pid m0 m1 m2 v
    log=$logs/e2e-balloon.log
    why=""
    domain_cfg balloon 2 512 balloon restart 'cpus = "0"' nokaslr
    rm -f "$in"
    mkfifo "$in"
    "$top/scripts/keel-qemu" --input --timeout 600 "$work/balloon.cfg" < "$in" > "$log" 2>&1 &
    pid=$!
    exec 7> "$in"
    if ! wait_for_line "$log" "CHECK balloon_ready" "$pid" 500; then why="the guest never got ready"
    elif ! m0=$(ask_mem "$log" balloon); then why="no answer to Keel's mem before"
    elif ! { printf 'go\r' >&7; wait_for_line "$log" "CHECK balloon_down" "$pid" 200; }; then
        why="the balloon never came down"
    elif ! m1=$(ask_mem "$log" balloon); then why="no answer to Keel's mem after ballooning down"
    elif ! { printf 'up\r' >&7; wait_for_line "$log" "CHECK done" "$pid" 200; }; then
        why="the balloon never went back up"
    elif ! m2=$(ask_mem "$log" balloon); then why="no answer to Keel's mem after ballooning up"
    fi
    printf 'end\r' >&7
    exec 7>&-
    wait "$pid"
    rm -f "$in"
    [ -n "$why" ] || why=$(judge_balloon "$log" "$m0" "$m1" "$m2")
    result e2e balloon "$([ -z "$why" ] && echo 1)" $((SECONDS - start)) "$why" "$log"
}

# What is wrong with a balloon run, given Keel's "FREE_MIB CHARGED_KIB" before, after the
# balloon went down and after it went up (nothing if all is well).
judge_balloon() { # log before down up
    local t d u
    read -r f0 c0 <<< "$2"
    read -r f1 c1 <<< "$3"
    read -r f2 c2 <<< "$4"
    t=$(con_check_value "$1" target_kb) d=$(con_check_value "$1" down_kb)
    u=$(con_check_value "$1" up_kb)
    if [ "$(con_check_value "$1" xen_found)" != yes ]; then echo "no 'Xen ... support found'"
    elif [ "$(con_check_value "$1" hyp_type)" != xen ]; then echo "/sys/hypervisor/type is not xen"
    elif [ "$(con_check_value "$1" hyp_version)" != 4.17 ]; then echo "/sys/hypervisor/version is not 4.17"
    elif [ "$(con_check_value "$1" gnttab_v1)" != yes ]; then echo "no 'Grant tables using version 1 layout'"
    elif [ "$(con_check_value "$1" evtchn_fifo)" != yes ]; then echo "no 'Using FIFO-based ABI' (events)"
    elif [ "$(con_check_value "$1" bad_lines)" != 0 ]; then
        echo "$(con_check_value "$1" bad_lines) kernel log lines of faults or failures, first: $(con_check_value "$1" bad_line)"
    elif ! [ "$(con_check_value "$1" steal_ticks)" -gt 0 ] 2>/dev/null; then
        echo "no steal time in /proc/stat ($(con_check_value "$1" steal_ticks)) with two vCPUs on one pCPU"
    elif [ "$d" != $((t - 65536)) ]; then echo "ballooned to $d KiB, target $((t - 65536))"
    elif [ "$u" != "$t" ]; then echo "back to $u KiB, target $t"
    elif [ $((c0 - c1)) -gt 65536 ] || [ $((c0 - c1)) -lt 65280 ]; then
        echo "the domain's charge went $c0 -> $c1 KiB"
    elif [ $((f1 - f0)) -lt 63 ]; then echo "Keel's free memory went $f0 -> $f1 MiB"
    elif [ $((c2 - c0)) -gt 256 ] || [ "$c2" -lt "$c0" ]; then
        echo "the domain's charge came back to $c2, not $c0 KiB"
    elif [ $((f0 - f2)) -gt 2 ] || [ $((f2 - f0)) -gt 2 ]; then echo "Keel's free memory came back to $f2, not $f0 MiB"
    fi
}

# Linux as Xen's dom0 (issue 10): booted from modules under /chosen with dom0_mem= and
# dom0_max_vcpus=, it finds Xen, is the control domain (control_d), opens its local xenstore
# channel, gets privcmd, reads what is typed on hvc0 (console_io), passes the basic checks,
# and its poweroff ends the machine.
case_dom0() {
    local start=$SECONDS in=$work/dom0.in pid
    log=$logs/e2e-dom0.log
    why=""
    prepare_dom0_initrd || { result e2e dom0 0 0 "cannot build the dom0 initramfs" "$logs/mkinitramfs-dom0.log"; return; }
    dom0_cfg dom0 dom0
    rm -f "$in"
    mkfifo "$in"
    "$top/scripts/keel-qemu" --input --timeout 600 --dom0 "$work/dom0.cfg" < "$in" > "$log" 2>&1 &
    pid=$!
    exec 7> "$in"
    if wait_for_line "$log" "CHECK dom0_input_ready" "$pid" 500; then
        printf 'typed-on-hvc0\r' >&7
    else
        why="dom0 never asked for input"
    fi
    wait_for_line "$log" "CHECK done" "$pid" 300 || why=${why:-"dom0's checks did not finish"}
    exec 7>&-
    wait "$pid"
    rc=$?
    rm -f "$in"
    if [ -n "$why" ]; then :
    elif [ "$(con_check_value "$log" xen_found)" != yes ]; then why="no 'Xen 4.17 support found'"
    elif [ "$(con_check_value "$log" hyp_type)" != xen ]; then why="/sys/hypervisor/type is not xen"
    elif [ "$(con_check_value "$log" caps)" != control_d ]; then
        why="/proc/xen/capabilities is '$(con_check_value "$log" caps)', not control_d"
    elif ! [ "$(con_check_value "$log" xsd_port)" -gt 0 ] 2>/dev/null; then
        why="no xenstore port in /proc/xen/xsd_port ('$(con_check_value "$log" xsd_port)')"
    elif [ "$(con_check_value "$log" privcmd)" != yes ]; then why="no /dev/xen/privcmd"
    elif [ "$(con_check_value "$log" typed)" != typed-on-hvc0 ]; then
        why="typed '$(con_check_value "$log" typed)' on hvc0, not typed-on-hvc0"
    elif ! check_basic "$log" 2 512; then :
    elif ! grep -qF "dom0 has shut down (poweroff): the machine powers off" "$log"; then
        why="dom0's poweroff did not end the machine"
    elif [ "$rc" != 0 ]; then why="keel-qemu exit status $rc: $(grep '^keel-qemu: ' "$log" | tail -1)"
    fi
    result e2e dom0 "$([ -z "$why" ] && echo 1)" $((SECONDS - start)) "$why" "$log"
}

# dom0 drives the host's devices (issue 10): QEMU's virtio disk and network card and the
# PL031 RTC reach it where they are, their interrupts forwarded; the disk's first bytes are
# what the runner wrote there (DMA into dom0's 1:1 RAM), QEMU's user network hands eth0 an
# address over DHCP, and the RTC reads a date.
case_dom0_devices() {
    local start=$SECONDS disk=$work/dom0-disk.img q=()
    log=$logs/e2e-dom0-devices.log
    why=""
    prepare_dom0_initrd || { result e2e dom0-devices 0 0 "cannot build the dom0 initramfs" "$logs/mkinitramfs-dom0.log"; return; }
    dom0_cfg dom0-devices dom0-devices
    printf 'KEEL-DOM0-DISK-OK' > "$disk"
    truncate -s 16M "$disk"
    for a in -drive "file=$disk,if=none,format=raw,id=d0" -device virtio-blk-device,drive=d0 \
        -netdev user,id=n0 -device virtio-net-device,netdev=n0; do
        q+=(--qemu-arg "$a")
    done
    launch dom0-devices "${q[@]}" --dom0 "$work/dom0-devices.cfg"
    if ! grep -q 'CHECK done' "$log"; then why="dom0's checks did not finish (exit status $rc)"
    elif [ "$(con_check_value "$log" disk)" != KEEL-DOM0-DISK-O ]; then
        why="the virtio disk read '$(con_check_value "$log" disk)', not the marker"
    elif ! [ "$(con_check_value "$log" disk_irqs)" -gt 0 ] 2>/dev/null; then why="no virtio interrupts"
    elif [ "$(con_check_value "$log" net_addr)" != 10.0.2.15 ]; then
        why="eth0 got '$(con_check_value "$log" net_addr)' from DHCP, not 10.0.2.15"
    elif [[ $(con_check_value "$log" rtc) != rtc-pl031\ 2* ]]; then
        why="the RTC read '$(con_check_value "$log" rtc)'"
    elif grep -q "not given" "$log"; then why="$(grep -m1 'not given' "$log")"
    elif [ "$rc" != 0 ]; then why="keel-qemu exit status $rc: $(grep '^keel-qemu: ' "$log" | tail -1)"
    fi
    result e2e dom0-devices "$([ -z "$why" ] && echo 1)" $((SECONDS - start)) "$why" "$log"
}

# The output of xl command NAME in a toolstack log (between its CHECK begin/end lines).
xl_out() { # log name
    con_domain_user "$1" Domain-0 | sed -n "/^CHECK begin $2\$/,/^CHECK end $2 /p"
}

# What is wrong with a toolstack run (nothing if all is well).
judge_toolstack() { # log
    local c
    for c in xenstored init_dom0 init_dom0less xenconsoled xl_info xl_verbose xl_list xl_dmesg xl_uptime \
        xl_vcpu_list xl_cpupool_list xl_sched_credit set_ratelimit get_ratelimit set_weight get_weight \
        pin pinned pause paused unpause unpaused destroy after_destroy; do
        xl_out "$1" "$c" | grep -q "^CHECK end $c rc=0\$" ||
            { echo "$c failed: $(xl_out "$1" "$c" | sed -n 2p)"; return; }
    done
    if xl_out "$1" xl_verbose | grep -vq '^CHECK'; then echo "xl -vvv info: $(xl_out "$1" xl_verbose | sed -n 2p)"
    elif ! xl_out "$1" xl_info | grep -qE '^xen_version +: 4\.17'; then echo "xl info: no xen_version 4.17"
    elif ! xl_out "$1" xl_info | grep -qE '^nr_cpus +: 2$'; then echo "xl info: not 2 CPUs"
    elif ! xl_out "$1" xl_info | grep -qE '^xen_scheduler +: credit$'; then echo "xl info: scheduler not credit"
    elif ! xl_out "$1" xl_list | grep -qE '^Domain-0 +0 +5[0-9][0-9] +2 '; then echo "xl list: no Domain-0 with 2 vCPUs"
    elif ! xl_out "$1" xl_list | grep -qE '^dom0less-1 +1 +32 +1 '; then echo "xl list: no dom0less-1 (32 MiB, 1 vCPU)"
    elif ! xl_out "$1" xl_dmesg | grep -q 'Keel hypervisor starting'; then echo "xl dmesg: no boot message"
    elif ! xl_out "$1" xl_cpupool_list | grep -qE '^Pool-0 +2 +credit +y +2'; then echo "xl cpupool-list: no Pool-0 with 2 CPUs and 2 domains"
    elif ! xl_out "$1" xl_sched_credit | grep -qE '^Cpupool Pool-0: tslice=10ms ratelimit=1000us'; then echo "xl sched-credit: no Pool-0 time slice and rate limit"
    elif ! xl_out "$1" get_ratelimit | grep -qE '^Cpupool Pool-0: tslice=10ms ratelimit=500us'; then echo "xl sched-credit -s -r 500: $(xl_out "$1" get_ratelimit | grep -v '^CHECK' | tr '\n' ' ')"
    elif ! xl_out "$1" get_weight | grep -qE ' 1 +512 +50$'; then echo "xl sched-credit -d 1: weight/cap not 512/50"
    elif ! xl_out "$1" pinned | grep -qE ' 1 +0 +[0-9-]+ +[-a-z]+ +[0-9.]+ +1 / all'; then echo "xl vcpu-list 1: not pinned to CPU 1"
    elif ! xl_out "$1" paused | grep -qE ' 1 +32 +1 +--p---'; then echo "xl list 1: not paused"
    elif xl_out "$1" unpaused | grep -qE -- '--p---'; then echo "xl list 1: still paused"
    elif xl_out "$1" after_destroy | grep -qE ' 1 +32 '; then echo "xl list: domain 1 still there after xl destroy"
    elif ! grep -q 'domain ctlpeer: destroyed' "$1"; then echo "Keel did not destroy ctlpeer"
    fi
}

# Debian's own Xen 4.17 toolstack, unmodified, in dom0 (issue 10): xenstored, xen-init-dom0,
# init-dom0less (which introduces the dom0less guests/ctlpeer to xenstore as dom0less-1, as on
# Xen) and xenconsoled start, and xl reports the machine and its domains and changes them:
# weight and cap, pinning, pause, unpause, destroy.
case_toolstack() {
    local start=$SECONDS
    log=$logs/e2e-toolstack.log
    prepare_dom0_initrd || { result e2e toolstack 0 0 "cannot build the dom0 initramfs" "$logs/mkinitramfs-dom0.log"; return; }
    dom0_cfg toolstack toolstack keelpeer=1
    cat > "$work/ctlpeer.cfg" <<CFG
# Written by tests/e2e/run.sh: a dom0less domain for dom0's xl to act on
name = "ctlpeer"
vcpus = 1
memory = 32
kernel = "$top/build/guests/ctlpeer.Image"
CFG
    launch toolstack --dom0 "$work/toolstack.cfg" "$work/ctlpeer.cfg"
    why=""
    grep -q 'CHECK done' "$log" || why="dom0's checks did not finish (exit status $rc)"
    [ -n "$why" ] || why=$(judge_toolstack "$log")
    result e2e toolstack "$([ -z "$why" ] && echo 1)" $((SECONDS - start)) "$why" "$log"
}

# xl sched-rtds and xl cpupool-list with an RTDS pool (issue 10): Keel boots with pCPU 1 in
# pool "rt" (RTDS) and the dom0less guests/ctlpeer in it; dom0's xl lists both pools (the
# second as Pool-1: as on Xen, only Pool-0's name is in xenstore), shows the
# domain's budget and period, sets new ones (per vCPU, as xl 4.17 does), reads them back,
# gets libxl's refusal for a budget larger than its period, changes the pools with xl
# cpupool-cpu-remove/-create/-cpu-add/-migrate/-destroy (judge_cpupools), and destroys the
# domain (so, as in case toolstack, the launcher's status is not the verdict).
case_toolstack_rtds() {
    local start=$SECONDS c
    log=$logs/e2e-toolstack-rtds.log
    prepare_dom0_initrd || { result e2e toolstack-rtds 0 0 "cannot build the dom0 initramfs" "$logs/mkinitramfs-dom0.log"; return; }
    dom0_cfg toolstack-rtds toolstack keelrtds=dom0less-1
    cat > "$work/rtpeer.cfg" <<CFG
# Written by tests/e2e/run.sh: a dom0less domain in the RTDS pool, for dom0's xl sched-rtds
name = "rtpeer"
vcpus = 1
memory = 32
kernel = "$top/build/guests/ctlpeer.Image"
pool = "rt"
budget = 4000
period = 10000
CFG
    launch toolstack-rtds --keel-args "cpupool=rt:rtds:1" --dom0 "$work/toolstack-rtds.cfg" "$work/rtpeer.cfg"
    why=""
    grep -q 'CHECK done' "$log" || why="dom0's checks did not finish (exit status $rc)"
    for c in rtds_pools rtds_all rtds_set rtds_get rtds_destroy pool_rm_busy pool_mig0 pool_rm \
        pool_list_free pool_destroy_rt pool_create pool_add pool_list_p2 pool_list_c pool_mig_p2 \
        pool_list_mig pool_mig_back pool_rm_p2 pool_destroy pool_add0 pool_list_end pool_list_end_c; do
        [ -n "$why" ] || xl_out "$log" "$c" | grep -q "^CHECK end $c rc=0\$" ||
            why="$c failed: $(xl_out "$log" "$c" | sed -n 2p)"
    done
    if [ -n "$why" ]; then :
    elif ! xl_out "$log" rtds_pools | grep -qE '^Pool-1 +1 +rtds +y +1'; then why="xl cpupool-list: no Pool-1 (1 CPU, rtds, 1 domain)"
    elif ! xl_out "$log" rtds_pools | grep -qE '^Pool-0 +1 +credit +y +1'; then why="xl cpupool-list: Pool-0 is not 1 CPU with dom0"
    elif ! xl_out "$log" rtds_all | grep -qE '^dom0less-1 +1 +10000 +4000 '; then why="xl sched-rtds: not period 10000, budget 4000"
    elif ! xl_out "$log" rtds_get | grep -qE '^dom0less-1 +1 +20000 +5000 '; then why="xl sched-rtds -d: not period 20000, budget 5000 after setting them"
    elif xl_out "$log" rtds_bad | grep -q '^CHECK end rtds_bad rc=0$'; then why="xl sched-rtds took a budget above its period"
    elif ! grep -q 'domain rtpeer: destroyed' "$log"; then why="xl destroy did not end rtpeer"
    else why=$(judge_cpupools "$log")
    fi
    result e2e toolstack-rtds "$([ -z "$why" ] && echo 1)" $((SECONDS - start)) "$why" "$log"
}

# What is wrong with the xl cpupool-* session of case toolstack-rtds (nothing if all is well).
# xl cpupool-cpu-remove exits 0 even when the pCPU stays, as Xen's xl does, with libxl's error.
judge_cpupools() { # log
    if ! xl_out "$1" pool_rm_busy | grep -q 'Error removing cpu 1 from cpupool.*busy'; then
        echo "xl cpupool-cpu-remove: the last pCPU of a pool with a domain was not refused (EBUSY)"
    elif ! xl_out "$1" pool_list_free | grep -qE '^Pool-1 +0 +rtds +y +0$'; then echo "xl cpupool-list: Pool-1 not empty after the removal"
    elif ! xl_out "$1" pool_list_free | grep -qE '^Pool-0 +1 +credit +y +2$'; then echo "xl cpupool-list: Pool-0 is not 1 CPU with 2 domains"
    elif ! xl_out "$1" pool_create | grep -q '^cpupool name: *p2$'; then echo "xl cpupool-create: no pool p2"
    elif ! xl_out "$1" pool_list_p2 | grep -qE '^p2 +1 +credit +y +0$'; then echo "xl cpupool-list: p2 is not 1 CPU, credit, empty"
    elif xl_out "$1" pool_list_p2 | grep -q '^Pool-1 '; then echo "xl cpupool-list: Pool-1 still there after xl cpupool-destroy"
    elif ! xl_out "$1" pool_list_c | grep -qE '^p2 +1$'; then echo "xl cpupool-list -c: p2 does not have CPU 1"
    elif ! xl_out "$1" pool_list_c | grep -qE '^Pool-0 +0$'; then echo "xl cpupool-list -c: Pool-0 does not have CPU 0 alone"
    elif ! xl_out "$1" pool_list_mig | grep -qE '^p2 +1 +credit +y +1$'; then echo "xl cpupool-migrate: the domain is not in p2"
    elif xl_out "$1" pool_mig_dom0 | grep -q '^CHECK end pool_mig_dom0 rc=0$'; then echo "xl cpupool-migrate moved Domain-0 itself"
    elif xl_out "$1" pool_destroy_busy | grep -q '^CHECK end pool_destroy_busy rc=0$'; then echo "xl cpupool-destroy destroyed a pool with a domain"
    elif ! xl_out "$1" pool_list_end | grep -qE '^Pool-0 +2 +credit +y +2$'; then echo "xl cpupool-list: Pool-0 is not back to 2 CPUs and 2 domains"
    elif xl_out "$1" pool_list_end | grep -q '^p2 '; then echo "xl cpupool-list: p2 still there after xl cpupool-destroy"
    elif ! xl_out "$1" pool_list_end_c | grep -qE '^Pool-0 +0,1$'; then echo "xl cpupool-list -c: Pool-0 is not CPUs 0,1"
    fi
}

# Keel's free pages plus those the live domains hold, on each "memory returned" line of the
# console text on stdin.  The sum does not move when dom0's own use grows (the stage-2 tables of
# its back-end and foreign mappings, charged to it), only when pages are lost.
returned_pages() {
    sed -n 's/^(keel) .* domain d[0-9]*: memory returned, \([0-9]*\) pages free, \([0-9]*\) held by domains.*/\1 \2/p' |
        while read -r free held; do echo $((free + held)); done
}

# returned_pages from the create/destroy cycles on (every domU is gone by then, each time).
freed_after_cycles() { # log
    con_text "$1" | sed -n '/CHECK cycles_start/,$p' | returned_pages
}

# Pages lost over the cycles: the most returned_pages after any of the first five domains' ends
# less the most after any of the last five.  dom0's uncharged growth (event-channel and maptrack
# buckets in Keel's heap) makes single figures vary by a few pages; a loss of a page per domain
# would show as about 15.
cycle_leak() { # log
    local f
    f=$(freed_after_cycles "$1")
    echo $(($(echo "$f" | head -5 | sort -n | tail -1) - $(echo "$f" | tail -5 | sort -n | tail -1)))
}

# A dom0 case whose check builds domUs from files on a virtio disk (make_guest_disk): dom0
# runs check CHECK; the disk holds Debian's kernel, INITRAMFS as the domUs' initramfs.cpio.gz,
# the bare-metal guests named GUEST:NAME (build/guests/GUEST.Image as NAME.Image) and the
# files in the array disk_extra.  The array case_qemu holds more keel-qemu arguments.  The
# case's verdict is judge_NAME's (dashes as underscores).
disk_extra=()
case_qemu=()
dom0_disk_case() { # name check timeout initramfs [guest:name...]
    local name=$1 check=$2 timeout=$3 domu_initrd=$4 start=$SECONDS disk=$work/$1-disk.img dir=$work/$1-files g
    shift 4
    log=$logs/e2e-$name.log
    why=""
    dom0_cfg "$name" "$check"
    rm -rf "$dir"
    mkdir -p "$dir"
    cp "$kernel" "$dir/Image"
    cp "$domu_initrd" "$dir/initramfs.cpio.gz"
    for g in "$@"; do cp "$top/build/guests/${g%%:*}.Image" "$dir/${g#*:}.Image"; done
    [ ${#disk_extra[@]} = 0 ] || cp "${disk_extra[@]}" "$dir/"
    make_guest_disk "$disk" "$dir"/*
    launch "$name" --qemu-arg -drive --qemu-arg "file=$disk,if=none,format=raw,id=d0,readonly=on" \
        --qemu-arg -device --qemu-arg virtio-blk-device,drive=d0 "${case_qemu[@]}" \
        --timeout "$timeout" --dom0 "$work/$name.cfg"
    disk_extra=()
    case_qemu=()
    grep -q 'CHECK done' "$log" || why="dom0's checks did not finish (exit status $rc)"
    [ -n "$why" ] || why=$("judge_${name//-/_}" "$log")
    [ -n "$why" ] || [ "$rc" = 0 ] || why="keel-qemu exit status $rc: $(grep '^keel-qemu: ' "$log" | tail -1)"
    result e2e "$name" "$([ -z "$why" ] && echo 1)" $((SECONDS - start)) "$why" "$log"
}

# A PV device case: dom0_disk_case with the dom0 initramfs and the domU one with the front ends.
pv_case() { # name check timeout [guest:name...]
    log=$logs/e2e-$1.log
    { prepare_dom0_initrd && prepare_pv_initrd; } ||
        { result e2e "$1" 0 0 "cannot build the initramfs" "$logs/mkinitramfs-dom0.log"; return; }
    dom0_disk_case "$1" "$2" "$3" "$pv_initrd" "${@:4}"
}

# Whether the figures A and B of "A,B" (in MiB, each the sum of two rounded-down figures: the
# dom0 checks' mem_in_play) differ by 1 at most.
same_mib() { # A,B
    local a=${1%,*} b=${1#*,}
    [[ $a =~ ^[0-9]+$ && $b =~ ^[0-9]+$ ]] && [ $((a - b)) -le 1 ] && [ $((b - a)) -le 1 ]
}

# What is wrong with an xl-create run (nothing if all is well).
judge_xl_create() { # log
    local log=$1 c d0=$work/xl-create-dom0.log g=$work/xl-create-guest.log v
    con_domain_user "$log" Domain-0 > "$d0"
    for c in xenstored init_dom0 xenconsoled create create_gone console_create console_unpause console \
        console_list shutdown shutdown_gone reboot_create reboot_up reboot reboot_again destroy destroy_gone \
        change_create change_up vcpu_set vcpu_set_seen vcpu_list mem_set mem_set_seen mem_list xentop top \
        change_destroy crash_create crash_seen crash_list crash_destroy pool_make pool_create pool_undo \
        verbose_create; do
        xl_out "$log" "$c" | grep -q "^CHECK end $c rc=0\$" ||
            { echo "$c failed: $(xl_out "$log" "$c" | sed -n '2p;3p' | tr '\n' ' ')"; return; }
    done
    for c in bad_memory bad_kernel_missing bad_kernel_corrupt bad_vcpus bad_pool; do
        xl_out "$log" "$c" | grep -q "^CHECK end $c rc=0\$" && { echo "$c: xl create did not fail"; return; }
    done
    con_domain "$d0" guest1 > "$g"
    if ! check_basic "$g" 2 256; then echo "the domU of xl create -c: $why"
    elif ! con_domain "$d0" guest2 | grep -q '^CHECK idle_ready='; then echo "xl console showed no userspace"
    elif ! xl_out "$log" console_list | grep -qE '^guest2 +[0-9]+ +128 +1 '; then echo "xl list guest2: not 128 MiB, 1 vCPU"
    elif [ "$(xl_out "$log" reboot_boots | sed -n 2p)" != 2 ]; then echo "xl reboot: guest3 did not boot twice"
    elif ! xl_out "$log" vcpu_list | grep -qE '^guest4 +[0-9]+ +1 +- +--p '; then echo "xl vcpu-list: vCPU 1 of guest4 not offline"
    elif ! v=$(con_domain "$d0" guest4 | sed -n 's/^CHECK idle_state=0 //p' | tail -1) ||
        ! [ "$v" -gt 0 ] 2>/dev/null || [ $(($(con_domain "$d0" guest4 | sed -n 's/^CHECK idle_state=0-1 //p' | head -1) - v)) -lt 60000 ]; then
        echo "guest4's balloon did not give back 64 MiB: $(con_domain "$d0" guest4 | grep idle_state | tr '\n' ' ')"
    elif ! xl_out "$log" mem_list | grep -qE '^guest4 +[0-9]+ +19[0-9] +1 '; then echo "xl list guest4: not 192 MiB after the balloon"
    elif ! xl_out "$log" xentop | grep -qE '^ +guest4 '; then echo "xentop does not list guest4"
    elif v=$(con_check_value "$d0" reboot_ids) && [ "${v%,*}" = "${v#*,}" ]; then
        echo "xl reboot: guest3 kept domain id ${v%,*} (xl restarts it as a new domain)"
    elif ! xl_out "$log" pool_list | grep -qE '^p1 +1 +credit +y +1$'; then
        echo "xl cpupool-list with pooled created in p1: $(xl_out "$log" pool_list | grep '^p1' | tr -s ' ')"
    elif ! xl_out "$log" pool_after | grep -qE '^Pool-0 +2 +credit +y +1$' || xl_out "$log" pool_after | grep -q '^p1 '; then
        echo "xl cpupool-list after the pool was undone: $(xl_out "$log" pool_after | grep -v '^CHECK' | tr -s ' ' | tr '\n' ' ')"
    elif xl_out "$log" verbose_create | grep -vq '^CHECK'; then
        echo "xl -vvv create reports a failure: $(xl_out "$log" verbose_create | grep -v '^CHECK' | head -3 | tr '\n' ' ')"
    elif [ "$(con_check_value "$d0" cycles)" != 20 ]; then echo "only $(con_check_value "$d0" cycles) of 20 create/destroy cycles"
    elif v=$(con_check_value "$d0" free_cycles) && [ "${v%,*}" != "${v#*,}" ]; then
        echo "xl info free_memory was ${v%,*} MiB before the cycles, ${v#*,} after"
    elif [ "$(freed_after_cycles "$log" | wc -l)" -lt 20 ]; then echo "Keel returned the memory of fewer than 20 domains in the cycles"
    elif v=$(cycle_leak "$log") && [ "$v" -gt 2 ]; then
        echo "Keel lost about $v pages over the cycles (free after each: $(freed_after_cycles "$log" | tr '\n' ' '))"
    elif ! xl_out "$log" final_list | grep -q '^Domain-0 ' || [ "$(xl_out "$log" final_list | grep -vc '^CHECK')" != 2 ]; then
        echo "xl list after the bad configurations: $(xl_out "$log" final_list | grep -v '^CHECK' | tail -n +2 | tr '\n' ' ')"
    elif v=$(con_check_value "$d0" free_final) && ! same_mib "$v"; then
        echo "Keel's free memory and dom0's were ${v%,*} MiB at first, ${v#*,} at the end"
    elif [ -n "$(con_keel_fault "$log")" ]; then echo "Keel faulted: $(con_keel_fault "$log")"
    fi
}

# Debian's xl creates domUs (issue 10): xl create -c with Debian's kernel to userspace on hvc0,
# xl console, xl shutdown, xl reboot (on_reboot restart), xl destroy of a running domain, 20
# create/destroy cycles with no page lost, and five configurations libxl refuses with nothing
# left behind.  The domUs' files reach dom0 on a virtio disk (a cpio archive).
case_xl_create() {
    log=$logs/e2e-xl-create.log
    prepare_dom0_initrd || { result e2e xl-create 0 0 "cannot build the dom0 initramfs" "$logs/mkinitramfs-dom0.log"; return; }
    dom0_disk_case xl-create xlcreate 900 "$initrd" ctlpeer:peer faulty:faulty
}

# returned_pages each time a domain's memory came back, in the dom0 step NAME of a log.
freed_in_step() { # log name
    con_text "$1" | sed -n "/^\[Domain-0\] CHECK begin $2\$/,/^\[Domain-0\] CHECK end $2 /p" | returned_pages
}

# Whether pv-disk's sharing probe STEP printed RESULT (refused, accepted) and, if given, TEXT
# (the block script's reason) in xl's output; share_said: what the step printed.
share_was() { # log step result [text]
    local out
    out=$(xl_out "$1" "$2")
    grep -q "^CHECK $2=$3\$" <<< "$out" && { [ -z "${4:-}" ] || grep -q "$4" <<< "$out"; }
}
share_said() { # log step
    xl_out "$1" "$2" | grep -v '^CHECK [be]' | tr '\n' ' '
}

# What is wrong with a pv-disk run (nothing if all is well).
judge_pv_disk() { # log
    local log=$1 c d0=$work/pv-disk-dom0.log s1 b d a v phy
    con_domain_user "$log" Domain-0 > "$d0"
    for c in xenstored init_dom0 xenconsoled modules hotplug_tools baseline image create backend written read read_gone \
        unplugged dom0_read shared_create shared_backends shared_unpause shared_read2 shared_read3 \
        shared_gone shared_unplugged multi_image multi_create multi_done multi_backends share_phy_rw_on_rw \
        share_phy_ro_on_rw share_phy_rw_on_ro share_phy_ro_on_ro multi_shutdown multi_gone multi_unplugged \
        multi_loop_off after; do
        xl_out "$log" "$c" | grep -q "^CHECK end $c rc=0\$" ||
            { echo "$c failed: $(xl_out "$log" "$c" | grep -v '^CHECK' | tail -3 | tr '\n' ' ')"; return; }
    done
    s1=$(con_check_value "$d0" diskrw_written pvd1)
    # returned_pages when pvd1's second domain ended (d), and the most after the peer's later
    # ends (a; pvd2 and pvd3 ended between them).  The first disk domU leaves dom0 with lasting
    # growth (maptrack pages, kept for reuse, as on Xen), so the baseline before it (b) is only
    # reported; a dead domU still mapped by dom0 would keep its pages and its domain structure,
    # and pvd2's end would lower a below d.
    b=$(freed_in_step "$log" baseline | sort -n | tail -1)
    d=$(freed_in_step "$log" read_gone | tail -1)
    a=$(freed_in_step "$log" after | sort -n | tail -1)
    if c=$(con_domain "$d0" pvd1; con_domain "$d0" pvd2; con_domain "$d0" pvd3) && echo "$c" | grep -q 'CHECK diskrw_error='; then
        echo "a domU said: $(echo "$c" | grep -m1 'CHECK diskrw_error=')"
    elif [ "$(con_check_value "$d0" diskrw_size pvd1)" != 65536 ]; then
        echo "xvda has $(con_check_value "$d0" diskrw_size pvd1) sectors, not 65536 (32 MiB)"
    elif ! [[ $s1 =~ ^[0-9a-f]{64}$ ]]; then echo "pvd1's first boot wrote no checksum ('$s1')"
    elif [ "$(con_check_value "$d0" diskrw_read pvd1)" != "ok $s1" ]; then
        echo "pvd1's second boot read back '$(con_check_value "$d0" diskrw_read pvd1)', wrote $s1"
    elif [ "$(con_check_value "$d0" dom0_sum)" != "$s1" ]; then
        echo "dom0 read the image's checksum file as '$(con_check_value "$d0" dom0_sum)', pvd1 wrote $s1"
    elif [ "$(con_check_value "$d0" diskrw_read pvd2)" != "ok $s1" ]; then
        echo "pvd2 (read-only) read back '$(con_check_value "$d0" diskrw_read pvd2)', pvd1 wrote $s1"
    elif [ "$(con_check_value "$d0" diskrw_read pvd3)" != "ok $s1" ]; then
        echo "pvd3 (read-only) read back '$(con_check_value "$d0" diskrw_read pvd3)', pvd1 wrote $s1"
    elif [ "$(xl_out "$log" shared_backends | grep -cE '^ *1 +/tmp/disk.img$')" != 2 ] ||
        [ "$(xl_out "$log" shared_backends | grep -c '/mode = "r"')" != 2 ]; then
        echo "the shared image is not on two read-only back ends: $(xl_out "$log" shared_backends | grep -v '^CHECK' | tr '\n' ' ')"
    elif c=$(con_domain "$d0" pvd4) && echo "$c" | grep -q 'CHECK multi_error='; then
        echo "pvd4 said: $(echo "$c" | grep -m1 'CHECK multi_error=')"
    elif [ "$(con_check_value "$d0" multi_sizes pvd4)" != 16384,32768,65536 ]; then
        echo "pvd4's xvda,xvdb,xvdc have $(con_check_value "$d0" multi_sizes pvd4) sectors, not 16384,32768,65536"
    elif [ "$(con_check_value "$d0" multi_ro pvd4)" != 0,0,1 ]; then
        echo "pvd4's xvda,xvdb,xvdc read-only flags are $(con_check_value "$d0" multi_ro pvd4), not 0,0,1"
    elif v=$(con_check_value "$d0" multi_xvda pvd4) && ! [[ $v =~ ^[0-9a-f]{64}\ ok$ ]]; then
        echo "pvd4 read back from xvda (file image, rw): '$v'"
    elif [ "$(con_check_value "$d0" dom0_multi_xvda)" != "${v% ok}" ]; then
        echo "dom0 read $(con_check_value "$d0" dom0_multi_xvda) from pvd4's xvda image, pvd4 wrote ${v% ok}"
    elif v=$(con_check_value "$d0" multi_xvdb pvd4) && ! [[ $v =~ ^[0-9a-f]{64}\ ok$ ]]; then
        echo "pvd4 read back from xvdb (phy: dom0's virtio disk, rw): '$v'"
    elif [ "$(con_check_value "$d0" dom0_multi_xvdb)" != "${v% ok}" ]; then
        echo "dom0 read $(con_check_value "$d0" dom0_multi_xvdb) from pvd4's xvdb device, pvd4 wrote ${v% ok}"
    elif [ "$(con_check_value "$d0" multi_xvdc pvd4)" != "ok $s1" ]; then
        echo "pvd4 read '$(con_check_value "$d0" multi_xvdc pvd4)' from xvdc (phy: read-only loop), pvd1 wrote $s1"
    elif [ "$(con_check_value "$d0" multi_xvdc_write pvd4)" != refused ]; then
        echo "a write to pvd4's read-only xvdc was '$(con_check_value "$d0" multi_xvdc_write pvd4)', not refused"
    elif phy=$(con_check_value "$d0" multi_phy) && phy=${phy%,*} &&
        ! share_was "$log" share_phy_rw_on_rw refused "Device $phy is mounted in a guest domain"; then
        echo "pvd5 asking rw for $phy that pvd4 has rw: $(share_said "$log" share_phy_rw_on_rw)"
    elif ! share_was "$log" share_phy_ro_on_rw refused "Device $phy is mounted read-write in a guest domain"; then
        echo "pvd5 asking ro for $phy that pvd4 has rw: $(share_said "$log" share_phy_ro_on_rw)"
    elif ! share_was "$log" share_phy_rw_on_ro refused "is mounted in a guest domain"; then
        echo "pvd5 asking rw for the loop device pvd4 has ro: $(share_said "$log" share_phy_rw_on_ro)"
    elif ! share_was "$log" share_phy_ro_on_ro accepted; then
        echo "pvd5 asking ro for the loop device pvd4 has ro: $(share_said "$log" share_phy_ro_on_ro)"
    elif ! xl_out "$log" backend | grep -q 'hotplug-status = "connected"'; then
        echo "no hotplug-status connected in the back end: $(xl_out "$log" backend | grep -v '^CHECK' | tr '\n' ' ')"
    elif ! [ "$d" -gt 0 ] 2>/dev/null || ! [ "$a" -gt 0 ] 2>/dev/null; then
        echo "no 'memory returned' figures from Keel after pvd1 and after the peer ('$d', '$a')"
    elif [ $((d - a)) -gt 2 ]; then
        echo "Keel has $((d - a)) pages fewer free or held by domains after pvd2 and pvd3 than after pvd1 ($d, then $a; $b before any disk)"
    elif [ "$(xl_out "$log" final_list | grep -vc '^CHECK')" != 2 ]; then
        echo "xl list at the end: $(xl_out "$log" final_list | grep -v '^CHECK' | tail -n +2 | tr '\n' ' ')"
    elif [ -n "$(con_keel_fault "$log")" ]; then echo "Keel faulted: $(con_keel_fault "$log")"
    fi
}

# A domU's PV disk (issue 11): xl create with disk = [ 'format=raw, vdev=xvda, access=rw,
# target=/tmp/disk.img' ]; dom0's xen-blkback (Debian's module) serves the image through xl's
# block hotplug script (Debian's, unmodified: losetup), the domU's xen-blkfront sees xvda,
# makes a file system, writes files, reboots and reads them back; dom0 finds them in the image;
# two domUs share it read-only and read them too; and
# Keel has as many free pages after those as after the first.
case_pv_disk() {
    # dom0's second virtio disk, a phy: disk for pvd4 (dom0 finds it by its serial).
    local phy=$work/pv-disk-phy.img
    rm -f "$phy"
    truncate -s 16M "$phy"
    case_qemu=(--qemu-arg -drive --qemu-arg "file=$phy,if=none,format=raw,id=d1"
        --qemu-arg -device --qemu-arg virtio-blk-device,drive=d1,serial=keel-phy)
    pv_case pv-disk pvdisk 900 ctlpeer:peer
}

# The common end of the PV device judges: xl list shows only dom0 after the destroys, Keel's
# free memory and dom0's together are back to what they were before the domUs (dom0 keeps no
# mapping of them; the RAM its balloon gave Keel for its mappings stays with Keel), and Keel
# did not fault.
judge_pv_end() { # log dom0-log
    local v
    [ "$(xl_out "$1" final_list | grep -vc '^CHECK')" = 2 ] ||
        { echo "xl list after the destroys: $(xl_out "$1" final_list | grep -v '^CHECK' | tail -n +2 | tr '\n' ' ')"; return; }
    v=$(con_check_value "$2" free_final)
    same_mib "$v" ||
        { echo "Keel's free memory and dom0's were ${v%,*} MiB before the domUs, ${v#*,} after they were destroyed"; return; }
    [ -z "$(con_keel_fault "$1")" ] || echo "Keel faulted: $(con_keel_fault "$1")"
}

# What is wrong with a pv-net run (nothing if all is well).
judge_pv_net() { # log
    local log=$1 c d0=$work/pv-net-dom0.log v w
    con_domain_user "$log" Domain-0 > "$d0"
    for c in xenstored init_dom0 xenconsoled bridge uplink net1_up net2_up net1_done net2_done ping_net1 \
        hot_modules hot_image net_attach net_attached net_list net_detach net_detached block_attach \
        block_attached block_list block_detach block_detached destroy vifs_gone; do
        xl_out "$log" "$c" | grep -q "^CHECK end $c rc=0\$" ||
            { echo "$c failed: $(xl_out "$log" "$c" | sed -n '2p;3p' | tr '\n' ' ')"; return; }
    done
    for c in net1 net2; do
        v=$(con_domain "$d0" $c | sed -n 's/^CHECK ping_dom0=//p')
        [ "$v" = ok ] || { echo "$c could not ping dom0 ($v)"; return; }
        v=$(con_check_value "$d0" sum_dom0_$c) w=$(con_check_value "$d0" sum_want_$c)
        [ -n "$w" ] && [ "$v" = "$w" ] || { echo "what $c sent dom0 over TCP has checksum $v, not $w"; return; }
    done
    [ "$(con_domain "$d0" net2 | sed -n 's/^CHECK ping_net1=//p')" = ok ] || { echo "net2 could not ping net1"; return; }
    v=$(con_domain "$d0" net1 | sed -n 's/^CHECK sum_from_net2=//p')
    [ -n "$v" ] && [ "${v% want=*}" = "${v#* want=}" ] || { echo "what net2 sent net1 over TCP: $v"; return; }
    v=$(con_domain "$d0" net1 | sed -n 's/^CHECK fetched=//p') w=$(cat "$work/fetch.md5")
    [ "$v" = "$w 1048576" ] || { echo "net1's fetch from the host through dom0's card: '$v', not '$w 1048576'"; return; }
    xl_out "$log" vifs | grep -q '^vif' || { echo "dom0 listed no vif interface"; return; }
    [ "$(xl_out "$log" net_list | grep -cE '^[0-9]+ +[0-9]+ ')" = 2 ] ||
        { echo "xl network-list after network-attach: $(xl_out "$log" net_list | grep -v '^CHECK' | tr -s ' ' | tr '\n' ' ')"; return; }
    xl_out "$log" block_list | grep -qE '^51728 +[0-9]+ ' ||
        { echo "xl block-list after block-attach: $(xl_out "$log" block_list | grep -v '^CHECK' | tr -s ' ' | tr '\n' ' ')"; return; }
    con_domain "$d0" net1 | grep -q '^CHECK hotplug_xvdb=present sectors=16384' ||
        { echo "net1 did not see an 8 MiB xvdb: $(con_domain "$d0" net1 | grep hotplug_xvdb | tr '\n' ' ')"; return; }
    v=$(xl_out "$log" hot_after | grep -v '^CHECK')
    [ "$(echo "$v" | grep -cE '^[0-9]+ +[0-9]+ ')" = 1 ] && ! echo "$v" | grep -q '^51728 ' && ! echo "$v" | grep -q loop ||
        { echo "after the detaches: $(echo "$v" | tr -s ' ' | tr '\n' ' ')"; return; }
    judge_pv_end "$log" "$d0"
}

# A domU's network card from dom0 (issue 11): xen-netback in dom0 through xl's vif-bridge
# script, a bridge in dom0 with dom0's own virtio card on it, xen-netfront in two domUs; ping
# and TCP with a checksum between each domU and dom0 and between the domUs; one domU fetches a
# file over HTTP from this host through QEMU's user network (10.0.2.2 is the host's loopback
# there); a second vif and a disk hot-plugged into one and taken away (xl network-attach/
# -detach, block-attach/-detach); both destroyed, their vifs gone from dom0 and all their
# memory back.
case_pv_net() {
    local www=$work/pv-net-www server
    log=$logs/e2e-pv-net.log
    rm -rf "$www" "$www.port"
    mkdir -p "$www"
    head -c 1048576 /dev/urandom > "$www/fetch.bin"
    # The host's web server on a port the kernel picks; dom0 finds it in fetch.port.
    python3 -c '
import functools, http.server, sys
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=sys.argv[1]))
print(s.server_address[1], flush=True)
s.serve_forever()' "$www" > "$www.port" 2> "$logs/e2e-pv-net-www.log" &
    server=$!
    wait_file "$www.port" || { kill "$server"; result e2e pv-net 0 0 "the host's web server did not start" "$logs/e2e-pv-net-www.log"; return; }
    cp "$www.port" "$work/fetch.port"
    md5sum < "$www/fetch.bin" | cut -d' ' -f1 > "$work/fetch.md5"
    disk_extra=("$work/fetch.port" "$work/fetch.md5")
    case_qemu=(--qemu-arg -netdev --qemu-arg user,id=n0 --qemu-arg -device --qemu-arg virtio-net-device,netdev=n0)
    pv_case pv-net pvnet 600
    kill "$server"
}

# Until FILE is not empty (a process started in the background writes it); safety net 60 s.
wait_file() { # file
    local n=0
    until [ -s "$1" ]; do
        n=$((n + 1))
        [ $n -gt 600 ] && return 1
        sleep 0.1
    done
}

# What is wrong with a pv-fb run (nothing if all is well).
judge_pv_fb() { # log
    local log=$1 c d0=$work/pv-fb-dom0.log g=$work/pv-fb-guest.log v
    con_domain_user "$log" Domain-0 > "$d0"
    con_domain "$d0" fb1 > "$g"
    for c in xenstored init_dom0 xenconsoled installed fbcon_shown fbcon_snapshot shift fb_ready fb_status \
        snapshot dm_kill dm_restarted fb_status2 snapshot2 keys pointer fb_done vnc_port bad_requests \
        hostile_kill hostile_refused hostile_status destroy dm_gone sockets_gone; do
        xl_out "$log" "$c" | grep -q "^CHECK end $c rc=0\$" ||
            { echo "$c failed: $(xl_out "$log" "$c" | grep -v '^CHECK' | tail -3 | tr '\n' ' ')"; return; }
    done
    grep -q 'CHECK fbcheck_error=' "$g" && { echo "the domU said: $(grep -m1 'CHECK fbcheck_error=' "$g")"; return; }
    v=$(con_check_value "$g" fb_written)
    [[ $v =~ ^[0-9a-f]{32}$ ]] && [ "$(con_check_value "$g" fb_readback)" = "$v" ] ||
        { echo "the domU's /dev/fb0 does not read back what it wrote ($v, $(con_check_value "$g" fb_readback))"; return; }
    v=$(con_check_value "$d0" snapshot_want)
    [[ $v =~ ^[0-9a-f]{32}$ ]] && [ "$(con_check_value "$d0" snapshot_sum)" = "$v" ] ||
        { echo "dom0's snapshot has checksum $(con_check_value "$d0" snapshot_sum), the pattern $v (header '$(con_check_value "$d0" snapshot_head)')"; return; }
    [ "$(con_check_value "$d0" snapshot2_sum)" = "$v" ] ||
        { echo "after the back end's restart the snapshot has checksum $(con_check_value "$d0" snapshot2_sum), the pattern $v"; return; }
    xl_out "$log" fb_status2 | grep -q '^ok vfb=connected 800x600x32 .*vkbd=connected abs=1' ||
        { echo "keel-fbback status after its restart: $(xl_out "$log" fb_status2 | grep -v '^CHECK' | tr '\n' ' ')"; return; }
    grep -q 'CHECK dm_pid_error=' "$d0" && { echo "$(grep -m1 'CHECK dm_pid_error=' "$d0" | cut -d= -f2-)"; return; }
    v=$(con_check_value "$d0" fbcon_lit)
    [[ $v =~ ^[0-9]+\ of\ [0-9]+$ ]] && [ "${v% of *}" -gt 100 ] && [ "${v% of *}" -lt $((${v#* of } / 2)) ] ||
        { echo "the snapshot of the domU's framebuffer console shows no text (lit bytes: $v)"; return; }
    [ "$(con_check_value "$g" fbcon_shift)" = key42:1 ] ||
        { echo "the domU saw '$(con_check_value "$g" fbcon_shift)' for dom0's Shift"; return; }
    [ "$(con_check_value "$g" fb_tty)" = ab ] ||
        { echo "the domU's tty1 read '$(con_check_value "$g" fb_tty)', dom0 typed 'ab' and Enter"; return; }
    [ "$(xl_out "$log" vnc_port | sed -n 2p)" = 5900 ] ||
        { echo "libxl recorded VNC port '$(xl_out "$log" vnc_port | sed -n 2p)', not 5900"; return; }
    v=$(con_check_value "$d0" vnc_want)
    [[ $v =~ ^[0-9a-f]{32}$ ]] && [ "$(con_check_value "$d0" vnc_sum)" = "$v" ] ||
        { echo "the VNC client read $(con_check_value "$d0" vnc_bytes) bytes (got,wanted), pixels $(con_check_value "$d0" vnc_sum), not $v"; return; }
    v=$(con_check_value "$g" fb_keys)
    [ "$v" = "key30:1,key30:0,key48:1,key48:0,key28:1,key28:0" ] || { echo "the domU's keyboard got '$v'"; return; }
    v=$(con_check_value "$g" fb_pointer)
    [ "$v" = "abs0:123,abs1:45,key272:1,key272:0" ] || { echo "the domU's pointer got '$v'"; return; }
    xl_out "$log" fb_status | grep -q '^ok vfb=connected 800x600x32 .*vkbd=connected abs=1' ||
        { echo "keel-fbback status: $(xl_out "$log" fb_status | grep -v '^CHECK' | tr '\n' ' ')"; return; }
    xl_out "$log" hostile_refused | grep -q 'vfb of domain [0-9]*: refused: its page (1) cannot be mapped' &&
        xl_out "$log" hostile_refused | grep -q 'vkbd of domain [0-9]*: refused: cannot bind its event channel 4000' ||
        { echo "keel-fbback on bad front-end keys: $(xl_out "$log" hostile_refused | grep -v '^CHECK' | tr '\n' ' ')"; return; }
    xl_out "$log" hostile_status | grep -q '^ok vfb=disconnected .*vkbd=disconnected' ||
        { echo "keel-fbback status after refusing both: $(xl_out "$log" hostile_status | grep -v '^CHECK' | tr '\n' ' ')"; return; }
    grep -q 'signal 1: unmapping domain' "$d0" || { echo "keel-fbback did not log its exit on libxl's SIGHUP"; return; }
    judge_pv_end "$log" "$d0"
}

# A domU's keyboard, pointer and framebuffer (issue 11): xl create with vfb = [ 'vnc=1' ];
# libxl runs keel-fbback as the domain's device model, which serves Linux's xen-fbfront and
# xen-kbdfront; the domU's framebuffer console shows in dom0's snapshot, its pattern on
# /dev/fb0 is in dom0's snapshot pixel for pixel, keys and pointer events injected from dom0
# arrive on the domU's input devices and the keys as a line on its tty1, and after xl destroy
# the back end has exited and all the domU's memory is back.
case_pv_fb() {
    pv_case pv-fb pvfb 600
}

# What is wrong with a pv-stress run (nothing if all is well).
judge_pv_stress() { # log
    local log=$1 c d0=$work/pv-stress-dom0.log v
    con_domain_user "$log" Domain-0 > "$d0"
    for c in xenstored init_dom0 xenconsoled modules bridge survivor_create survivor_up image survivor_alive \
        survivor_ping survivor_destroy; do
        xl_out "$log" "$c" | grep -q "^CHECK end $c rc=0\$" ||
            { echo "$c failed: $(xl_out "$log" "$c" | sed -n '2p;3p' | tr '\n' ' ')"; return; }
    done
    v=$(con_check_value "$d0" cycles)
    [ "$v" = 20 ] || { echo "only $v of 20 victims created, destroyed busy, unplugged and their synced data found: $(grep -m1 'cycle [0-9]*:' "$d0")"; return; }
    [ "$(freed_after_cycles "$log" | wc -l)" -ge 20 ] || { echo "Keel returned the memory of fewer than 20 victims"; return; }
    # The survivor's own traffic makes dom0's transient use vary more than in xl-create.
    v=$(cycle_leak "$log")
    [ "$v" -le 8 ] || { echo "Keel lost about $v pages over the cycles (free after each: $(freed_after_cycles "$log" | tr '\n' ' '))"; return; }
    [ "$(xl_out "$log" final_list | grep -vc '^CHECK')" = 2 ] ||
        { echo "xl list at the end: $(xl_out "$log" final_list | grep -v '^CHECK' | tail -n +2 | tr '\n' ' ')"; return; }
    [ -z "$(con_keel_fault "$log")" ] || echo "Keel faulted: $(con_keel_fault "$log")"
}

# Destroy during heavy PV I/O (issue 11): 20 domUs with a PV disk and a vif, each destroyed
# while it writes its disk and streams to dom0, beside a domU whose traffic must carry on; what
# each synced before is on its image afterwards;
# nothing lost in Keel (free pages over the cycles) or dom0 (back ends, vifs, loop devices).
case_pv_stress() {
    pv_case pv-stress pvstress 1200
}

for c in $cases; do
    "case_${c//-/_}"
done
summary
