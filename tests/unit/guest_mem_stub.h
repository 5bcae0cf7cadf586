/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Guest memory for host unit tests of hypercall decoding: guest addresses are host pointers,
 * readable unless in stub_mem.hole, writable unless also in stub_mem.ro.  The hole follows
 * readable memory (stub_mem.before), for an array that runs into it.  guest_mem_stub.c
 * provides copy_from_guest() and its kin over it.
 */
#ifndef TESTS_UNIT_GUEST_MEM_STUB_H
#define TESTS_UNIT_GUEST_MEM_STUB_H

#include <stdint.h>

struct stub_guest_mem {
    uint8_t before[64];
    uint8_t hole[256];
    uint8_t ro[256];
};

extern struct stub_guest_mem stub_mem;

#endif
