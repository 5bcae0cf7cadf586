#!/bin/sh
# The demonstration system behind `make run` (which builds Keel and installs packages first).
#
# Boots build/keel.Image under QEMU on the reference machine, interactively: the console shows
# Keel's boot log with every CPU coming online, the memory map and the free memory.
# To quit QEMU: press Ctrl-A, then X.
#
# Once the domain launcher (scripts/keel-qemu) and the demo configuration (configs/demo.cfg)
# exist, the demo boots Keel with the demo domains through them instead.
# Usage: scripts/run-demo.sh [extra QEMU arguments]    (plain-Keel mode only)
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

if [ -x scripts/keel-qemu ] && [ -f configs/demo.cfg ]; then
    # The demo domains boot Debian's arm64 kernel with a busybox initramfs: downloaded into
    # build/cache the first time, reused afterwards.
    scripts/fetch-guest.sh
    echo "run-demo: Ctrl-A three times moves console input between Keel and the domain;"
    echo "run-demo: quit QEMU with Ctrl-T then X"
    exec scripts/keel-qemu configs/demo.cfg
fi

image=build/keel.Image
[ -f "$image" ] || { echo "run-demo: $image missing; run make first" >&2; exit 1; }
echo "run-demo: booting Keel on QEMU virt (4 CPUs, 2 GiB); quit with Ctrl-A then X"
exec qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a57 -smp 4 -m 2G \
    -nographic -kernel "$image" "$@"
