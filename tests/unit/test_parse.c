/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for parse_u64 (hyp/lib/parse.c): decimal and 0x-hex, the K/M/G suffixes, range
 * limits at exactly 2^64, and the rule that only the first len bytes are read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <hyp/errno.h>
#include <hyp/string.h>

/* Parses s from a heap copy without its NUL, so ASan sees any read past len. */
static int parse(const char *s, bool suffix, uint64_t *out)
{
    size_t len = strlen(s);
    char *p = malloc(len ? len : 1);
    memcpy(p, s, len);
    *out = 0xfeedfeedfeedfeedull;
    int rc = parse_u64(p, len, suffix, out);
    free(p);
    if (rc)
        assert_int_equal(*out, 0xfeedfeedfeedfeedull); /* untouched on error */
    return rc;
}

static uint64_t ok(const char *s, bool suffix)
{
    uint64_t v;
    assert_int_equal(parse(s, suffix, &v), 0);
    return v;
}

static void decimal_and_hex(void **state)
{
    assert_int_equal(ok("0", false), 0);
    assert_int_equal(ok("123", false), 123);
    assert_int_equal(ok("010", false), 10); /* no octal */
    assert_int_equal(ok("0x1F", false), 31);
    assert_int_equal(ok("0XabC", false), 0xabc);
    assert_int_equal(ok("0x0", false), 0);
    assert_int_equal(ok("18446744073709551615", false), UINT64_MAX);
    assert_int_equal(ok("0xffffffffffffffff", false), UINT64_MAX);
    assert_int_equal(ok("0x00000000000000000001", false), 1); /* leading zeros are not range */
}

static void rejects_malformed(void **state)
{
    static const char *const bad[] = { "",   "0x",    "0X",   "x",   "-1",    "+1",   " 1",
                                       "1 ", "12abc", "0x1h", "1.5", "0b101", "1_000" };
    uint64_t v;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(parse(bad[i], false, &v), -EINVAL);
        assert_int_equal(parse(bad[i], true, &v), -EINVAL);
    }
}

static void range(void **state)
{
    uint64_t v;
    assert_int_equal(parse("18446744073709551616", false, &v), -ERANGE);
    assert_int_equal(parse("99999999999999999999", false, &v), -ERANGE);
    assert_int_equal(parse("0x10000000000000000", false, &v), -ERANGE);
    assert_int_equal(parse("17179869184G", true, &v), -ERANGE); /* 2^34 GiB = 2^64 */
    assert_int_equal(ok("17179869183G", true), 17179869183ull << 30);
    assert_int_equal(parse("0x40000000000000K", true, &v), -ERANGE);
    assert_int_equal(ok("0x3fffffffffffffK", true), 0x3fffffffffffffull << 10);
}

static void suffixes(void **state)
{
    uint64_t v;
    assert_int_equal(ok("4K", true), 4096);
    assert_int_equal(ok("4k", true), 4096);
    assert_int_equal(ok("512M", true), 512ull << 20);
    assert_int_equal(ok("2g", true), 2ull << 30);
    assert_int_equal(ok("0x10M", true), 16ull << 20);
    assert_int_equal(ok("0x1g", true), 1ull << 30); /* g is no hex digit */
    assert_int_equal(ok("0K", true), 0);
    assert_int_equal(ok("42", true), 42); /* the suffix is optional */
    assert_int_equal(parse("4K", false, &v), -EINVAL);
    assert_int_equal(parse("4KB", true, &v), -EINVAL);
    assert_int_equal(parse("4T", true, &v), -EINVAL);
    assert_int_equal(parse("4KK", true, &v), -EINVAL);
    /* A suffix needs a number in front of it. */
    assert_int_equal(parse("K", true, &v), -EINVAL);
    assert_int_equal(parse("M", true, &v), -EINVAL);
    assert_int_equal(parse("0xK", true, &v), -EINVAL);
}

static void reads_only_len_bytes(void **state)
{
    uint64_t v;
    assert_int_equal(parse_u64("12345", 2, false, &v), 0);
    assert_int_equal(v, 12);
    assert_int_equal(parse_u64("2Gxyz", 2, true, &v), 0);
    assert_int_equal(v, 2ull << 30);
    assert_int_equal(parse_u64("0x10", 1, false, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(parse_u64("7", 0, false, &v), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decimal_and_hex),
        cmocka_unit_test(rejects_malformed),
        cmocka_unit_test(range),
        cmocka_unit_test(suffixes),
        cmocka_unit_test(reads_only_len_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
