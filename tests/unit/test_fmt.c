/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the hypervisor's vsnprintf (hyp/lib/fmt.c, linked as keel_snprintf): a table
 * of conversions, flags, widths, precisions and length modifiers checked against the host C
 * library at every buffer size, then Keel's own documented choices (%p, unknown conversions).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

int keel_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int keel_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/*
 * Same text and same return value as the C library, with the full buffer and with every
 * smaller size: output cut to size - 1 bytes, always terminated, nothing written past size.
 */
#define SAME(...)                                                                                  \
    do {                                                                                           \
        char want_[256], got_[256];                                                                \
        int wn_ = snprintf(want_, sizeof(want_), __VA_ARGS__);                                     \
        int gn_ = keel_snprintf(got_, sizeof(got_), __VA_ARGS__);                                  \
        assert_string_equal(got_, want_);                                                          \
        assert_int_equal(gn_, wn_);                                                                \
        for (size_t sz_ = 0; sz_ <= (size_t)wn_ + 1; sz_++) {                                      \
            memset(got_, 0x55, sizeof(got_));                                                      \
            assert_int_equal(keel_snprintf(got_, sz_, __VA_ARGS__), wn_);                          \
            if (sz_) {                                                                             \
                size_t keep_ = sz_ - 1 < (size_t)wn_ ? sz_ - 1 : (size_t)wn_;                      \
                assert_memory_equal(got_, want_, keep_);                                           \
                assert_int_equal(got_[keep_], 0);                                                  \
            }                                                                                      \
            assert_int_equal((unsigned char)got_[sz_], 0x55);                                      \
        }                                                                                          \
    } while (0)

static void plain_text_and_percent(void **state)
{
    SAME("%s", "");
    SAME("hello, world");
    SAME("100%%");
    SAME("%%%d%%", 5);
    SAME("a%cb", 'x');
}

static void signed_decimal(void **state)
{
    SAME("%d", 0);
    SAME("%d", 42);
    SAME("%i", -42);
    SAME("%d", INT_MAX);
    SAME("%d", INT_MIN);
    SAME("%5d|%-5d|%05d", 42, 42, -42);
    SAME("%+d %+d % d % d %+ d", 5, -5, 5, -5, 5);
    SAME("% 5d|%+05d|%-+5d|", 5, 5, 5);
    SAME("%.3d|%8.3d|%-8.3d|%08.3d", 7, -7, 7, 7);
    SAME("[%.0d][%5.0d][%.0d]", 0, 0, 1);
    SAME("%ld %ld", LONG_MIN, LONG_MAX);
    SAME("%lld", LLONG_MIN);
    SAME("%jd %td %zd", (intmax_t)INT64_MIN, (ptrdiff_t)-5, (ssize_t)-1);
    SAME("%hd %hd %hhd %hhd", (short)-3, (short)32767, (signed char)-128, (signed char)100);
}

static void unsigned_conversions(void **state)
{
    SAME("%u %u", 0u, UINT_MAX);
    SAME("%x %X %o", 0xdeadbeefu, 0xdeadbeefu, 8u);
    SAME("%lu %lx %llo", ULONG_MAX, ULONG_MAX, ULLONG_MAX);
    SAME("%zu %ju", SIZE_MAX, UINTMAX_MAX);
    SAME("%hu %hx %hhu %hhx", (unsigned short)65535, (unsigned short)0x1234, (unsigned char)255,
         (unsigned char)0xab);
    SAME("%8x|%-8x|%08x|%.6x|%08.3x", 0x1fu, 0x1fu, 0x1fu, 0x1fu, 0x1fu);
    /* '+' and ' ' only apply to signed conversions. */
    SAME("%+u % u %+x % X %+o", 5u, 5u, 255u, 255u, 8u);
}

static void alternate_forms(void **state)
{
    SAME("%#x %#X %#08x %#-8x| %#.4x", 255u, 255u, 255u, 255u, 255u);
    /* No 0x for zero (C11 7.21.6.1). */
    SAME("[%#x][%#5x][%#.0x]", 0u, 0u, 0u);
    /* Octal: the precision grows just enough for a leading 0. */
    SAME("%#o %#o %#.3o %#5o %#05o %#.0o", 8u, 0u, 8u, 8u, 8u, 0u);
    SAME("%#lx %#llo", 0x1234UL, 0777ULL);
}

static void characters_and_strings(void **state)
{
    SAME("%3c|%-3c|", 'a', 'b');
    SAME("%s|%10s|%-10s|", "abc", "abc", "abc");
    SAME("%.2s|%10.3s|%-6.1s|%.0s|", "hello", "hello", "hello", "hello");
    SAME("%.10s", "short");
}

static void star_width_and_precision(void **state)
{
    SAME("%*d|%-*d|%*d|", 5, 42, 5, 42, -5, 42);
    SAME("%.*d|%.*d|%*.*d|", 3, 7, -1, 7, 6, 3, 7);
    SAME("%.*s|%*s|", 2, "hello", 4, "x");
}

static void pointers(void **state)
{
    void *p = (void *)(uintptr_t)0xffff800012345678ull;
    SAME("%p", p);
    SAME("%20p|%-20p|", p, p);
    SAME("%p", (void *)1);
}

/* Choices where Keel differs from (or the C library leaves) the standard. */
static void keel_specific(void **state)
{
    char buf[64];
    const char *fmt; /* not a literal: these would trip -Wformat */
    assert_int_equal(keel_snprintf(buf, sizeof(buf), "%p", (void *)0), 3);
    assert_string_equal(buf, "0x0");
    assert_int_equal(keel_snprintf(buf, sizeof(buf), "%s", (char *)0), 6);
    assert_string_equal(buf, "(null)");
    fmt = "a%yb";
    assert_int_equal(keel_snprintf(buf, sizeof(buf), fmt, 1), 4);
    assert_string_equal(buf, "a%yb");
    /* %n writes nothing anywhere: it is printed, not executed. */
    fmt = "%n%d";
    keel_snprintf(buf, sizeof(buf), fmt, 7);
    assert_string_equal(buf, "%n7");
    fmt = "abc%";
    assert_int_equal(keel_snprintf(buf, sizeof(buf), fmt), 3);
    assert_string_equal(buf, "abc");
    fmt = "x%-l";
    keel_snprintf(buf, sizeof(buf), fmt);
    assert_string_equal(buf, "x");
    /* size 0: nothing written, not even the terminator, and buf may be NULL. */
    assert_int_equal(keel_snprintf(NULL, 0, "%d", 12345), 5);
}

/* Widths and precisions past any sane value saturate instead of overflowing an int. */
static void absurd_fields(void **state)
{
    char buf[16];
    const char *fmt = "%99999999999999999999d|";
    int n = keel_snprintf(buf, sizeof(buf), fmt, 1);
    assert_true(n > 1000);
    assert_int_equal(strlen(buf), sizeof(buf) - 1);
    fmt = "%.99999999999999999999d|";
    n = keel_snprintf(buf, sizeof(buf), fmt, 1);
    assert_true(n > 1000);
    assert_int_equal(buf[0], '0');
    n = keel_snprintf(buf, sizeof(buf), "%*d", INT_MIN, 1);
    assert_true(n > 1000);
    assert_int_equal(buf[0], '1'); /* negative width means left-justified */
}

static int via_v(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int via_v(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = keel_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

static void vsnprintf_entry(void **state)
{
    char buf[32];
    assert_int_equal(via_v(buf, sizeof(buf), "%s=%#lx", "pa", 0x4000UL), 9);
    assert_string_equal(buf, "pa=0x4000");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_text_and_percent),
        cmocka_unit_test(signed_decimal),
        cmocka_unit_test(unsigned_conversions),
        cmocka_unit_test(alternate_forms),
        cmocka_unit_test(characters_and_strings),
        cmocka_unit_test(star_width_and_precision),
        cmocka_unit_test(pointers),
        cmocka_unit_test(keel_specific),
        cmocka_unit_test(absurd_fields),
        cmocka_unit_test(vsnprintf_entry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
