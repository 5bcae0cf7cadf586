/* Unit tests for the command-line word lookup. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <hyp/cmdline.h>
#include <hyp/errno.h>

static void finds_words_and_values(void **state)
{
    const char *v;
    size_t len;
    const char *cl = "loglvl=debug  selftest sched=rtds dom0_mem=512M";
    assert_true(cmdline_get(cl, "loglvl", &v, &len));
    assert_int_equal(len, 5);
    assert_memory_equal(v, "debug", 5);
    assert_true(cmdline_has(cl, "selftest"));
    assert_false(cmdline_has(cl, "self"));
    assert_false(cmdline_has(cl, "sched=credit"));
    assert_true(cmdline_is(cl, "sched", "rtds"));
    assert_false(cmdline_is(cl, "sched", "rtd"));
    assert_int_equal(cmdline_u64(cl, "dom0_mem", 1), 512UL << 20);
    assert_int_equal(cmdline_u64(cl, "missing", 7), 7);
    assert_int_equal(cmdline_u64(cl, "loglvl", 9), 9);
}

static void empty_and_null(void **state)
{
    assert_false(cmdline_has("", "x"));
    assert_false(cmdline_has(NULL, "x"));
    assert_true(cmdline_has("x", "x"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_words_and_values),
        cmocka_unit_test(empty_and_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
