/* SPDX-License-Identifier: Apache-2.0 */
/* Basic freestanding types shared by every part of the hypervisor. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Host physical address.  Keel maps RAM 1:1 at EL2, so a host physical address of RAM is also
 * the pointer value that reaches it (see docs/architecture.md, "Memory"). */
typedef uint64_t paddr_t;

/* Guest physical address: a separate struct so it can never be passed where a host one is
 * expected. */
struct gpa {
    uint64_t a;
};

#define GPA(x) ((struct gpa){ .a = (x) })

/* A range of addresses: host-physical or guest-physical, as the user says. */
struct mem_range {
    uint64_t base;
    uint64_t size;
};

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))

#define KiB(x) ((uint64_t)(x) << 10)
#define MiB(x) ((uint64_t)(x) << 20)
#define GiB(x) ((uint64_t)(x) << 30)

#define ALIGN_UP(x, a) (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define BIT(n) (1UL << (n))

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))
