#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Download Debian 12 arm64 guest material with apt (no root needed for the
# download itself) and cache it under build/cache:
#   build/cache/Image            newest linux-image-*-arm64-unsigned kernel
#   build/cache/modules/         its /lib/modules tree
#   build/cache/busybox          busybox-static (arm64)
#   build/cache/xen/             xen-hypervisor-4.17-arm64 (only with --xen)
# Re-running is cheap: nothing is fetched when the cache is complete.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
cache=$top/build/cache
want_xen=0
[ "$1" = "--xen" ] && want_xen=1
mkdir -p "$cache"
if [ -s "$cache/Image" ] && [ -s "$cache/busybox" ] && { [ $want_xen = 0 ] || [ -s "$cache/xen/xen" ]; }; then
    exit 0
fi
T=$cache/apt
mkdir -p "$T/lists/partial" "$T/cache/archives/partial" "$T/debs"
o="-oAPT::Architecture=arm64 -oAPT::Architectures=arm64 -oDir::State::Lists=$T/lists
   -oDir::Cache=$T/cache -oDir::State::status=/dev/null -oDebug::NoLocking=1 -q"
echo "fetch-guest: updating the arm64 package lists"
apt-get $o update >/dev/null
# Debian 12's own kernel series (6.1), newest ABI number; the plain flavour, not rt/cloud.
kpkg=$(apt-cache $o pkgnames linux-image-6.1.0- | grep -E '^linux-image-6\.1\.0-[0-9]+-arm64-unsigned$' | sort -V | tail -1)
[ -n "$kpkg" ] || { echo "fetch-guest: no linux-image-*-arm64-unsigned found" >&2; exit 1; }
pkgs="$kpkg busybox-static"
[ $want_xen = 1 ] && pkgs="$pkgs xen-hypervisor-4.17-arm64"
echo "fetch-guest: downloading $pkgs"
rm -f "$T"/debs/*.deb
(cd "$T/debs" && apt-get $o download $pkgs >/dev/null)
root=$T/root
rm -rf "$root"; mkdir -p "$root"
for d in "$T"/debs/*.deb; do dpkg-deb -x "$d" "$root"; done
zcat -f "$root"/boot/vmlinuz-* > "$cache/Image.tmp" && mv "$cache/Image.tmp" "$cache/Image"
cp "$root"/boot/config-* "$cache/kernel.config"
rm -rf "$cache/modules"; cp -a "$root/lib/modules" "$cache/modules"
cp "$root/bin/busybox" "$cache/busybox"
echo "$kpkg" > "$cache/kernel.name"
if [ $want_xen = 1 ]; then
    mkdir -p "$cache/xen"
    x=$(ls "$root"/boot/xen-4.17* | grep -v '\.efi$\|config' | head -1)
    cp "$x" "$cache/xen/xen"
fi
rm -rf "$root"
echo "fetch-guest: cached $kpkg and busybox in $cache"
