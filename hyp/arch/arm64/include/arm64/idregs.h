/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CPU identification registers as guests see them (idregs.c): read through HCR_EL2.TID3,
 * with the features Keel does not virtualize hidden.
 */
#pragma once

#include <hyp/types.h>

/* ID group 3 (op0 = 3, op1 = 0, CRn = 0): CRm 1..7, op2 0..7, numbered CRm * 8 + op2. */
#define IDREG_INDEX(crm, op2) ((crm)*8 + (op2))
#define IDREG_COUNT IDREG_INDEX(8, 0)

/* Boot CPU, once, before the first guest: take the host's values and sanitize them. */
void idregs_init(void);
/* A trapped guest read of system register sysreg_enc (SYSREG_ENC of the ISS): if it is one of
 * the ID registers, its guest value into *val and true. */
bool idregs_read(unsigned sysreg_enc, uint64_t *val);
/* The guest's value of ID register index given the host's (host-testable). */
uint64_t idregs_sanitize(unsigned index, uint64_t host);
