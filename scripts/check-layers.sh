#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Enforce Keel's include rules (docs/architecture.md, "Include rules"):
#   1. hyp/core/ and hyp/lib/ never include an arch-private header (<arm64/...>): core code
#      reaches the architecture only through <hyp/arch/*.h> and the embeddable <arch/*.h> types.
#   2. abi/ includes only freestanding standard headers and other abi/ headers, so guests, dom0
#      and the hypervisor can all use it.
#   3. guests/ and dom0/ never include hypervisor headers (hyp/...); they use abi/.
#   4. Only hyp/arch/<A>/ includes <A/...> (the headers under hyp/arch/<A>/include/<A>/).
#      tests/ is exempt: host unit tests exercise arch code that builds on the host (the
#      translation-table module, for one) and so may include what that code includes.
#   5. hyp/core/control/ never includes <hyp/guest_access.h>: what domctl and sysctl do works
#      on kernel structs; reading the guest's arguments is core/hypercall/'s.
# Checks #include lines in *.c, *.h and *.S.  Prints file:line: rule: what, then a summary;
# exits 1 on any violation.
# Usage: scripts/check-layers.sh [-q]    (-q: only the summary and violations)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2

STD_HEADERS=" stdint.h stddef.h stdbool.h stdarg.h stdalign.h stdnoreturn.h limits.h float.h iso646.h "

# Arch-private prefixes: every hyp/arch/<A>/include/<P>/ other than the shared arch/ name.
# A list of "<P>:hyp/arch/<A>/" words.
privs=""
for d in hyp/arch/*/include/*/; do
    [ -d "$d" ] || continue
    p=$(basename "$d")
    [ "$p" = arch ] && continue
    privs="$privs $p:${d%include/*/}"
done

dirs=""
for d in hyp abi guests dom0 tools tests; do [ -d "$d" ] && dirs="$dirs $d"; done
# shellcheck disable=SC2086  # $dirs is a list of folder names without spaces
files=$(find $dirs -type f \( -name '*.c' -o -name '*.h' -o -name '*.S' \) | sort)

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
nfiles=0

report() { # file line rule message
    echo "$1:$2: $3: $4" >>"$tmp"
}

# Which hyp include directory provides <t>?  Prints the directory or nothing.
hyp_provider() {
    for inc in hyp/include hyp/arch/*/include; do
        [ -f "$inc/$1" ] && { echo "$inc"; return; }
    done
}

# Does component $1 (guests, dom0, tools) provide <t> itself (some */include/t of its own)?
local_provides() {
    [ -f "$1/include/$2" ] && return 0
    [ -n "$(find "$1" -path "*/include/$2" -print -quit 2>/dev/null)" ]
}

for f in $files; do
    nfiles=$((nfiles + 1))
    case "$f" in
    hyp/arch/*) own="hyp/arch/$(echo "$f" | cut -d/ -f3)/" ;;
    *) own="" ;;
    esac
    comp=$(echo "$f" | cut -d/ -f1)
    grep -n -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' "$f" |
        sed -E 's/^([0-9]+):[[:space:]]*#[[:space:]]*include[[:space:]]*([<"])([^>"]*)[>"].*/\1 \2 \3/' |
        while read -r line kind t; do
            # Resolve a quoted include relative to the including file.
            rel=""
            if [ "$kind" = '"' ]; then
                rel=$(realpath -m --relative-to="$top" "$(dirname "$f")/$t")
            fi
            # Arch-private header: <P/...> or a quoted path into hyp/arch/<A>/include/<P>/.
            priv_owner=""
            for po in $privs; do
                p=${po%%:*} o=${po#*:}
                case "$kind$t" in "<$p/"*) priv_owner=$o ;; esac
                case "$rel" in "${o}include/$p/"*) priv_owner=$o ;; esac
            done

            case "$f" in
            hyp/core/control/*)
                if [ "$kind$t" = "<hyp/guest_access.h" ]; then
                    report "$f" "$line" "rule 5" "core/control/ reads no guest memory ($t)"
                    continue
                fi
                ;;
            esac
            case "$f" in
            hyp/core/* | hyp/lib/*)
                if [ -n "$priv_owner" ]; then
                    report "$f" "$line" "rule 1" "arch-neutral code includes arch-private $t"
                    continue
                fi
                ;;
            abi/*)
                ok=no
                case "$STD_HEADERS" in *" $t "*) [ "$kind" = '<' ] && ok=yes ;; esac
                [ "$kind" = '<' ] && [ -f "abi/$t" ] && ok=yes
                case "$rel" in abi/*) [ -f "$rel" ] && ok=yes ;; esac
                [ $ok = yes ] || report "$f" "$line" "rule 2" "abi/ includes $t (only standard and abi/ headers)"
                continue
                ;;
            guests/* | dom0/*)
                bad=no
                case "$rel" in hyp/*) bad=yes ;; esac
                if [ "$kind" = '<' ] && [ -n "$(hyp_provider "$t")" ] && [ ! -f "abi/$t" ] &&
                    ! local_provides "$comp" "$t"; then
                    bad=yes
                fi
                [ $bad = yes ] && report "$f" "$line" "rule 3" "$comp/ includes hypervisor header $t"
                continue
                ;;
            tests/*)
                continue
                ;;
            esac
            if [ -n "$priv_owner" ] && [ "$priv_owner" != "$own" ]; then
                report "$f" "$line" "rule 4" "only $priv_owner may include $t"
            fi
        done
done

n=$(wc -l <"$tmp")
cat "$tmp"
echo "check-layers: $n violation(s) in $nfiles files"
[ "$n" -eq 0 ]
