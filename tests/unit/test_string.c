/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the freestanding memory and string routines (hyp/lib/string.c, linked under
 * keel_ names): every source/destination alignment and length around the 8-byte fast paths,
 * overlapping moves, guard bytes, and the sign and bound rules of the comparisons.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

void *keel_memcpy(void *dst, const void *src, size_t n);
void *keel_memmove(void *dst, const void *src, size_t n);
void *keel_memset(void *dst, int c, size_t n);
int keel_memcmp(const void *a, const void *b, size_t n);
size_t keel_strlen(const char *s);
size_t keel_strnlen(const char *s, size_t max);
int keel_strcmp(const char *a, const char *b);
int keel_strncmp(const char *a, const char *b, size_t n);
char *keel_strchr(const char *s, int c);
size_t keel_strlcpy(char *dst, const char *src, size_t size);

#define BUF 96
#define GUARD 0xa5

static void pattern(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(i * 7 + seed * 13 + 1);
}

static int sign(int x)
{
    return (x > 0) - (x < 0);
}

/* Every alignment of both pointers (the 8-byte path needs both aligned), lengths across it. */
static void memcpy_alignments(void **state)
{
    _Alignas(8) unsigned char src[BUF], dst[BUF];
    pattern(src, BUF, 1);
    for (size_t so = 0; so < 9; so++)
        for (size_t d = 0; d < 9; d++)
            for (size_t n = 0; n + 9 < BUF - 9; n++) {
                memset(dst, GUARD, BUF);
                assert_ptr_equal(keel_memcpy(dst + d, src + so, n), dst + d);
                assert_memory_equal(dst + d, src + so, n);
                for (size_t i = 0; i < d; i++)
                    assert_int_equal(dst[i], GUARD);
                for (size_t i = d + n; i < BUF; i++)
                    assert_int_equal(dst[i], GUARD);
            }
}

/* Both directions of overlap at every distance, checked against a copy made through a
 * separate buffer. */
static void memmove_overlaps(void **state)
{
    _Alignas(8) unsigned char buf[BUF], want[BUF], tmp[BUF];
    for (size_t from = 0; from < 20; from++)
        for (size_t to = 0; to < 20; to++)
            for (size_t n = 0; n <= 40; n++) {
                pattern(buf, BUF, (unsigned)(from + to));
                memcpy(want, buf, BUF);
                memcpy(tmp, buf + from, n);
                memcpy(want + to, tmp, n);
                assert_ptr_equal(keel_memmove(buf + to, buf + from, n), buf + to);
                assert_memory_equal(buf, want, BUF);
            }
}

static void memset_alignments(void **state)
{
    _Alignas(8) unsigned char buf[BUF];
    for (size_t d = 0; d < 9; d++)
        for (size_t n = 0; d + n < BUF - 8; n++) {
            memset(buf, GUARD, BUF);
            /* Only the low byte of c counts. */
            assert_ptr_equal(keel_memset(buf + d, 0x13c, n), buf + d);
            for (size_t i = 0; i < BUF; i++)
                assert_int_equal(buf[i], i >= d && i < d + n ? 0x3c : GUARD);
        }
}

static void memcmp_sign_and_bounds(void **state)
{
    assert_int_equal(keel_memcmp("abc", "abd", 0), 0);
    assert_int_equal(keel_memcmp("abc", "abd", 2), 0);
    assert_true(keel_memcmp("abc", "abd", 3) < 0);
    assert_true(keel_memcmp("abd", "abc", 3) > 0);
    /* Bytes compare as unsigned char. */
    assert_true(keel_memcmp("\x80", "\x01", 1) > 0);
    assert_true(keel_memcmp("a\0x", "a\0y", 3) < 0); /* NULs are not terminators */
    unsigned char a[BUF], b[BUF];
    pattern(a, BUF, 3);
    for (size_t i = 0; i < BUF; i++) {
        memcpy(b, a, BUF);
        b[i] ^= 0x40;
        assert_int_equal(sign(keel_memcmp(a, b, BUF)), sign(memcmp(a, b, BUF)));
        assert_int_equal(keel_memcmp(a, b, i), 0);
    }
}

static void string_lengths(void **state)
{
    assert_int_equal(keel_strlen(""), 0);
    assert_int_equal(keel_strlen("keel"), 4);
    assert_int_equal(keel_strnlen("keel", 2), 2);
    assert_int_equal(keel_strnlen("keel", 10), 4);
    assert_int_equal(keel_strnlen("keel", 0), 0);
    /* strnlen must stop at max on an unterminated buffer (ASan checks the heap bound). */
    char *p = malloc(5);
    memcpy(p, "abcde", 5);
    assert_int_equal(keel_strnlen(p, 5), 5);
    free(p);
}

static void string_compares(void **state)
{
    static const char *const words[] = { "", "a", "ab", "abc", "abd", "b", "\xff", "A" };
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        for (size_t j = 0; j < sizeof(words) / sizeof(words[0]); j++) {
            assert_int_equal(sign(keel_strcmp(words[i], words[j])),
                             sign(strcmp(words[i], words[j])));
            for (size_t n = 0; n < 5; n++)
                assert_int_equal(sign(keel_strncmp(words[i], words[j], n)),
                                 sign(strncmp(words[i], words[j], n)));
        }
    /* strncmp reads neither string past the first NUL or n bytes. */
    char *p = malloc(3);
    memcpy(p, "xyz", 3);
    assert_int_equal(keel_strncmp(p, "xyz", 3), 0);
    assert_true(keel_strncmp(p, "xy", 3) > 0);
    free(p);
}

static void strchr_finds(void **state)
{
    const char *s = "hello";
    assert_ptr_equal(keel_strchr(s, 'l'), s + 2);
    assert_ptr_equal(keel_strchr(s, 'h'), s);
    assert_ptr_equal(keel_strchr(s, 0), s + 5);
    assert_null(keel_strchr(s, 'z'));
    assert_ptr_equal(keel_strchr(s, 'o' + 256), s + 4); /* converted to char */
    const char *hi = "a\xe9";
    assert_ptr_equal(keel_strchr(hi, 0xe9), hi + 1); /* a byte above 0x7f, passed as an int */
}

static void strlcpy_truncates(void **state)
{
    char buf[8];
    memset(buf, GUARD, sizeof(buf));
    assert_int_equal(keel_strlcpy(buf, "hypervisor", sizeof(buf)), 10);
    assert_string_equal(buf, "hypervi");
    assert_int_equal(keel_strlcpy(buf, "ok", sizeof(buf)), 2);
    assert_string_equal(buf, "ok");
    memset(buf, GUARD, sizeof(buf));
    assert_int_equal(keel_strlcpy(buf, "abc", 0), 3); /* size 0 writes nothing */
    assert_int_equal((unsigned char)buf[0], GUARD);
    assert_int_equal(keel_strlcpy(buf, "abc", 1), 3);
    assert_string_equal(buf, "");
    assert_int_equal((unsigned char)buf[1], GUARD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(memcpy_alignments), cmocka_unit_test(memmove_overlaps),
        cmocka_unit_test(memset_alignments), cmocka_unit_test(memcmp_sign_and_bounds),
        cmocka_unit_test(string_lengths),    cmocka_unit_test(string_compares),
        cmocka_unit_test(strchr_finds),      cmocka_unit_test(strlcpy_truncates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
