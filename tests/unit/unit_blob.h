/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Embeds a file generated at build time (a .dtb that dtc made from tests/unit/data/NAME.dts) into
 * a test binary, so a test never looks for files at run time.  The test's UNIT_CFLAGS must pass
 * -Wa,-I<directory of the file> and its UNIT_DEPS must name the file.
 */
#pragma once

#include <stdlib.h>
#include <string.h>

#define UNIT_BLOB(sym, file)                                                                       \
    __asm__(".pushsection .rodata\n.balign 16\n.globl " #sym "\n" #sym ":\n.incbin \"" file        \
            "\"\n.globl " #sym "_end\n" #sym "_end:\n.popsection\n");                              \
    extern const unsigned char sym[], sym##_end[]

/* A heap copy of exactly the blob's size: AddressSanitizer then catches any read past its end,
 * which it cannot do for the embedded original. */
static inline unsigned char *unit_blob_dup(const unsigned char *start, const unsigned char *end,
                                           size_t *len)
{
    size_t n = (size_t)(end - start);
    unsigned char *p = malloc(n ? n : 1);
    if (p)
        memcpy(p, start, n);
    if (len)
        *len = n;
    return p;
}
