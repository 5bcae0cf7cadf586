/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Linux arm64 Image files as boot modules: where a kernel goes in its domain's memory, how much
 * room it needs, and whether the file is whole.  Pure logic over the bytes of the file.
 */
#pragma once

#include <hyp/types.h>

/* The header is 64 bytes; a file that does not even hold it is no Image. */
#define KERNEL_IMAGE_HEADER_SIZE 64

struct kernel_image {
    uint64_t text_offset; /* load offset from a 2 MiB aligned base */
    uint64_t size;        /* bytes from there the kernel may use: image_size, bss included */
};

/*
 * Check the Image file of file_size bytes at img and fill *ki.  Returns 0, or -ENOEXEC after
 * writing why (a sentence without a final newline) into why[why_len]: not an arm64 Image, a
 * big-endian one, or a file shorter than its own headers say (truncated).
 */
int kernel_image_check(const uint8_t *img, uint64_t file_size, struct kernel_image *ki, char *why,
                       size_t why_len);
