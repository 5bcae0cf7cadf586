/* Build-time limits.  Sized for the servers and SoCs Keel targets; raising one costs only
 * memory. */
#pragma once

#define MAX_CPUS 16
#define CPU_STACK_SHIFT 14 /* 16 KiB hypervisor stack per physical CPU */
#define CPU_STACK_SIZE (1UL << CPU_STACK_SHIFT)
#define MAX_MEM_BANKS 16
#define MAX_RESERVED 32
#define MAX_BOOT_MODULES 32
