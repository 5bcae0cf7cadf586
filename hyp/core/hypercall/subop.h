/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decoding a family's sub-operations (cmd, pointer to one argument struct), in the style of
 * seL4's decode-then-invoke: a table says each sub-op's argument size, direction and caller
 * class; the helper checks the class, copies the struct in, checks that the guest's copy can
 * be written back before anything changes, runs the sub-op on the kernel copy and copies it
 * out.  A sub-op's function therefore never touches guest memory for its argument.
 */
#pragma once

#include <hyp/domain.h>
#include <hyp/policy.h>

#define SUBOP_IN 1u  /* the struct is read from the guest */
#define SUBOP_OUT 2u /* and written back when the sub-op returns >= 0 */
#define SUBOP_MAX_ARG 256

struct subop {
    uint32_t cmd;
    uint16_t size;  /* of the argument struct; 0: the sub-op takes no struct */
    uint8_t flags;  /* SUBOP_IN | SUBOP_OUT */
    uint8_t caller; /* enum caller_class */
    long (*fn)(struct vcpu *v, void *arg);
    const char *name;
};

/* Run sub-op cmd (the guest's int: truncated to 32 bits) of tbl with its struct at arg.
 * -ENOSYS for a cmd not in tbl, -EPERM for a caller not allowed, -EFAULT for a struct that
 * cannot be read or written back, else what the sub-op returns. */
long subop_call(struct vcpu *v, const struct subop *tbl, size_t n, uint64_t cmd, uint64_t arg);
