#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The e2e guest side on plain QEMU, no hypervisor: boots the same Debian kernel and test
# initramfs directly at EL1 and checks the same CHECK lines as tests/e2e/run.sh, so a failure
# there can be blamed on Keel, not on the guest material.
#   tests/e2e/baseline.sh      prints one line per case, then "N passed, N failed"
set -uo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
prepare_guest || { echo "baseline: cannot prepare the guest"; echo "0 passed, 1 failed"; exit 1; }

boot() { # name timeout qemu-args... ; sets rc, secs
    local name=$1 t=$2 start
    shift 2
    start=$SECONDS
    timeout -k 5 "$t" qemu-system-aarch64 -M virt,gic-version=3 -cpu cortex-a57 -smp 2 -m 512 \
        -nographic -kernel "$kernel" -initrd "$initrd" "$@" < /dev/null > "$logs/baseline-$name.log" 2>&1
    rc=$?
    secs=$((SECONDS - start))
}

log=$logs/baseline-basic.log
boot basic 300 -append "console=ttyAMA0 keeltest=basic"
why=""
if [ "$rc" = 124 ]; then why="timeout"
elif [ "$rc" != 0 ]; then why="QEMU exit status $rc"
elif ! grep -q "reboot: Power down" "$log"; then why="the guest did not power off"
else check_basic "$log" 2 512; fi
result baseline basic "$([ -z "$why" ] && echo 1)" "$secs" "$why" "$log"

# -no-reboot: the guest's reboot ends QEMU, so exactly one boot.
log=$logs/baseline-reboot.log
boot reboot 300 -no-reboot -append "console=ttyAMA0 keeltest=reboot"
why=""
if [ "$rc" = 124 ]; then why="timeout"
elif [ "$rc" != 0 ]; then why="QEMU exit status $rc"
elif [ "$(count_lines "$log" "CHECK boot")" != 1 ]; then why="$(count_lines "$log" "CHECK boot") boots, expected 1"
elif ! grep -q "reboot: Restarting system" "$log"; then why="the guest did not reboot"
fi
result baseline reboot "$([ -z "$why" ] && echo 1)" "$secs" "$why" "$log"

summary
