/*
 * Results of a test guest.  Each check prints one line
 *     GUEST-TEST <name>: PASS (<detail>)      or      GUEST-TEST <name>: FAIL (<detail>)
 * and guest_finish() prints "GUEST-TESTS: N passed, M failed" and powers off with PSCI
 * SYSTEM_OFF.  Any vCPU may report.
 */
#pragma once

#include <stdbool.h>

/* Reports one check; detail is printf-style.  Returns ok. */
bool check(bool ok, const char *name, const char *detail, ...)
    __attribute__((format(printf, 3, 4)));
/* A line of context that is not a check: "GUEST-NOTE ...". */
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Counts a failed check, prints the summary and powers off: for when going on is pointless. */
__attribute__((noreturn)) void test_fail_stop(const char *name, const char *detail, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints the summary line (for a guest that ends some other way than guest_finish). */
void guest_summary(void);
/* Prints the summary and powers off. */
__attribute__((noreturn)) void guest_finish(void);
/* fn runs once, on the vCPU that ends the guest through guest_finish(), before the summary:
 * for what must not outlive the domain even when a check stops it early. */
void guest_at_finish(void (*fn)(void));

unsigned test_failed_count(void);
