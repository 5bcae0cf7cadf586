/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the ticket spinlock (hyp/include/hyp/spinlock.h): spin_trylock takes a free
 * lock and only a free one, whatever the tickets have counted up to (the counters wrap at
 * 2^16), and lock, trylock and unlock agree on what "free" is.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <hyp/spinlock.h>

static void trylock_takes_only_a_free_lock(void **state)
{
    struct spinlock l = SPINLOCK_INIT;
    assert_false(spin_is_locked(&l));
    assert_true(spin_trylock(&l));
    assert_true(spin_is_locked(&l));
    assert_false(spin_trylock(&l)); /* held: refused, and no ticket taken */
    spin_unlock(&l);
    assert_false(spin_is_locked(&l));
    /* After any number of lock/unlock cycles the lock is free again. */
    for (unsigned i = 0; i < 5; i++) {
        spin_lock(&l);
        spin_unlock(&l);
        assert_true(spin_trylock(&l));
        assert_false(spin_trylock(&l));
        spin_unlock(&l);
    }
    spin_lock(&l);
    assert_false(spin_trylock(&l));
    spin_unlock(&l);
    assert_int_equal(l.next, l.owner);
}

static void tickets_wrap(void **state)
{
    struct spinlock l = { .next = 0xffff, .owner = 0xffff };
    assert_true(spin_trylock(&l));
    assert_int_equal(l.next, 0);
    assert_false(spin_trylock(&l));
    spin_unlock(&l);
    assert_int_equal(l.owner, 0);
    assert_false(spin_is_locked(&l));
    spin_lock(&l);
    spin_unlock(&l);
    assert_true(spin_trylock(&l));
    spin_unlock(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(trylock_takes_only_a_free_lock),
        cmocka_unit_test(tickets_wrap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
