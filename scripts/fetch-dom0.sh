#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Download Debian 12's own Xen 4.17 toolstack for arm64, unmodified, and unpack what dom0
# runs into build/cache/dom0root (used by scripts/mkinitramfs.sh --overlay):
#   xen-utils-4.17     xl, xenstored, xenconsoled, xen-init-dom0 (/usr/lib/xen-4.17/bin)
#   xen-utils-common   the xl wrapper (/usr/sbin/xl) and the hotplug scripts
#   xenstore-utils     xenstore-read, -write, -ls, ...
# and the shared libraries they load (the closure of their Depends on lib* packages and
# libc6).  Python (pygrub, xen-utils-4.17's other dependency), udev and the init-system glue
# are left out: dom0's /init starts the daemons itself.
# The block hotplug script (/etc/xen/scripts/block, run by xl) is bash and calls flock and
# losetup, which busybox either lacks (flock) or gives in another output format (losetup -a,
# read by the script's sharing check): Debian's bash, util-linux's flock and mount's losetup
# (with libsmartcols) go into /usr/bin and /usr/sbin, nothing else of those packages (the rest
# of util-linux would shadow busybox's applets with programs whose libraries are not there).
# keel-fbback (dom0/keel-fbback, Keel's vfb/vkbd back end) is built against Debian's own
# libxen-dev for arm64: its headers and link names go into build/cache/libxen-dev, beside
# the run-time libraries of dom0root that the link resolves to.
# Re-running is cheap: nothing is fetched when the cache is complete.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=$top/build/cache
out=$cache/dom0root
T=$cache/apt
o=(-oAPT::Architecture=arm64 -oAPT::Architectures=arm64 "-oDir::State::Lists=$T/lists"
    "-oDir::Cache=$T/cache" -oDir::State::status=/dev/null -oDebug::NoLocking=1 -q)

# The hotplug scripts' tools, into an existing dom0root.
hotplug_tools() {
    local d=$T/hotplug-debs x=$T/hotplug-root
    [ -x "$out/usr/bin/bash" ] && [ -x "$out/usr/bin/flock" ] && [ -x "$out/usr/sbin/losetup" ] && return 0
    rm -rf "$d" "$x"
    mkdir -p "$d" "$x"
    (cd "$d" && apt-get "${o[@]}" download bash util-linux mount libsmartcols1 >/dev/null)
    for p in "$d"/*.deb; do dpkg-deb -x "$p" "$x"; done
    mkdir -p "$out/usr/bin" "$out/usr/sbin" "$out/lib/aarch64-linux-gnu"
    cp "$x/bin/bash" "$x/usr/bin/flock" "$out/usr/bin/"
    cp "$x/sbin/losetup" "$out/usr/sbin/"
    find "$x" -name "libsmartcols.so.1*" -exec cp -a {} "$out/lib/aarch64-linux-gnu/" \;
    rm -rf "$d" "$x"
    echo "fetch-dom0: bash, flock and losetup for the hotplug scripts added to $out"
}
# Debian's libxen-dev (headers, and the .so link names to dom0root's libraries).
libxen_dev() {
    local d=$T/dev-debs dev=$cache/libxen-dev lib=usr/lib/aarch64-linux-gnu
    [ -f "$dev/usr/include/xenstore.h" ] && [ -e "$dev/$lib/libxenstore.so.4" ] && return 0
    rm -rf "$d" "$dev.tmp"
    mkdir -p "$d" "$dev.tmp"
    (cd "$d" && apt-get "${o[@]}" download libxen-dev >/dev/null)
    dpkg-deb -x "$d"/libxen-dev_*.deb "$dev.tmp"
    cp -a "$out/$lib"/libxen*.so.* "$dev.tmp/$lib/"
    rm -rf "$dev" "$d"
    mv "$dev.tmp" "$dev"
    echo "fetch-dom0: Debian's libxen-dev unpacked in $dev"
}
if [ -x "$out/usr/lib/xen-4.17/bin/xl" ]; then
    hotplug_tools
    libxen_dev
    exit 0
fi
"$top/scripts/fetch-guest.sh" # the package lists (and the kernel dom0 boots)
want="xen-utils-4.17 xen-utils-common xenstore-utils"
# The closure over Depends, keeping what a dynamically linked program needs.
pkgs=$(apt-cache "${o[@]}" depends --recurse --no-recommends --no-suggests --no-conflicts \
    --no-breaks --no-replaces --no-enhances --no-pre-depends $want |
    grep -v '^ ' | grep -v '^<' | sort -u |
    grep -E '^(xen-utils-4\.17|xen-utils-common|xenstore-utils|zlib1g|lib[a-z0-9.+-]+)$' |
    grep -vE '^(libpython|libperl|libudev|libsystemd|libdebconf|libsemanage|libselinux|libaudit|libcap-ng|libpam|libapparmor|libkmod|libblkid|libmount|libcrypt|libgcrypt|libgpg-error|liblz4|libssl)')
echo "fetch-dom0: downloading $(echo "$pkgs" | wc -l) packages: $(echo $pkgs)"
debs=$T/dom0-debs
rm -rf "$debs"
mkdir -p "$debs"
(cd "$debs" && apt-get "${o[@]}" download $pkgs >/dev/null)
rm -rf "$out.tmp"
mkdir -p "$out.tmp"
for d in "$debs"/*.deb; do dpkg-deb -x "$d" "$out.tmp"; done
rm -rf "$out.tmp"/usr/share/{doc,man,info,locale,lintian,bug} "$out.tmp"/etc/init.d
[ -x "$out.tmp/usr/lib/xen-4.17/bin/xl" ] || { echo "fetch-dom0: no xl in the packages" >&2; exit 1; }
rm -rf "$out"
mv "$out.tmp" "$out"
echo "fetch-dom0: Debian's Xen 4.17 toolstack unpacked in $out"
hotplug_tools
libxen_dev
