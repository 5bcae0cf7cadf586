/* SPDX-License-Identifier: Apache-2.0 */
/* Build-time limits.  Sized for the servers and SoCs Keel targets; raising one costs only
 * memory. */
#pragma once

#define MAX_CPUS 16
#define CPU_STACK_SHIFT 14 /* 16 KiB hypervisor stack per physical CPU */
#define CPU_STACK_SIZE (1UL << CPU_STACK_SHIFT)
#define MAX_MEM_BANKS 16
/* Reserved ranges kept apart: a kernel and a ramdisk for each of 64 domains, the DTB and
 * firmware's.  More still work: the closest are merged, keeping a little free memory back
 * (bootinfo.c). */
#define MAX_RESERVED 136
/* RAM banks of one domain: two in the domU layout; dom0's RAM, mapped where the host has it,
 * comes in as few blocks as the allocator can give (the largest first). */
#define MAX_GUEST_RAM_BANKS 8
