/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for keel-fbback's checks of what a vfb/vkbd frontend writes (fbcheck.c): ring
 * indices that run ahead or behind (with wrap-around), page-directory sizes, geometries that do
 * not fit the framebuffer memory or overflow, update rectangles to clip or refuse, and the PPM
 * conversion of snapshots. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../dom0/keel-fbback/fbcheck.h"
#include "../../dom0/keel-fbback/fbif.h"
#include "../../dom0/keel-fbback/keysym.h"

static void test_ring_pending(void **state)
{
    (void)state;
    assert_int_equal(ring_pending(0, 0, 51), 0);
    assert_int_equal(ring_pending(51, 0, 51), 51);
    assert_int_equal(ring_pending(52, 0, 51), -1);            /* producer ran past the ring */
    assert_int_equal(ring_pending(0, 1, 51), -1);             /* consumer ahead of producer */
    assert_int_equal(ring_pending(3, UINT32_MAX - 1, 51), 5); /* indices wrap */
    assert_int_equal(ring_pending(UINT32_MAX, 0, 51), -1);
}

static void test_ring_space(void **state)
{
    (void)state;
    assert_int_equal(ring_space(0, 0, 51), 51);
    assert_int_equal(ring_space(51, 0, 51), 0);
    assert_int_equal(ring_space(10, 11, 51), -1); /* the peer consumed what was never made */
    assert_int_equal(ring_space(60, 0, 51), -1);
    assert_int_equal(ring_space(2, UINT32_MAX, 51), 48);
}

static void test_page_counts(void **state)
{
    unsigned pages = 0, pds = 0;

    (void)state;
    assert_int_equal(fb_page_counts(2u << 20, FBIF_PD_MAX, &pages, &pds), 0);
    assert_int_equal(pages, 512);
    assert_int_equal(pds, 1);
    assert_int_equal(fb_page_counts(4097, FBIF_PD_MAX, &pages, &pds), 0);
    assert_int_equal(pages, 2);
    assert_int_equal(fb_page_counts(0, FBIF_PD_MAX, &pages, &pds), -1);
    assert_int_equal(fb_page_counts(FB_MAX_MEM + 1, FBIF_PD_MAX, &pages, &pds), -1);
    assert_int_equal(fb_page_counts(UINT32_MAX, FBIF_PD_MAX, &pages, &pds), -1);
    /* 3 MiB needs two directory pages of 512 entries */
    assert_int_equal(fb_page_counts(3u << 20, 1, &pages, &pds), -1);
    assert_int_equal(fb_page_counts(3u << 20, 2, &pages, &pds), 0);
    assert_int_equal(pds, 2);
    /* the directory entries stop where the "in" ring starts */
    assert_int_equal(FBIF_PD_MAX, 123);
}

static void test_geom(void **state)
{
    const char *why = NULL;
    struct fb_geom g = { 800, 600, 3200, 32, 0 };

    (void)state;
    assert_true(fb_geom_valid(&g, 2u << 20, &why));
    assert_false(fb_geom_valid(&g, 800 * 600 * 4 - 1, &why));
    assert_non_null(strstr(why, "beyond"));
    g.depth = 8;
    assert_false(fb_geom_valid(&g, 2u << 20, &why));
    g = (struct fb_geom){ 800, 600, 3199, 32, 0 };
    assert_false(fb_geom_valid(&g, 2u << 20, &why));
    assert_non_null(strstr(why, "stride"));
    g = (struct fb_geom){ -1, 600, 3200, 32, 0 };
    assert_false(fb_geom_valid(&g, 2u << 20, &why));
    g = (struct fb_geom){ 800, 0, 3200, 32, 0 };
    assert_false(fb_geom_valid(&g, 2u << 20, &why));
    /* stride * height and the offset must not wrap around 32 bits */
    g = (struct fb_geom){ 16384, 16384, UINT32_MAX, 32, 0 };
    assert_false(fb_geom_valid(&g, UINT32_MAX, &why));
    g = (struct fb_geom){ 800, 600, 3200, 32, UINT32_MAX - 100 };
    assert_false(fb_geom_valid(&g, UINT32_MAX, &why));
    g = (struct fb_geom){ 800, 600, 1600, 16, 4096 };
    assert_true(fb_geom_valid(&g, 4096 + 1600 * 600, &why));
}

static void test_rect_clip(void **state)
{
    int32_t x = 10, y = 20, w = 30, h = 40;

    (void)state;
    assert_true(fb_rect_clip(&x, &y, &w, &h, 800, 600));
    assert_int_equal(x, 10);
    assert_int_equal(w, 30);
    x = -10, y = -20, w = 30, h = 40;
    assert_true(fb_rect_clip(&x, &y, &w, &h, 800, 600));
    assert_int_equal(x, 0);
    assert_int_equal(y, 0);
    assert_int_equal(w, 20);
    assert_int_equal(h, 20);
    x = 790, y = 590, w = 100, h = 100;
    assert_true(fb_rect_clip(&x, &y, &w, &h, 800, 600));
    assert_int_equal(w, 10);
    assert_int_equal(h, 10);
    x = 800, y = 0, w = 1, h = 1;
    assert_false(fb_rect_clip(&x, &y, &w, &h, 800, 600));
    x = 0, y = 0, w = -5, h = 10;
    assert_false(fb_rect_clip(&x, &y, &w, &h, 800, 600));
    x = INT32_MAX, y = INT32_MAX, w = INT32_MAX, h = INT32_MAX; /* no overflow */
    assert_false(fb_rect_clip(&x, &y, &w, &h, 800, 600));
    x = INT32_MIN, y = INT32_MIN, w = INT32_MAX, h = INT32_MAX;
    assert_false(fb_rect_clip(&x, &y, &w, &h, 800, 600));
}

static void test_ppm(void **state)
{
    /* 2 x 2, 32 bits, stride 12 (4 bytes of padding a line), offset 4 */
    static const uint8_t fb[4 + 24] = { 0,    0,    0,    0, 0x01, 0x02, 0x03, 0xff, 0x04, 0x05,
                                        0x06, 0,    9,    9, 9,    9,    0x07, 0x08, 0x09, 0,
                                        0x0a, 0x0b, 0x0c, 0, 9,    9,    9,    9 };
    struct fb_geom g = { 2, 2, 12, 32, 4 };
    static const char want[] = "P6\n2 2\n255\n\x03\x02\x01\x06\x05\x04\x09\x08\x07\x0c\x0b\x0a";
    uint8_t out[64];

    (void)state;
    assert_int_equal(fb_ppm_size(&g), sizeof(want) - 1);
    assert_int_equal(fb_to_ppm(&g, fb, sizeof(fb), out), 0);
    assert_memory_equal(out, want, sizeof(want) - 1);
    /* a geometry beyond the mapped bytes is refused, not read */
    assert_int_equal(fb_to_ppm(&g, fb, sizeof(fb) - 5, out), -1);
}

static void test_ppm_16(void **state)
{
    static const uint8_t fb[2] = { 0x1f, 0xf8 }; /* red 0x1f, blue 0x1f, green 0 */
    struct fb_geom g = { 1, 1, 2, 16, 0 };
    uint8_t out[32];
    size_t n = fb_ppm_size(&g);

    (void)state;
    assert_int_equal(fb_to_ppm(&g, fb, sizeof(fb), out), 0);
    assert_int_equal(out[n - 3], 0xf8);
    assert_int_equal(out[n - 2], 0);
    assert_int_equal(out[n - 1], 0xf8);
}

static void test_keysyms(void **state)
{
    (void)state;
    assert_int_equal(keysym_to_key('a'), 30);
    assert_int_equal(keysym_to_key('A'), 30);
    assert_int_equal(keysym_to_key('z'), 44);
    assert_int_equal(keysym_to_key('1'), 2);
    assert_int_equal(keysym_to_key('0'), 11);
    assert_int_equal(keysym_to_key(0xff0d), 28); /* Return */
    assert_int_equal(keysym_to_key(0xffe1), 42); /* Shift_L */
    assert_int_equal(keysym_to_key(0xffbe), 59); /* F1 */
    assert_int_equal(keysym_to_key(0xffc7), 68); /* F10 */
    assert_int_equal(keysym_to_key(0x20ac), 0);  /* the euro sign: no key here */
    assert_int_equal(keysym_to_key(0xffffffff), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring_pending), cmocka_unit_test(test_ring_space),
        cmocka_unit_test(test_page_counts),  cmocka_unit_test(test_geom),
        cmocka_unit_test(test_rect_clip),    cmocka_unit_test(test_ppm),
        cmocka_unit_test(test_ppm_16),       cmocka_unit_test(test_keysyms),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
