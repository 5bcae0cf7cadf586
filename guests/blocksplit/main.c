/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A domain's own RAM must stay usable while Keel changes how it is mapped.  Taking one page out
 * of RAM mapped as a 2 MiB block (the balloon; Linux's privcmd and back ends balloon out pages
 * to map foreign ones there) makes Keel replace the block by a table of pages, which the Arm
 * ARM's break-before-make rule lets it do only through an invalid entry: for that moment every
 * other vCPU touching the block takes a stage-2 translation fault on RAM that is the domain's
 * all along.  Such a fault must be retried, never treated as emulated MMIO (an abort into the
 * guest: what killed a Linux dom0 on its own IRQ stack during `xl create`).
 *
 * vCPU 1 loads and stores pairs (no syndrome), single registers (with one), fetches
 * instructions and has Keel write hypercall results all over a block while vCPU 0 populates it fresh, takes page 1 out of it (the
 * split) and gives the block back, round after round.  An abort on vCPU 1 is an unexpected
 * exception: a failed check and the end of the guest.  Runs as a lone domU with 2 vCPUs.
 */
#include <xen/memory.h>
#include <xen/version.h>
#include "arm.h"
#include "console.h"
#include "guest.h"
#include "platform.h"
#include "smccc.h"
#include "test.h"
#include "xen.h"

const char guest_name[] = "blocksplit";

#define ROUNDS 300
#define BLOCK (2UL << 20)
#define PAGES (BLOCK / 4096)
#define SPLIT_PAGE 1 /* the page taken out: vCPU 1 never touches it */
#define CODE_PAGE 2  /* holds a RET that vCPU 1 calls */

static uint8_t argpage[4096] __attribute__((aligned(4096)));
static uint64_t block;              /* the block's address (identity-mapped RAM) */
static unsigned long cmd, seen;     /* odd: vCPU 1 hammers (round (cmd - 1) / 2); even: stop */
static unsigned long accesses, off; /* vCPU 1's accesses; whether it has powered off */

static long resv(unsigned op, uint64_t gfn, unsigned order)
{
    xen_pfn_t *list = (void *)argpage;
    struct xen_memory_reservation *r = (void *)(argpage + 512);
    list[0] = gfn;
    *r = (struct xen_memory_reservation){
        .extent_start = (uintptr_t)list, .nr_extents = 1, .extent_order = order, .domid = DOMID_SELF
    };
    return xen_hypercall(HYPERVISOR_memory_op, op, (uintptr_t)r, 0, 0, 0);
}

/* One access of each kind to page i of the block. */
static void hammer(unsigned i)
{
    volatile uint64_t *p = (volatile uint64_t *)(block + i * 4096UL + (i % 8) * 64);
    uint64_t a, b;
    __asm__ volatile("ldp %0, %1, [%2]" : "=r"(a), "=r"(b) : "r"(p) : "memory");
    if (i != CODE_PAGE) /* a store there would make QEMU throw away the RET's translation */
        __asm__ volatile("stp %0, %1, [%2]" ::"r"(a + 1), "r"(b), "r"(p) : "memory");
    (void)*p;
    ((void (*)(void))(block + CODE_PAGE * 4096UL))();
    /* Keel writing a hypercall's result there. */
    if (i != CODE_PAGE && i % 16 == 0) {
        long rc = xen_hypercall(HYPERVISOR_xen_version, XENVER_extraversion,
                                block + i * 4096UL + 2048, 0, 0, 0);
        if (rc)
            test_fail_stop("hypercall", "xen_version into page %u of the block: %ld", i, rc);
    }
}

void guest_secondary_main(unsigned idx)
{
    unsigned i = 0;
    for (;;) {
        unsigned long c = __atomic_load_n(&cmd, __ATOMIC_SEQ_CST);
        if (c == ~0UL)
            break;
        if (c & 1) {
            i = i + 1 == PAGES ? 0 : i + 1;
            if (i != SPLIT_PAGE)
                hammer(i);
            __atomic_add_fetch(&accesses, 1, __ATOMIC_RELAXED);
        }
        __atomic_store_n(&seen, c, __ATOMIC_SEQ_CST);
    }
    __atomic_store_n(&off, 1, __ATOMIC_SEQ_CST);
}

/* Tell vCPU 1 c and wait until it has acted on it; false if it never does. */
static bool tell(unsigned long c)
{
    __atomic_store_n(&cmd, c, __ATOMIC_SEQ_CST);
    for (unsigned long spins = 0; __atomic_load_n(&seen, __ATOMIC_SEQ_CST) != c; spins++)
        if (spins > (1UL << 32))
            return false;
    return true;
}

/* A fresh block: populated whole (mapped as one leaf), touched, with a RET on CODE_PAGE. */
static bool fresh_block(unsigned round)
{
    long rc = resv(XENMEM_populate_physmap, block >> 12, 9);
    if (rc != 1)
        return check(false, "populate_block", "round %u: %ld", round, rc);
    uint32_t *code = (uint32_t *)(block + CODE_PAGE * 4096UL);
    *code = 0xd65f03c0; /* RET */
    __asm__ volatile("dc cvau, %0\n dsb ish\n ic ivau, %0\n dsb ish\n isb" ::"r"(code) : "memory");
    return true;
}

void guest_main(void *dtb)
{
    if (!plat.hypervisor || !plat.nr_mem) {
        note("blocksplit: no hypervisor, nothing to test");
        return;
    }
    /* The last whole block of RAM, far above the image, the stacks and the tables. */
    block = ((plat.mem_base[0] + plat.mem_size[0]) & ~(BLOCK - 1)) - BLOCK;
    long rc = resv(XENMEM_decrease_reservation, block >> 12, 9);
    check(rc == 1, "give_back_block", "%ld: the block as the builder mapped it", rc);
    if (!check(psci_cpu_on_index(1) == 0, "cpu_on", "vCPU 1"))
        return;
    unsigned round = 0;
    bool ok = true;
    for (; ok && round < ROUNDS; round++) {
        ok = fresh_block(round) && tell(2 * round + 1);
        /* The split, while vCPU 1 runs all over the block. */
        if (ok && (rc = resv(XENMEM_decrease_reservation, (block >> 12) + SPLIT_PAGE, 0)) != 1)
            ok = check(false, "split", "round %u: %ld", round, rc);
        ok = ok && tell(2 * round + 2);
        /* The page back and the block out, so that the next round maps a block again. */
        if (ok && (rc = resv(XENMEM_populate_physmap, (block >> 12) + SPLIT_PAGE, 0)) != 1)
            ok = check(false, "refill", "round %u: %ld", round, rc);
        if (ok && (rc = resv(XENMEM_decrease_reservation, block >> 12, 9)) != 1)
            ok = check(false, "give_back", "round %u: %ld", round, rc);
    }
    check(ok && round == ROUNDS, "rounds", "%u of %u, vCPU 1 made %lu accesses", round, ROUNDS,
          __atomic_load_n(&accesses, __ATOMIC_RELAXED));
    __atomic_store_n(&cmd, ~0UL, __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&off, __ATOMIC_SEQ_CST))
        ;
}
