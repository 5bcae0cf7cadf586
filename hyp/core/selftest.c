/* SPDX-License-Identifier: Apache-2.0 */
/* Runs the SELFTEST() checks linked into the image (section .selftests). */
#include <hyp/console.h>
#include <hyp/selftest.h>

extern const struct selftest __selftests_start[], __selftests_end[];

unsigned selftest_run_all(void)
{
    unsigned passed = 0, failed = 0;
    for (const struct selftest *t = __selftests_start; t < __selftests_end; t++) {
        pr_info("selftest: %s ...\n", t->name);
        if (t->fn() == 0) {
            pr_info("selftest: %s ok\n", t->name);
            passed++;
        } else {
            pr_err("selftest: %s FAILED\n", t->name);
            failed++;
        }
    }
    pr_info("selftest: %u passed, %u failed\n", passed, failed);
    return failed;
}
