/* SPDX-License-Identifier: Apache-2.0 */
/* Arm part of struct percpu. */
#pragma once

#include <hyp/types.h>

struct arch_percpu {
    /* Guest register frame of the vCPU being run; the lower-EL vectors save into it.  Must
     * stay at offset 0 of struct percpu (entry.S). */
    void *guest_regs;
    /* Iterations of the Spectre-BHB loop the exit vectors run on this CPU, if they run it
     * (spectre_boot.c); at PERCPU_BHB_LOOPS (entry.S). */
    uint64_t bhb_loops;
};
