/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for Linux arm64 Image checks (hyp/core/kernel_image.c): headers written here byte
 * by byte, with and without an EFI stub's PE/COFF header, whole and truncated at every point
 * that matters.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hyp/errno.h>
#include <hyp/kernel_image.h>

#define FILE_SIZE 0x30000 /* text and data of the made-up kernels */
#define IMAGE_SIZE 0x80000
#define PE_OFFSET 0x40
#define SECTIONS (PE_OFFSET + 24 + 160) /* the optional header of a PE32+ image: 160 bytes */

static uint8_t img[FILE_SIZE];
static char why[160];

static void put(uint8_t *p, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* A kernel without an EFI stub: code, text_offset, image_size, flags (LE, 4K), magic. */
static void plain_image(uint64_t text_offset, uint64_t image_size)
{
    memset(img, 0, sizeof(img));
    put(img, 0x14000010, 4); /* b +64 */
    put(img + 8, text_offset, 8);
    put(img + 16, image_size, 8);
    put(img + 24, 0xa, 8);
    memcpy(img + 56, "ARM\x64", 4);
}

/* The same with an EFI stub: "MZ", the PE header at 0x40 and two sections, .text from 0x10000
 * and .data after it, whose raw data end exactly at FILE_SIZE. */
static void efi_image(void)
{
    plain_image(0, IMAGE_SIZE);
    memcpy(img, "MZ", 2);
    put(img + 60, PE_OFFSET, 4);
    memcpy(img + PE_OFFSET, "PE\0\0", 4);
    put(img + PE_OFFSET + 4, 0xaa64, 2); /* machine: arm64 */
    put(img + PE_OFFSET + 6, 2, 2);      /* sections */
    put(img + PE_OFFSET + 20, 160, 2);   /* optional header size */
    static const char *const names[] = { ".text", ".data" };
    static const uint32_t raw[2][2] = { { 0x10000, 0x18000 }, { 0x28000, 0x8000 } };
    for (unsigned i = 0; i < 2; i++) {
        uint8_t *s = img + SECTIONS + 40 * i;
        memcpy(s, names[i], strlen(names[i]));
        put(s + 8, raw[i][1], 4);  /* virtual size */
        put(s + 12, raw[i][0], 4); /* virtual address */
        put(s + 16, raw[i][1], 4); /* raw size */
        put(s + 20, raw[i][0], 4); /* raw pointer */
    }
}

static int check(uint64_t size, struct kernel_image *ki)
{
    why[0] = 0;
    return kernel_image_check(img, size, ki, why, sizeof(why));
}

static void plain_kernels(void **state)
{
    struct kernel_image ki;
    plain_image(0, IMAGE_SIZE);
    assert_int_equal(check(FILE_SIZE, &ki), 0);
    assert_int_equal(ki.text_offset, 0);
    assert_int_equal(ki.size, IMAGE_SIZE);
    /* Without a PE header the file's length says nothing: a bss 100 times the file is legal. */
    assert_int_equal(check(KERNEL_IMAGE_HEADER_SIZE + 0x1000, &ki), 0);
    assert_int_equal(ki.size, IMAGE_SIZE);
    /* A file longer than image_size is loaded whole. */
    plain_image(0x80000, 0x1000);
    assert_int_equal(check(FILE_SIZE, &ki), 0);
    assert_int_equal(ki.text_offset, 0x80000);
    assert_int_equal(ki.size, FILE_SIZE);
    /* Before Linux 3.17: no image_size, text_offset 0x80000 whatever the field says. */
    plain_image(0x1234, 0);
    assert_int_equal(check(FILE_SIZE, &ki), 0);
    assert_int_equal(ki.text_offset, 0x80000);
    assert_int_equal(ki.size, FILE_SIZE);
}

static void not_images(void **state)
{
    struct kernel_image ki;
    plain_image(0, IMAGE_SIZE);
    assert_int_equal(check(KERNEL_IMAGE_HEADER_SIZE - 1, &ki), -ENOEXEC);
    assert_non_null(strstr(why, "bad magic"));
    img[59] = 0x65;
    assert_int_equal(check(FILE_SIZE, &ki), -ENOEXEC);
    assert_non_null(strstr(why, "not a Linux arm64 Image"));
    plain_image(0, IMAGE_SIZE);
    img[24] |= 1;
    assert_int_equal(check(FILE_SIZE, &ki), -ENOEXEC);
    assert_non_null(strstr(why, "big-endian"));
}

static void efi_stub_kernels(void **state)
{
    struct kernel_image ki;
    efi_image();
    assert_int_equal(check(FILE_SIZE, &ki), 0);
    assert_int_equal(ki.size, IMAGE_SIZE);
    /* One byte short of the last section's data (issue 12, item 6: Debian's Image cut to
     * 100 KiB was run). */
    assert_int_equal(check(FILE_SIZE - 1, &ki), -ENOEXEC);
    assert_string_equal(why, "kernel truncated: the file has 196607 bytes, its headers say 196608");
    assert_int_equal(check(0x10000, &ki), -ENOEXEC);
    /* Cut inside the section table, and before the PE header itself. */
    assert_int_equal(check(SECTIONS + 40, &ki), -ENOEXEC);
    assert_non_null(strstr(why, "truncated"));
    assert_int_equal(check(KERNEL_IMAGE_HEADER_SIZE, &ki), -ENOEXEC);
    assert_non_null(strstr(why, "its headers say 88"));
    /* "MZ" whose offset leads to no PE signature: nothing more to check. */
    memcpy(img + PE_OFFSET, "XX", 2);
    assert_int_equal(check(0x1000, &ki), 0);
    /* Section pointers near 2^32 do not wrap. */
    efi_image();
    put(img + SECTIONS + 40 + 16, 0xffffffff, 4);
    put(img + SECTIONS + 40 + 20, 0xffffffff, 4);
    assert_int_equal(check(FILE_SIZE, &ki), -ENOEXEC);
    assert_non_null(strstr(why, "its headers say 8589934590"));
    /* The PE offset at the very end of the 32-bit range. */
    efi_image();
    put(img + 60, 0xffffffff, 4);
    assert_int_equal(check(FILE_SIZE, &ki), -ENOEXEC);
}

/* Every truncation of a file with a stub is refused, and every length of one without passes. */
static void every_length(void **state)
{
    struct kernel_image ki;
    efi_image();
    for (uint64_t n = 0; n < FILE_SIZE; n += 97)
        assert_int_equal(check(n, &ki), -ENOEXEC);
    plain_image(0, IMAGE_SIZE);
    for (uint64_t n = KERNEL_IMAGE_HEADER_SIZE; n <= FILE_SIZE; n += 97)
        assert_int_equal(check(n, &ki), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_kernels),
        cmocka_unit_test(not_images),
        cmocka_unit_test(efi_stub_kernels),
        cmocka_unit_test(every_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
