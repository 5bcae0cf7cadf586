/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rest of Keel as the vGIC's host tests see it (vgic_doubles.c), shared by
 * tests/unit/test_vgic.c, test_vgic_passthru.c and tests/fuzz/host/fuzz_vgic.c: vcpu_kick
 * records the kicked vCPUs in kicked, arch_vcpu_hwid numbers vCPUs as arch/arm64/vcpu.c does,
 * the heap is calloc/free, log lines are dropped and panic aborts.
 */
#pragma once

#include <stdint.h>

extern uint64_t kicked; /* bit per vCPU id; the test clears it */
