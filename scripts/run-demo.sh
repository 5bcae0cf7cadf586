#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The demonstration system behind `make run` (which builds Keel and installs packages first):
# Keel in QEMU with Debian's Linux as dom0 (configs/dom0.cfg) running Debian's own Xen 4.17
# toolstack, and a shell on dom0's console.  A ready domU configuration is there:
#   xl create -c /etc/xen/debian.cfg     a Debian domU on the console (Ctrl-] comes back)
#   Ctrl-A three times                   console input moves between dom0 and Keel's console
#   Ctrl-T, then X                       quit QEMU; the demo ends with status 0
#   poweroff -f                          (in dom0's shell) ends dom0, and the machine with it
# Debian's arm64 kernel, busybox and Xen packages are downloaded into build/cache the first
# time; the initramfs images and dom0's disk (the domU's kernel, initramfs and
# configs/debian.cfg, as a cpio archive) are built from them.  Arguments go to
# scripts/keel-qemu (tests drive the demo with --input and a --timeout).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh

prepare_guest
prepare_dom0_initrd || { cat "$logs/mkinitramfs-dom0.log" "$logs/fetch-dom0.log" >&2; exit 1; }
disk=$work/demo-disk.img
make_guest_disk "$disk" "$kernel" "$initrd" configs/debian.cfg
echo "run-demo: input starts with dom0's shell; Ctrl-A three times switches between it and"
echo "run-demo: Keel's console.  Quit with Ctrl-T, then X."
exec scripts/keel-qemu --quit-ok --qemu-arg -drive --qemu-arg "file=$disk,if=none,format=raw,id=d0,readonly=on" \
    --qemu-arg -device --qemu-arg virtio-blk-device,drive=d0 "$@" --dom0 configs/dom0.cfg
