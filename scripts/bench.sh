#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The benchmark suite behind `make bench`: Keel, no hypervisor and Debian 12's Xen 4.17 on the
# same emulated machine, in one invocation.  Regenerates docs/performance.md and its charts
# (docs/perf-*.png), writes raw CSV and console logs under build/bench/, prints a summary.
#
#   scripts/bench.sh [--quick] [--rounds N] [--samples N]   the suite (about 30 min on 2 cores)
#   scripts/bench.sh smoke [--samples N]                     the bench guest once on Keel, checked
#   scripts/bench.sh pv [--rounds N]                         the PV throughput runs alone, printed
#
# Builds what it needs first: Keel and the bench guest (make), the first-instruction probe and
# the initramfs /init (cross-compiled here), Debian's arm64 kernel, busybox and Xen 4.17
# (scripts/fetch-guest.sh --xen), and gnuplot for the charts (scripts/deps.sh gnuplot-nox).
# The measuring and the report are scripts/bench/bench.py and report.py.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
CROSS=${CROSS:-aarch64-linux-gnu-}
out=build/bench
cmd=run
case ${1:-} in smoke|pv) cmd=$1; shift ;; esac

make --no-print-directory -j"$(nproc 2>/dev/null || echo 2)" hyp guests >/dev/null
mkdir -p "$out"

# The probe joined in front of each guest's first instruction (see firstinsn.S).
"${CROSS}gcc" -c -o "$out/firstinsn.o" scripts/bench/firstinsn.S
"${CROSS}ld" -Ttext=0 -e probe --build-id=none -o "$out/firstinsn.elf" "$out/firstinsn.o"
"${CROSS}objcopy" -O binary "$out/firstinsn.elf" "$out/firstinsn.bin"

if [ $cmd = smoke ]; then
    exec python3 scripts/bench/bench.py smoke "$@"
fi

scripts/deps.sh gnuplot-nox
scripts/fetch-guest.sh --xen
# The initramfs: scripts/mkinitramfs.sh's busybox archive with our /init, a static program with
# no C library (scripts/bench/ready.c).
"${CROSS}gcc" -O2 -static -nostdlib -ffreestanding -fno-stack-protector -Wall -Wextra -Werror \
    -o "$out/ready" scripts/bench/ready.c
scripts/mkinitramfs.sh "$out/ready.cpio.gz" --init "$out/ready" >/dev/null
# The xl create runs: the same program as a timestamp dom0 runs around `xl create`, and dom0's
# initramfs (the one tests/e2e uses, with Debian's Xen 4.17 toolstack); the PV throughput runs:
# that dom0 and the domU initramfs of the e2e PV cases (with xen-blkfront and xen-netfront).
"${CROSS}gcc" -O2 -static -nostdlib -ffreestanding -fno-stack-protector -Wall -Wextra -Werror \
    -DSTAMP -o "$out/stamp" scripts/bench/ready.c
bash -c '. tests/e2e/lib.sh && prepare_dom0_initrd && prepare_pv_initrd' || {
    echo "bench: cannot build the dom0 or domU initramfs (build/test-logs/mkinitramfs-*.log)" >&2
    exit 1
}
if [ $cmd = pv ]; then
    exec python3 scripts/bench/bench.py pv "$@"
fi
python3 scripts/bench/bench.py run "$@"
# Scheduling overhead per policy (docs/performance-sched.md).
scripts/bench/sched-policies.sh
