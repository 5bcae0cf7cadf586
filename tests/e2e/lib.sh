# SPDX-License-Identifier: Apache-2.0
# Shared by the e2e scripts (sourced): paths, guest material, per-case results and the
# checks of the guest's "CHECK key=value" lines (read with tests/lib/console.sh).
# shellcheck shell=bash disable=SC2034 # the variables are for the scripts that source this
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/lib/console.sh
. "$top/tests/lib/console.sh"
logs=$top/build/test-logs
work=$top/build/e2e
initrd=$work/initramfs.cpio.gz
kernel=$top/build/cache/Image
mkdir -p "$logs" "$work"
pass=0
fail=0

# Debian's kernel and busybox, and the test initramfs (rebuilt when its sources change).
prepare_guest() {
    "$top/scripts/fetch-guest.sh" || return 1
    local newest
    newest=$(find "$top/scripts/mkinitramfs.sh" "$top/tests/e2e/initramfs" -type f -newer "$initrd" 2>/dev/null | head -1)
    if [ ! -s "$initrd" ] || [ -n "$newest" ]; then
        "$top/scripts/mkinitramfs.sh" "$initrd" > "$logs/mkinitramfs.log" 2>&1 ||
            { cat "$logs/mkinitramfs.log"; return 1; }
    fi
}

# dom0's initramfs: the test one with the Xen modules a control domain loads, Debian's own
# Xen 4.17 toolstack (scripts/fetch-dom0.sh) and Keel's keel-fbback (the vfb/vkbd back end) where
# libxl looks for a PV domain's device model (docs/dom0.md).
dom0_initrd=$work/dom0-initramfs.cpio.gz
prepare_dom0_initrd() {
    local newest keel=$work/dom0-keel-root
    "$top/scripts/fetch-dom0.sh" > "$logs/fetch-dom0.log" 2>&1 || return 1
    make -s -C "$top" build/dom0/keel-fbback > "$logs/build-keel-fbback.log" 2>&1 ||
        { cat "$logs/build-keel-fbback.log" >> "$logs/mkinitramfs-dom0.log"; return 1; }
    newest=$(find "$top/scripts/mkinitramfs.sh" "$top/scripts/fetch-dom0.sh" "$top/tests/e2e/initramfs" "$top/tests/e2e/lib.sh" \
        "$top/build/dom0/keel-fbback" -type f -newer "$dom0_initrd" 2>/dev/null | head -1)
    if [ ! -s "$dom0_initrd" ] || [ -n "$newest" ]; then
        rm -rf "$keel"
        mkdir -p "$keel/usr/sbin" "$keel/usr/libexec"
        cp "$top/build/dom0/keel-fbback" "$keel/usr/sbin/"
        ln -s /usr/sbin/keel-fbback "$keel/usr/libexec/xen-qemu-system-i386"
        "$top/scripts/mkinitramfs.sh" "$dom0_initrd" \
            --modules "xenfs xen-privcmd xen-evtchn xen-gntdev xen-gntalloc virtio_mmio virtio_blk virtio_net xen-blkback loop ext4 bridge xen-netback" \
            --overlay "$top/build/cache/dom0root" --overlay "$keel" > "$logs/mkinitramfs-dom0.log" 2>&1 || return 1
    fi
}

# The domU initramfs for PV device tests: the test one with Linux's front ends, the file
# system the checks make on a PV disk, and evdev (the framebuffer check reads its keyboard and
# pointer; xen-fbfront and xen-kbdfront are built into Debian's kernel).  The other cases keep
# the plain one, which boots faster.
pv_initrd=$work/initramfs-pv.cpio.gz
prepare_pv_initrd() {
    local newest
    newest=$(find "$top/scripts/mkinitramfs.sh" "$top/tests/e2e/initramfs" "$top/tests/e2e/lib.sh" \
        -type f -newer "$pv_initrd" 2>/dev/null | head -1)
    if [ ! -s "$pv_initrd" ] || [ -n "$newest" ]; then
        "$top/scripts/mkinitramfs.sh" "$pv_initrd" --modules "xen-blkfront xen-netfront ext4 evdev" \
            > "$logs/mkinitramfs-pv.log" 2>&1 || return 1
    fi
}

# A raw disk holding FILES as a newc cpio archive (under their own names), which the dom0
# checks unpack: how domU kernels and configurations reach dom0.
make_guest_disk() { # OUT FILE...
    local out=$1 dir
    shift
    dir=$(mktemp -d "${TMPDIR:-/tmp}/keel-disk.XXXXXX") || return 1
    cp "$@" "$dir/" && (cd "$dir" && ls | cpio -o -H newc --quiet) > "$out"
    local rc=$?
    rm -rf "$dir"
    return $rc
}

# result PREFIX NAME OK SECONDS WHY LOG
result() {
    if [ "$3" = 1 ]; then
        pass=$((pass + 1))
        echo "PASS $1: $2 ($4 s)"
    else
        fail=$((fail + 1))
        echo "FAIL $1: $2 ($4 s): $5 (log: ${6#"$top"/})"
    fi
}

summary() {
    echo "$pass passed, $fail failed"
    [ "$fail" = 0 ]
}

# Verify the output of the "basic" guest check; sets why on failure.
check_basic() { # log vcpus memory-MiB
    local log=$1 cpus mem lo hi
    why=""
    cpus=$(con_check_value "$log" cpus)
    mem=$(con_check_value "$log" mem_kb)
    grep -q 'CHECK done' "$log" || { why="the basic check did not finish"; return 1; }
    [ "$cpus" = "$2" ] || { why="cpus=$cpus, expected $2"; return 1; }
    # The kernel keeps its image and early allocations out of MemTotal: expect 80-100%.
    lo=$(($3 * 1024 * 80 / 100))
    hi=$(($3 * 1024))
    [[ $mem =~ ^[0-9]+$ ]] && [ "$mem" -ge "$lo" ] && [ "$mem" -le "$hi" ] ||
        { why="mem_kb=$mem, expected $lo..$hi"; return 1; }
    [ "$(con_check_value "$log" timer_rising)" = yes ] ||
        { why="timer not rising ($(con_check_value "$log" timer_irqs))"; return 1; }
    [ "$(con_check_value "$log" dmesg_clean)" = yes ] ||
        { why="kernel log not clean: $(con_text "$log" | grep -m1 'CHECK dmesg_bad')"; return 1; }
    return 0
}

# How many console lines contain the fixed string.
count_lines() { # log string
    grep -cF -- "$2" "$1"
}
