# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2034 # con_why, con_passed, con_failed_n are for the caller
# Reading a console log: the one parser of what Keel and the test guests print, sourced by every
# test runner (tests/*/run.sh; scripts/bench/bench.py calls it for the bench smoke test).
#
# The protocol, line by line (carriage returns are dropped first):
#   (keel) [ TIME] TEXT            Keel's own lines
#   [NAME] TEXT                    a line of domain NAME's console (Keel prefixes each one)
#   TEXT                           a guest run alone on QEMU without Keel has no prefix
# In a test guest's TEXT (guests/common/test.h):
#   GUEST-TEST CHECK: PASS (DETAIL)    or    GUEST-TEST CHECK: FAIL (DETAIL)
#   GUEST-NOTE TEXT                context that is not a check
#   GUEST-TESTS: P passed, F failed    the summary, printed once before the guest powers off
# In the Linux test initramfs's TEXT (tests/e2e/initramfs): CHECK KEY=VALUE
# Keel with "selftest" on its command line: "selftest: P passed, F failed"
#
# In the functions below, NAME picks domain NAME's lines with their prefix removed; an empty
# NAME takes every line of the log as it is (a guest alone without Keel, or a log whose only
# domain is the one asked about).  Results go to stdout; the status is 0 unless said otherwise.

# The log without carriage returns.
con_text() { # LOG
    tr -d '\r' <"$1"
}

# Keel's own lines, "(keel) " prefix kept.
con_keel() { # LOG
    con_text "$1" | grep -E '^\(keel\) '
}

# The lines of domain NAME without their "[NAME] " prefix (every line if NAME is empty).
con_domain() { # LOG NAME
    if [ -z "$2" ]; then
        con_text "$1"
    else
        con_text "$1" | awk -v p="[$2] " 'index($0, p) == 1 { print substr($0, length(p) + 1) }'
    fi
}

# Domain NAME's lines without the Linux kernel's own messages ("[  4.52] text"), which the
# kernel prints on the same console whenever it likes, between a command's lines of output.
con_domain_user() { # LOG NAME
    con_domain "$1" "$2" | grep -vE '^\[ *[0-9]+\.[0-9]+\] '
}

# Whether Keel said "domain NAME: TEXT" (TEXT is a fixed string, matched from its start).
con_keel_said() { # LOG NAME TEXT
    con_keel "$1" | grep -qF "domain $2: $3"
}

# The number of the first line of the log where Keel said "domain NAME: TEXT", 0 if none.
con_keel_line_no() { # LOG NAME TEXT
    con_text "$1" | grep -nF "(keel) " | grep -F "domain $2: $3" | head -1 | cut -d: -f1 |
        grep . || echo 0
}

# The first line where Keel reported a fault of its own (FATAL or PANIC), if any.
con_keel_fault() { # LOG
    con_keel "$1" | grep -E '(^|[^A-Za-z])(FATAL|PANIC)([^A-Za-z]|$)' | head -1
}

# "P F" from the guest's last "GUEST-TESTS: P passed, F failed"; nothing if there is none.
con_summary() { # LOG [NAME]
    con_domain "$1" "${2:-}" |
        sed -n 's/^GUEST-TESTS: \([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p' | tail -1
}

# The names of the guest's failed checks, sorted, each followed by a space.
con_failed() { # LOG [NAME]
    con_domain "$1" "${2:-}" | sed -n 's/^GUEST-TEST \([^ ]*\): FAIL.*/\1/p' | sort -u |
        tr '\n' ' '
}

# The guest's GUEST-NOTE texts, one a line.
con_notes() { # LOG [NAME]
    con_domain "$1" "${2:-}" | sed -n 's/^GUEST-NOTE //p'
}

# The Linux test initramfs's "CHECK KEY=VALUE" lines, as KEY=VALUE.
con_checks() { # LOG [NAME]
    con_domain "$1" "${2:-}" | sed -n 's/.*CHECK \([a-z0-9_]*\)=\(.*\)$/\1=\2/p'
}

# The value of the last CHECK KEY=VALUE (empty if none).
con_check_value() { # LOG KEY [NAME]
    con_checks "$1" "${3:-}" | sed -n "s/^$2=//p" | tail -1
}

# "P F" from Keel's last "selftest: P passed, F failed"; nothing if there is none.
con_selftest() { # LOG
    con_text "$1" | sed -n 's/.*selftest: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' | tail -1
}

# The verdict on test guest NAME: status 0 if it reported at least one check and no failure;
# otherwise con_why says why ("no GUEST-TESTS summary", "F of N checks failed: CHECK ...", "no
# checks ran").  Sets con_passed and con_failed_n to its counts (0 without a summary).  Call it
# directly, not in $(...), to see the variables.
con_guest_verdict() { # LOG [NAME]
    local s fails
    s=$(con_summary "$1" "${2:-}")
    con_why="" con_passed=0 con_failed_n=0
    if [ -z "$s" ]; then
        con_why="no GUEST-TESTS summary"
        return 1
    fi
    con_passed=${s% *} con_failed_n=${s#* }
    if [ "$con_failed_n" != 0 ]; then
        fails=$(con_failed "$1" "${2:-}")
        con_why="$con_failed_n of $((con_passed + con_failed_n)) checks failed: ${fails% }"
        return 1
    fi
    if [ "$con_passed" = 0 ]; then
        con_why="no checks ran"
        return 1
    fi
    return 0
}

# From another language: "bash tests/lib/console.sh FUNCTION ARG..." runs one function above.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    case ${1:-} in
    con_*) "$@" ;;
    *)
        echo "usage: $0 con_FUNCTION ARG... (see the functions in $0)" >&2
        exit 2
        ;;
    esac
fi
