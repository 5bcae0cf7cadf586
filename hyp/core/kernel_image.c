/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Linux arm64 Image files (Linux Documentation/arch/arm64/booting.rst): the 64-byte header
 * that says where the kernel goes and how much room it needs, and, for kernels with an EFI
 * stub, the PE/COFF header that says how many bytes of the file are the kernel.  Reads only
 * the file it is given, bounded by its size; keeps no state.
 */
#include <hyp/errno.h>
#include <hyp/kernel_image.h>
#include <hyp/string.h>

#define IMAGE_TEXT_OFFSET_OFF 8
#define IMAGE_SIZE_OFF 16
#define IMAGE_FLAGS_OFF 24
#define IMAGE_MAGIC_OFF 56
#define IMAGE_MAGIC 0x644d5241u /* "ARM\x64" */
#define IMAGE_PE_OFFSET_OFF 60  /* res5: where the PE header is, in EFI-stub kernels */
#define IMAGE_FLAG_BE 1u
/* Before Linux 3.17 the header had no image_size, and such kernels used this offset. */
#define IMAGE_OLD_TEXT_OFFSET 0x80000

/* PE/COFF (Microsoft PE format): "PE\0\0", then the 20-byte COFF header, the optional header
 * and the section table of 40-byte entries. */
#define PE_COFF_NR_SECTIONS_OFF 6 /* from the signature */
#define PE_COFF_OPT_SIZE_OFF 20
#define PE_SECTIONS_OFF 24 /* plus the optional header's size */
#define PE_SECTION_SIZE 40
#define PE_SECTION_RAW_SIZE_OFF 16
#define PE_SECTION_RAW_PTR_OFF 20

static uint64_t le(const uint8_t *p, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = bytes; i--;)
        v = v << 8 | p[i];
    return v;
}

static int truncated(char *why, size_t why_len, uint64_t file_size, uint64_t need)
{
    snprintf(why, why_len, "kernel truncated: the file has %lu bytes, its headers say %lu",
             file_size, need);
    return -ENOEXEC;
}

/*
 * Whether the file holds all the kernel its PE/COFF section table describes.  The arm64 header
 * alone cannot tell: its image_size counts the bss, which the file does not hold, and it says
 * nothing of how large the bss is, so a file of any size up to image_size may be whole (a small
 * kernel's bss can be many times its text and data).  An EFI stub's sections, though, give
 * each one's extent in the file exactly.  A file without a PE header passes.
 */
static int check_pe_sections(const uint8_t *img, uint64_t file_size, char *why, size_t why_len)
{
    if (img[0] != 'M' || img[1] != 'Z')
        return 0;
    uint64_t pe = le(img + IMAGE_PE_OFFSET_OFF, 4);
    if (pe + PE_SECTIONS_OFF > file_size)
        return truncated(why, why_len, file_size, pe + PE_SECTIONS_OFF);
    if (memcmp(img + pe, "PE\0\0", 4))
        return 0;
    uint64_t nr = le(img + pe + PE_COFF_NR_SECTIONS_OFF, 2);
    uint64_t table = pe + PE_SECTIONS_OFF + le(img + pe + PE_COFF_OPT_SIZE_OFF, 2);
    if (table + nr * PE_SECTION_SIZE > file_size)
        return truncated(why, why_len, file_size, table + nr * PE_SECTION_SIZE);
    uint64_t need = 0;
    for (uint64_t i = 0; i < nr; i++) {
        const uint8_t *s = img + table + i * PE_SECTION_SIZE;
        need = MAX(need, le(s + PE_SECTION_RAW_PTR_OFF, 4) + le(s + PE_SECTION_RAW_SIZE_OFF, 4));
    }
    return need > file_size ? truncated(why, why_len, file_size, need) : 0;
}

int kernel_image_check(const uint8_t *img, uint64_t file_size, struct kernel_image *ki, char *why,
                       size_t why_len)
{
    if (file_size < KERNEL_IMAGE_HEADER_SIZE || le(img + IMAGE_MAGIC_OFF, 4) != IMAGE_MAGIC) {
        snprintf(why, why_len, "kernel is not a Linux arm64 Image (bad magic)");
        return -ENOEXEC;
    }
    uint64_t image_size = le(img + IMAGE_SIZE_OFF, 8);
    if (le(img + IMAGE_FLAGS_OFF, 8) & IMAGE_FLAG_BE) {
        snprintf(why, why_len, "kernel is big-endian, which Keel does not run");
        return -ENOEXEC;
    }
    int rc = check_pe_sections(img, file_size, why, why_len);
    if (rc)
        return rc;
    if (!image_size) {
        /* No size: all we know is the file (and the text offset of the time). */
        *ki = (struct kernel_image){ IMAGE_OLD_TEXT_OFFSET, file_size };
        return 0;
    }
    /* A file larger than image_size holds more than the kernel; it is still loaded whole. */
    *ki = (struct kernel_image){ le(img + IMAGE_TEXT_OFFSET_OFF, 8), MAX(image_size, file_size) };
    return 0;
}
