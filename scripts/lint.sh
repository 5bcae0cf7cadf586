#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Static checks, run by `make lint` and by scripts/test-all.sh:
#   format   clang-format 14 against .clang-format, every *.c/*.h under hyp/ abi/ guests/ dom0/
#            tools/ tests/ (the folders that exist)
#   cppcheck cppcheck 2.10 over the EL2 code (hyp/, with the build's include path), the host
#            stand-in arch, and the host programs (tools/, dom0/) when they exist
#   layers   the include rules (scripts/check-layers.sh)
#   spdx     an SPDX licence line in every tracked source file (scripts/spdx.sh)
# Prints each finding, then one summary line; exits 1 if anything was found.
# Usage: scripts/lint.sh          check only
#        scripts/lint.sh --fix    reformat the files in place first (`make format`), then check
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2

fix=0
case "${1:-}" in
--fix) fix=1 ;;
"") ;;
*) echo "usage: $0 [--fix]" >&2; exit 2 ;;
esac

fail=0
say() { printf 'lint: %s\n' "$*"; }

dirs=""
for d in hyp abi guests dom0 tools tests; do [ -d "$d" ] && dirs="$dirs $d"; done

# ---- format -------------------------------------------------------------------------------
# Another clang-format version lays some constructs out differently, so insist on 14.
CF=""
for c in clang-format-14 clang-format; do
    if command -v "$c" >/dev/null 2>&1 && "$c" --version | grep -q 'version 14\.'; then
        CF=$c
        break
    fi
done
fmt_bad=0
if [ -z "$CF" ]; then
    say "format: clang-format 14 not found (scripts/deps.sh installs it)"
    fmt_bad=-1
    fail=1
else
    # shellcheck disable=SC2086  # $dirs is a list of folder names without spaces
    files=$(find $dirs -type f \( -name '*.c' -o -name '*.h' \) | sort)
    if [ $fix = 1 ]; then
        for f in $files; do
            [ -f "$f" ] || continue
            "$CF" --dry-run --Werror "$f" >/dev/null 2>&1 || { "$CF" -i "$f" && say "format: reformatted $f"; }
        done
    fi
    for f in $files; do
        [ -f "$f" ] || continue # removed meanwhile (others edit the tree too)
        if ! "$CF" --dry-run --Werror "$f" >/dev/null 2>&1; then
            n=$("$CF" "$f" | diff "$f" - | grep -c '^<')
            say "format: $f needs formatting ($n lines differ)"
            fmt_bad=$((fmt_bad + 1))
        fi
    done
    nfiles=$(echo "$files" | grep -c .)
    if [ $fmt_bad -gt 0 ]; then
        say "format: $fmt_bad of $nfiles files need formatting (see the changes with" \
            "'$CF FILE | diff FILE -'; 'make format' rewrites them)"
        fail=1
    else
        say "format: $nfiles files clean"
    fi
fi

# ---- cppcheck -----------------------------------------------------------------------------
# Suppressions, each with its reason (prefer an inline `// cppcheck-suppress ID` comment with
# the reason beside the code for a one-off; list here only what a whole file pattern needs):
#   comparePointers:hyp/core/selftest.c  the loop walks the linker-built .selftests array
#       between __selftests_start and __selftests_end (keel.lds); cppcheck sees two unrelated
#       arrays, but the linker places both symbols around the one section.
SUPPRESS="--suppress=comparePointers:hyp/core/selftest.c"
CPPCHECK_OPTS="--enable=warning,portability,performance --error-exitcode=1 --inline-suppr
    --std=c11 --quiet -j2"
CPPCHECK_TEMPLATE="{file}:{line}:{column}: {severity}: {message} [{id}]\\n{code}"
cpp_bad=0
cpp_log=$(mktemp)
trap 'rm -f "$cpp_log"' EXIT

# The hypervisor's include path, as the build uses it (HYP_INC in hyp/hyp.mk).
hyp_inc() {
    # shellcheck disable=SC2016  # $(HYP_INC) is for make to expand
    printf 'lint-print-hyp-inc:\n\t@echo $(HYP_INC)\n' |
        make -s --no-print-directory -f Makefile -f - lint-print-hyp-inc 2>/dev/null ||
        sed -n 's/^HYP_INC[[:space:]]*:=//p' hyp/hyp.mk
}

run_cppcheck() { # what, then cppcheck arguments
    what=$1
    shift
    # shellcheck disable=SC2086  # word splitting of the option lists is intended
    cppcheck $CPPCHECK_OPTS "--template=$CPPCHECK_TEMPLATE" $SUPPRESS "$@" >"$cpp_log" 2>&1
    rc=$?
    n=$(grep -c -E '^[^ ]+:[0-9]+:[0-9]+: (error|warning|style|performance|portability)' "$cpp_log")
    if [ $rc -ne 0 ] || [ "$n" -gt 0 ]; then
        sed 's/^/lint: cppcheck: /' "$cpp_log"
        [ "$n" -gt 0 ] || n=1
        say "cppcheck: $what: $n finding(s)"
        cpp_bad=$((cpp_bad + n))
        fail=1
    else
        say "cppcheck: $what: clean"
    fi
}

if ! command -v cppcheck >/dev/null 2>&1; then
    say "cppcheck: not found (scripts/deps.sh installs it)"
    cpp_bad=-1
    fail=1
else
    cppcheck --version | grep -q ' 2\.10' ||
        say "cppcheck: warning: $(cppcheck --version) is not the 2.10 this project is checked with"
    # EL2 code: 64-bit, LP64 like the arm64 build; the host stand-in needs its own include path.
    # shellcheck disable=SC2046
    run_cppcheck "hyp (EL2)" --platform=unix64 $(hyp_inc) -ihyp/arch/host hyp
    if [ -d hyp/arch/host ]; then
        run_cppcheck "hyp/arch/host" --platform=unix64 -Ihyp/include -Ihyp/arch/host/include \
            hyp/arch/host
    fi
    for d in tools dom0; do
        [ -d "$d" ] || continue
        [ -n "$(find "$d" -name '*.c' -print -quit)" ] || continue
        incs="-Iabi $(find "$d" -type d -name include | sed 's/^/-I/' | tr '\n' ' ')"
        # shellcheck disable=SC2086
        run_cppcheck "$d" --platform=unix64 $incs "$d"
    done
fi

# ---- layers -------------------------------------------------------------------------------
layers_out=$(scripts/check-layers.sh)
layers_rc=$?
echo "$layers_out" | sed 's/^/lint: layers: /'
lay_bad=$(echo "$layers_out" | sed -n 's/^check-layers: \([0-9]*\) violation.*/\1/p')
[ -n "$lay_bad" ] || lay_bad=0
[ $layers_rc -eq 0 ] || fail=1

# ---- licence lines ---------------------------------------------------------------------------
[ $fix = 1 ] && scripts/spdx.sh --fix
spdx_out=$(scripts/spdx.sh)
spdx_bad=$(echo "$spdx_out" | grep -c .)
[ -z "$spdx_out" ] || { echo "$spdx_out" | sed 's/^/lint: /'; fail=1; }

st() { [ "$1" -lt 0 ] && echo "not run" || echo "$1"; }
say "summary: format $(st $fmt_bad) file(s), cppcheck $(st $cpp_bad) finding(s)," \
    "layers $lay_bad violation(s), SPDX $spdx_bad missing: $([ $fail = 0 ] && echo PASS || echo FAIL)"
exit $fail
