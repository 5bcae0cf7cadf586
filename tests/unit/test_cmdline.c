/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the command-line word lookup (hyp/lib/cmdline.c): separators, whole-word
 * matching, bare words and empty values, and numeric options falling back to their default. */
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

static void last_occurrence_wins(void **state)
{
    assert_true(cmdline_is("sched=rr loglvl=info sched=rtds", "sched", "rtds"));
    assert_int_equal(cmdline_u64("x=1 x=2", "x", 0), 2);
}

static void repeated_options_in_order(void **state)
{
    const char *pos = NULL, *v;
    size_t len;
    const char *cl = "cpupool=a:rtds:1 sched=credit cpupool=b:null:2-3";
    assert_true(cmdline_next(cl, "cpupool", &pos, &v, &len));
    assert_int_equal(len, 8);
    assert_memory_equal(v, "a:rtds:1", 8);
    assert_true(cmdline_next(cl, "cpupool", &pos, &v, &len));
    assert_memory_equal(v, "b:null:2-3", 10);
    assert_false(cmdline_next(cl, "cpupool", &pos, &v, &len));
}

/* Booleans: 0/no/false/off turn an option off (issue 12, item 7: selftest=0 ran the
 * self-checks); anything unrecognised is an error, not a yes. */
static void booleans(void **state)
{
    static const char *const on[] = { "s", "s=1", "s=yes", "s=true", "s=on", "s=enable" };
    static const char *const off[] = { "s=0", "s=no", "s=false", "s=off", "s=disable" };
    for (unsigned i = 0; i < 6; i++)
        assert_int_equal(cmdline_bool(on[i], "s", 0), 1);
    for (unsigned i = 0; i < 5; i++)
        assert_int_equal(cmdline_bool(off[i], "s", 1), 0);
    assert_int_equal(cmdline_bool("loglvl=info", "s", 0), 0);
    assert_int_equal(cmdline_bool("loglvl=info", "s", 1), 1);
    assert_int_equal(cmdline_bool(NULL, "s", 1), 1);
    assert_int_equal(cmdline_bool("s=", "s", 0), -EINVAL);
    assert_int_equal(cmdline_bool("s=2", "s", 0), -EINVAL);
    assert_int_equal(cmdline_bool("s=No", "s", 0), -EINVAL);
    assert_int_equal(cmdline_bool("s=offf", "s", 0), -EINVAL);
    assert_int_equal(cmdline_bool("s=yes s=0", "s", 1), 0);
    assert_int_equal(cmdline_bool("s=0 s", "s", 0), 1);
    assert_int_equal(cmdline_bool("self=1 s=0", "self", 0), 1);
}

static void empty_and_null(void **state)
{
    assert_false(cmdline_has("", "x"));
    assert_false(cmdline_has(NULL, "x"));
    assert_true(cmdline_has("x", "x"));
}

static void separators_and_edges(void **state)
{
    const char *v;
    size_t len;
    const char *cl = "\t a=1\tb  console=dtuart=x   last=end ";
    assert_true(cmdline_is(cl, "a", "1"));
    assert_true(cmdline_has(cl, "b"));
    /* Only the first '=' splits name from value. */
    assert_true(cmdline_get(cl, "console", &v, &len));
    assert_int_equal(len, 8);
    assert_memory_equal(v, "dtuart=x", 8);
    assert_true(cmdline_is(cl, "last", "end"));
    /* Names match whole words, not prefixes or suffixes. */
    assert_false(cmdline_has(cl, "las"));
    assert_false(cmdline_has(cl, "ast"));
    assert_false(cmdline_has(cl, "end"));
    /* The outputs are optional. */
    assert_true(cmdline_get(cl, "a", NULL, NULL));
    assert_true(cmdline_get(cl, "a", &v, NULL));
    assert_true(cmdline_get(cl, "a", NULL, &len));
    assert_int_equal(len, 1);
}

static void bare_words_and_empty_values(void **state)
{
    const char *v = NULL;
    size_t len = 9;
    assert_true(cmdline_get("selftest", "selftest", &v, &len));
    assert_int_equal(len, 0);
    assert_true(cmdline_is("selftest", "selftest", ""));
    assert_true(cmdline_get("x= y", "x", &v, &len));
    assert_int_equal(len, 0);
    assert_false(cmdline_is("x=", "x", "y"));
    assert_false(cmdline_has("   ", "x"));
}

static void numeric_values(void **state)
{
    const char *cl = "a=4K b=0x10 c=2G d=abc e= f g=18446744073709551616 h=1T i=0";
    assert_int_equal(cmdline_u64(cl, "a", 0), 4096);
    assert_int_equal(cmdline_u64(cl, "b", 0), 16);
    assert_int_equal(cmdline_u64(cl, "c", 0), 2ull << 30);
    assert_int_equal(cmdline_u64(cl, "i", 7), 0);
    /* Malformed, empty, bare, out of range, unknown suffix: all give the default. */
    assert_int_equal(cmdline_u64(cl, "d", 7), 7);
    assert_int_equal(cmdline_u64(cl, "e", 7), 7);
    assert_int_equal(cmdline_u64(cl, "f", 7), 7);
    assert_int_equal(cmdline_u64(cl, "g", 7), 7);
    assert_int_equal(cmdline_u64(cl, "h", 7), 7);
    assert_int_equal(cmdline_u64(NULL, "a", 7), 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_words_and_values),      cmocka_unit_test(empty_and_null),
        cmocka_unit_test(last_occurrence_wins),        cmocka_unit_test(separators_and_edges),
        cmocka_unit_test(bare_words_and_empty_values), cmocka_unit_test(numeric_values),
        cmocka_unit_test(repeated_options_in_order),   cmocka_unit_test(booleans),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
