#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Build a busybox-static initramfs for Linux guests:
#   scripts/mkinitramfs.sh OUT.cpio.gz [--init SCRIPT] [--modules LIST] [--overlay DIR]...
# Contents: /init (default tests/e2e/initramfs/init), /bin/busybox with a symlink per applet,
# /proc /sys /dev /tmp, /dev/console, the guest checks from tests/e2e/initramfs/tests/ under
# /tests/, and with --modules the named kernel modules (comma or space separated, e.g.
# "xen-blkfront,vfat") plus everything they depend on, from build/cache/modules, with
# modules.dep and modules.alias written here so busybox modprobe works; with --overlay, the
# tree DIR copied over all that (Debian's Xen toolstack for dom0, scripts/fetch-dom0.sh; Keel's
# own dom0 programs), each --overlay in turn.
# Needs only bash, coreutils, cpio and gzip: no root, no depmod (kmod is not installed).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=$top/build/cache
src=$top/tests/e2e/initramfs

usage() {
    sed -n '2,3p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}
out="" init="$src/init" modules="" overlays=()
while [ $# -gt 0 ]; do
    case $1 in
    --init) init=${2:?--init needs a file}; shift 2 ;;
    --modules) modules=${2?--modules needs a list}; shift 2 ;;
    --overlay) overlays+=("${2:?--overlay needs a directory}"); shift 2 ;;
    -h|--help) usage ;;
    -*) echo "mkinitramfs: unknown option $1" >&2; usage ;;
    *) [ -z "$out" ] || usage; out=$1; shift ;;
    esac
done
[ -n "$out" ] || usage
[ -s "$cache/busybox" ] || "$top/scripts/fetch-guest.sh"
[ -f "$init" ] || { echo "mkinitramfs: no init script $init" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/keel-initramfs.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,etc,root,tests,lib/modules}
chmod 1777 "$root/tmp"
mkdir -p "$root/usr"
ln -s ../bin "$root/usr/bin"
ln -s ../bin "$root/usr/sbin"

# Busybox and its applets.  The binary is arm64, so we cannot ask it for --list; the applet
# names are stored in it as one sorted, NUL-separated table that starts with "[" and "[[".
install -m 755 "$cache/busybox" "$root/bin/busybox"
applets=$(tr '\0' '\n' < "$cache/busybox" | LC_ALL=C awk '
    stopped { next }
    started && ($0 == "" || $0 < prev || $0 !~ /^[][a-z0-9._-]+$/) { stopped = 1; next }
    started { print; prev = $0; next }
    $0 == "[" { getline nxt; if (nxt == "[[") { print "["; print "[["; prev = "[["; started = 1 } }')
n=0
for a in $applets; do
    [ "$a" = busybox ] && continue
    ln -s busybox "$root/bin/$a"
    n=$((n + 1))
done
[ "$n" -gt 100 ] || { echo "mkinitramfs: found only $n busybox applets; is $cache/busybox busybox?" >&2; exit 1; }
# /sbin has the applets too (the kernel runs /sbin/modprobe), but its poweroff and reboot act
# at once: the kernel runs them when the toolstack stops the domain (xl shutdown and xl reboot
# reach Linux's orderly_poweroff/orderly_reboot), and busybox's would only signal /init, a
# shell script that does not handle signals.
mkdir -p "$root/sbin"
for a in $applets; do
    [ "$a" = busybox ] || ln -s ../bin/busybox "$root/sbin/$a"
done
for a in poweroff reboot halt; do
    rm -f "$root/sbin/$a"
    printf '#!/bin/sh\nexec /bin/%s -f\n' "$a" > "$root/sbin/$a"
    chmod 755 "$root/sbin/$a"
done

install -m 755 "$init" "$root/init"
for t in "$src"/tests/*; do
    [ -f "$t" ] && install -m 755 "$t" "$root/tests/$(basename "$t")"
done
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\n' > "$root/etc/group"

# Kernel modules: the closure of the requested ones under their "depends=" (.modinfo).
# A softdep "pre:" module that does not exist is skipped, as modprobe does.
add_modules() {
    local kver moddir
    kver=$(ls "$cache/modules" | head -1)
    moddir=$cache/modules/$kver
    [ -d "$moddir" ] || { echo "mkinitramfs: no modules in $cache/modules" >&2; exit 1; }
    declare -A path=() deps=() visited=()
    local f name
    while IFS= read -r f; do
        name=$(basename "$f" .ko)
        path[${name//-/_}]=${f#"$moddir"/}
    done < <(find "$moddir/kernel" -name '*.ko')
    local order=() resolved=""
    # Set resolved to the module a dependency word names; softdeps may use an alias ("crc32c"
    # is provided by crc32c_generic).  Empty for built-in or unknown names.
    resolve() {
        local m=${1//-/_}
        resolved=""
        if [ -n "${path[$m]:-}" ]; then resolved=$m; return; fi
        grep -qE "/(${m}|${m//_/-})\.ko\$" "$moddir/modules.builtin" 2>/dev/null && return
        tr '\0' '\n' < "$moddir/modules.builtin.modinfo" 2>/dev/null | grep -qxF ".alias=$1" && return
        resolved=$(grep -rlazxF --include='*.ko' "alias=$1" "$moddir/kernel" | head -1 || true)
        [ -n "$resolved" ] && resolved=$(basename "$resolved" .ko | tr - _)
        return 0
    }
    modinfo_field() { # module field
        tr '\0' '\n' < "$moddir/${path[$1]}" | sed -n "s/^$2=//p"
    }
    # Depth-first, dependencies before the module itself, so order is a load order.  Returns 1
    # when the word names no loadable module (built in, or a missing softdep).
    visit() { # word [soft]
        local m d list=""
        resolve "$1"
        m=$resolved
        if [ -z "$m" ]; then
            [ -n "${2:-}" ] && return 1
            grep -qE "/(${1//-/_}|${1//_/-})\.ko\$" "$moddir/modules.builtin" 2>/dev/null && return 1
            echo "mkinitramfs: no module named $1 in $moddir" >&2
            exit 1
        fi
        resolved=$m
        [ -n "${visited[$m]:-}" ] && return 0
        visited[$m]=1
        for d in $(modinfo_field "$m" depends | tr ',' ' '); do
            visit "$d" && list="$list $resolved"
        done
        # busybox modprobe has no softdeps: "softdep=pre: ..." modules (crypto back-ends such
        # as crc32c for libcrc32c) are recorded as hard dependencies.
        for d in $(modinfo_field "$m" softdep | sed -n 's/.*pre:[[:space:]]*\([^:]*\)\( post:.*\)\{0,1\}$/\1/p'); do
            visit "$d" soft && list="$list $resolved"
        done
        deps[$m]=$list
        order+=("$m")
        resolved=$m
    }
    local want
    for want in ${modules//,/ }; do visit "$want"; done
    local dst=$root/lib/modules/$kver m
    mkdir -p "$dst"
    for f in modules.builtin modules.builtin.modinfo modules.order; do
        [ -f "$moddir/$f" ] && cp "$moddir/$f" "$dst/"
    done
    # modules.dep lists every module's full dependency closure, the one to load first last
    # (the order depmod uses and modprobe expects).
    closure() {
        local m=$1 d
        for d in ${deps[$m]}; do
            d=${d//-/_}
            closure "$d"
            case " $seen " in *" $d "*) ;; *) seen="$seen $d"; list=("$d" "${list[@]}") ;; esac
        done
    }
    : > "$dst/modules.dep"
    : > "$dst/modules.alias"
    for m in "${order[@]}"; do
        mkdir -p "$dst/$(dirname "${path[$m]}")"
        cp "$moddir/${path[$m]}" "$dst/${path[$m]}"
        local seen="" list=()
        closure "$m"
        local line="${path[$m]}:" d
        for d in "${list[@]}"; do line="$line ${path[$d]}"; done
        echo "$line" >> "$dst/modules.dep"
        tr '\0' '\n' < "$moddir/${path[$m]}" | sed -n "s/^alias=\(.*\)/alias \1 $m/p" >> "$dst/modules.alias"
    done
    echo "mkinitramfs: modules: ${order[*]}"
}
[ -n "$modules" ] && add_modules
for overlay in "${overlays[@]}"; do
    [ -d "$overlay" ] || { echo "mkinitramfs: no directory $overlay" >&2; exit 1; }
    (cd "$overlay" && tar cf - --exclude=./usr/bin --exclude=./usr/sbin .) | (cd "$root" && tar xf -)
    # Its /usr/bin and /usr/sbin land in /bin, which they are symlinks to here; a relative
    # symlink there (../lib/...) is made absolute, as it was meant from /usr/bin or /usr/sbin.
    for d in usr/bin usr/sbin; do
        [ -d "$overlay/$d" ] || continue
        for f in "$overlay/$d"/*; do
            name=$(basename "$f")
            rm -f "$root/bin/$name"
            if [ -L "$f" ] && [[ $(readlink "$f") != /* ]]; then
                ln -s "$(realpath -m -s "/$d/$(readlink "$f")")" "$root/bin/$name"
            else
                cp -a "$f" "$root/bin/$name"
            fi
        done
    done
done

# /dev/console must exist before /init runs (the kernel opens it for init's stdio), and
# making a device node needs root, so it goes into a second, hand-written cpio archive;
# the kernel unpacks concatenated archives in turn.
newc_entry() { # name mode(octal) rdevmajor rdevminor
    local name=$1 namesize=$((${#1} + 1))
    printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
        0 "$((8#$2))" 0 0 1 0 0 0 0 "$3" "$4" "$namesize" 0
    printf '%s\0' "$name"
    local pad=$(((4 - (110 + namesize) % 4) % 4))
    head -c "$pad" /dev/zero
}
{
    (cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet)
    newc_entry dev/console 20600 5 1
    newc_entry TRAILER!!! 0 0 0
} | gzip -9 -n > "$work/out.cpio.gz"
mkdir -p "$(dirname "$out")"
mv "$work/out.cpio.gz" "$out"
echo "mkinitramfs: wrote $out ($(($(stat -c %s "$out") / 1024)) KiB, $n applets)"
