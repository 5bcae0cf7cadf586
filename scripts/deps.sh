#!/bin/sh
# Install the Debian packages Keel's build, tests and demo need, if any is missing.
# Usage: scripts/deps.sh [extra-package...]
set -e
PKGS="make gcc libc6-dev gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu qemu-system-arm
      device-tree-compiler cpio gzip libcmocka-dev pkg-config clang-format cppcheck python3
      ca-certificates $*"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
