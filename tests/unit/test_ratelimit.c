/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the rate limit of guest-caused messages (hyp/core/ratelimit.c), on the host
 * arch's counter (1 tick = 1 ns): one line per cause per period, the count of what was held
 * back given with the next line of that cause, causes apart, and more causes than slots.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <hyp/ratelimit.h>

#define PERIOD (RATELIMIT_PERIOD_S * 1000000000ULL)

extern uint64_t host_counter;

static const char iabt[] = "instruction abort", dabt[] = "data abort";

static bool ok(struct ratelimit *rl, const void *key, struct ratelimit_held *h)
{
    *h = (struct ratelimit_held){ 99, 99 };
    return ratelimit_ok(rl, key, h);
}

/* A guest faulting in a loop (issue 12, item 6): one line per period, not ten. */
static void one_line_per_cause_per_period(void **state)
{
    struct ratelimit rl;
    struct ratelimit_held h;
    memset(&rl, 0, sizeof(rl));
    host_counter = 0; /* a counter that starts at 0 is no "never printed" */
    assert_true(ok(&rl, iabt, &h));
    assert_int_equal(h.same, 0);
    assert_int_equal(h.other, 0);
    for (unsigned i = 0; i < 100000; i++) {
        host_counter += PERIOD / 100000 - 1;
        assert_false(ok(&rl, iabt, &h));
    }
    host_counter = PERIOD;
    assert_true(ok(&rl, iabt, &h));
    assert_int_equal(h.same, 100000);
    assert_int_equal(h.other, 0);
    /* The count starts again; the period counts from the last line printed. */
    host_counter += PERIOD - 1;
    assert_false(ok(&rl, iabt, &h));
    host_counter += 1;
    assert_true(ok(&rl, iabt, &h));
    assert_int_equal(h.same, 1);
    /* After a quiet spell the next one goes through at once, with nothing held. */
    host_counter += 100 * PERIOD;
    assert_true(ok(&rl, iabt, &h));
    assert_int_equal(h.same, 0);
}

/* A flood of one cause does not silence another. */
static void causes_apart(void **state)
{
    struct ratelimit rl;
    struct ratelimit_held h;
    memset(&rl, 0, sizeof(rl));
    host_counter = 1000;
    assert_true(ok(&rl, iabt, &h));
    assert_false(ok(&rl, iabt, &h));
    assert_false(ok(&rl, iabt, &h));
    assert_true(ok(&rl, dabt, &h));
    assert_int_equal(h.same, 0);
    assert_false(ok(&rl, dabt, &h));
    host_counter += PERIOD;
    assert_true(ok(&rl, dabt, &h));
    assert_int_equal(h.same, 1);
    assert_true(ok(&rl, iabt, &h));
    assert_int_equal(h.same, 2);
}

/* Beyond RATELIMIT_CAUSES causes, the rest are held back and counted together; the count goes
 * with the next line let through, whatever its cause. */
static void more_causes_than_slots(void **state)
{
    static const char keys[RATELIMIT_CAUSES + 2][2];
    struct ratelimit rl;
    struct ratelimit_held h;
    memset(&rl, 0, sizeof(rl));
    host_counter = 5;
    for (unsigned i = 0; i < RATELIMIT_CAUSES; i++)
        assert_true(ok(&rl, keys[i], &h));
    assert_false(ok(&rl, keys[RATELIMIT_CAUSES], &h));
    assert_false(ok(&rl, keys[RATELIMIT_CAUSES + 1], &h));
    assert_false(ok(&rl, keys[0], &h));
    host_counter += PERIOD;
    assert_true(ok(&rl, keys[0], &h));
    assert_int_equal(h.same, 1);
    assert_int_equal(h.other, 2);
    assert_true(ok(&rl, keys[1], &h));
    assert_int_equal(h.other, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_line_per_cause_per_period),
        cmocka_unit_test(causes_apart),
        cmocka_unit_test(more_causes_than_slots),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
