/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Self-hosted debug from a test guest (Arm ARM D2, "AArch64 Self-hosted Debug"): the OS lock
 * and OS double lock registers, and one hardware breakpoint to see whether debug exceptions
 * reach this vCPU.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "arm.h"

#define OSLSR_OSLM1 (1UL << 3) /* OSLM = 0b10: the OS lock is implemented (Armv8) */
#define OSLSR_OSLK (1UL << 1)
#define OSDLR_DLK (1UL << 0)
#define EC_BREAKPOINT_CUR 0x31 /* breakpoint exception from the current EL */

static inline void os_lock_set(bool locked)
{
    write_sysreg(locked, oslar_el1);
    isb();
}

static inline uint64_t os_lock_status(void)
{
    return read_sysreg(oslsr_el1);
}

static inline void os_double_lock_set(bool locked)
{
    write_sysreg(locked, osdlr_el1);
    isb();
}

static inline uint64_t os_double_lock(void)
{
    return read_sysreg(osdlr_el1);
}

/* Whether the CPU implements the OS double lock (ID_AA64DFR0_EL1.DoubleLock = 0). */
static inline bool has_double_lock(void)
{
    return ((read_sysreg(id_aa64dfr0_el1) >> 36) & 0xf) == 0;
}

/* Arm breakpoint 0 on an instruction, enable debug exceptions at EL1 (MDSCR_EL1.KDE, MDE,
 * PSTATE.D clear), run that instruction, and put everything back.  Returns the exception class
 * of the exception taken at that instruction, -1 if none was taken, -2 if one was taken
 * elsewhere. */
int breakpoint_probe(void);
