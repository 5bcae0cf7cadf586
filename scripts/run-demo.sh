#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The demonstration system behind `make run` (which builds Keel and installs packages first):
# Keel in QEMU with one Debian domain (configs/demo.cfg), whose busybox shell has the console.
#   Ctrl-A three times   console input moves between the domain and Keel's own console
#   Ctrl-T, then X       quit QEMU; the demo ends with status 0
#   poweroff -f          (in the domain's shell) ends the domain, and Keel then stops
# Debian's arm64 kernel and busybox are downloaded into build/cache the first time, and the
# initramfs is built from them.  Arguments go to scripts/keel-qemu (tests drive the demo with
# --input and a --timeout).
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

scripts/fetch-guest.sh
initrd=build/e2e/initramfs.cpio.gz
if [ ! -s "$initrd" ] ||
    [ -n "$(find scripts/mkinitramfs.sh tests/e2e/initramfs -type f -newer "$initrd" | head -1)" ]; then
    scripts/mkinitramfs.sh "$initrd"
fi
echo "run-demo: input starts with the demo domain's shell; Ctrl-A three times switches between"
echo "run-demo: it and Keel's console.  Quit with Ctrl-T, then X."
exec scripts/keel-qemu --quit-ok "$@" configs/demo.cfg
