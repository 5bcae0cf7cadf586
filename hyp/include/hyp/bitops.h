/* SPDX-License-Identifier: Apache-2.0 */
/* Bit counting for 64-bit masks (CPU sets, bitmaps).  Pure functions. */
#pragma once

#include <hyp/types.h>

/* Set bits of x (the EL2 build has no libgcc for __builtin_popcountll). */
static inline unsigned popcount64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555UL);
    x = (x & 0x3333333333333333UL) + ((x >> 2) & 0x3333333333333333UL);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fUL;
    return (unsigned)((x * 0x0101010101010101UL) >> 56);
}
