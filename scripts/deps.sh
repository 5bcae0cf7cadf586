#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Install the Debian 12 packages Keel's build, tests and demo need, if any is missing.
# Runs as root, or through sudo; needs only the Debian archive.  Guest material (Debian's arm64
# kernel, busybox) is not installed here: scripts/fetch-guest.sh downloads it into build/cache.
# Usage: scripts/deps.sh [extra-package...]
set -e
# build:      make, host gcc + libc headers (unit tests), the aarch64 cross toolchain and the
#             arm64 C library's headers (libc6-dev-arm64-cross, a Recommends of the compiler)
#             for the dom0 programs (dom0/keel-fbback)
# unit tests: cmocka (found through pkg-config), dtc for the device-tree test data
# QEMU:       qemu-system-arm provides qemu-system-aarch64; ipxe-qemu holds the option ROM of the
#             virt machine's default network card, without which QEMU refuses to start
#             (it is only a Recommends, which --no-install-recommends leaves out)
# lint:       clang-format (14 in Debian 12), cppcheck (2.10)
# guest data: cpio + gzip build initramfs images; dpkg-deb (dpkg) unpacks the downloads
# scripts:    python3 (available to the tools and launchers under scripts/)
PKGS="make gcc libc6-dev gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross
      libcmocka-dev pkg-config device-tree-compiler
      qemu-system-arm ipxe-qemu
      clang-format cppcheck
      cpio gzip
      python3 ca-certificates $*"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
        echo "deps: missing packages:$missing; run as root or install sudo" >&2
        exit 1
    }
    SUDO=sudo
fi
# env: sudo drops the caller's environment, and apt must never stop to ask (CI has no stdin).
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
# shellcheck disable=SC2086  # one word per package
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing \
    </dev/null >/dev/null
