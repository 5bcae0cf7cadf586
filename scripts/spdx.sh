#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Every source file carries an SPDX licence line (the project's licence is in LICENSE).
#   scripts/spdx.sh          list the tracked source files without one; exit 1 if any
#   scripts/spdx.sh --fix    add the line to them: first line, or second after a "#!" line
# Called by scripts/lint.sh.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
TAG="SPDX-License-Identifier: Apache-2.0"
fix=0
[ "${1:-}" = --fix ] && fix=1

# The comment style of a file, or nothing for files that are not source.
style() {
    case "$1" in
    *.c | *.h | *.S | *.dts | *.dtsi | *.lds) echo c ;;
    *.mk | *.sh | *.py | Makefile | */Makefile | .ci/*) echo hash ;;
    *.*) ;;
    *) head -c 2 "$1" 2>/dev/null | grep -q '^#!' && echo hash ;;
    esac
}

missing=0
for f in $(git ls-files); do
    [ -f "$f" ] || continue
    s=$(style "$f")
    [ -n "$s" ] || continue
    head -n 3 "$f" | grep -q "SPDX-License-Identifier:" && continue
    if [ $fix = 0 ]; then
        echo "spdx: $f has no SPDX line"
        missing=$((missing + 1))
        continue
    fi
    if [ "$s" = c ]; then
        line="/* $TAG */"
    else
        line="# $TAG"
    fi
    tmp=$(mktemp)
    if head -c 2 "$f" | grep -q '^#!'; then
        { head -n 1 "$f"; echo "$line"; tail -n +2 "$f"; } >"$tmp"
    else
        { echo "$line"; cat "$f"; } >"$tmp"
    fi
    cat "$tmp" >"$f" # keeps the file's mode
    rm -f "$tmp"
done
[ $missing = 0 ]
