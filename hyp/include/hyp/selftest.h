/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EL2 self-checks, run when Keel's command line has "selftest": each registered check runs on
 * the boot CPU after all CPUs are up, prints its result, and a final "N passed, N failed" line
 * is printed before the machine powers off.
 */
#pragma once

#include <hyp/compiler.h>

struct selftest {
    const char *name;
    int (*fn)(void); /* 0 = pass; otherwise print why and return non-zero */
};

#define SELFTEST(id)                                                                               \
    static int selftest_##id(void);                                                                \
    static const struct selftest selftest_desc_##id __section(".selftests")                        \
        __used = { #id, selftest_##id };                                                           \
    static int selftest_##id(void)

/* Report a failed expectation from inside a SELFTEST body. */
#define ST_CHECK(cond)                                                                             \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            pr_err("selftest: check failed at %s:%d: %s\n", __FILE__, __LINE__, #cond);            \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

/* Run every check; returns the number that failed. */
unsigned selftest_run_all(void);
