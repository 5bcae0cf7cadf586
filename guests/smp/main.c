/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Many vCPUs, past the first affinity cluster: Keel, like Xen, puts 16 vCPUs in each Aff1
 * cluster (xen-abi-facts A.4), so with 17 or more vCPUs the MPIDR, the redistributor frames,
 * PSCI targets and SGI target lists all need Aff1.  Every vCPU is started with CPU_ON, checks
 * its own MPIDR and redistributor, takes an SGI sent to it alone and one sent to all but the
 * sender, and powers itself off.  Secondary vCPUs wait in WFI, so 17 of them share two
 * physical CPUs without starving each other.
 */
#include "arm.h"
#include "console.h"
#include "gic.h"
#include "guest.h"
#include "platform.h"
#include "smccc.h"
#include "test.h"
#include "timer.h"

const char guest_name[] = "smp";

#define SGI_ONE 1
#define SGI_ALL 2

static unsigned ready[MAX_VCPUS], got_one[MAX_VCPUS], got_all[MAX_VCPUS], done;
static uint64_t seen_mpidr[MAX_VCPUS], seen_typer[MAX_VCPUS];

static void on_irq(unsigned intid)
{
    unsigned me = this_cpu();
    if (intid == SGI_ONE)
        __atomic_add_fetch(&got_one[me], 1, __ATOMIC_RELEASE);
    else if (intid == SGI_ALL)
        __atomic_add_fetch(&got_all[me], 1, __ATOMIC_RELEASE);
}

static void enable_sgis(void)
{
    gic_set_priority(SGI_ONE, GIC_PRIO_DEFAULT);
    gic_set_priority(SGI_ALL, GIC_PRIO_DEFAULT);
    gic_enable(SGI_ONE);
    gic_enable(SGI_ALL);
}

void guest_secondary_main(unsigned idx)
{
    seen_mpidr[idx] = this_mpidr();
    uint64_t rd = gic_rdist();
    seen_typer[idx] = rd ? mmio_read64(rd + GICR_TYPER) : 0;
    if (!rd || !gic_cpu_init(false))
        return;
    enable_sgis();
    __atomic_store_n(&ready[idx], 1, __ATOMIC_RELEASE);
    irq_enable();
    while (!__atomic_load_n(&done, __ATOMIC_ACQUIRE))
        wfi();
    irq_disable();
}

static bool all(unsigned *flags, unsigned n, unsigned want)
{
    for (unsigned i = 1; i < n; i++)
        if (__atomic_load_n(&flags[i], __ATOMIC_ACQUIRE) != want)
            return false;
    return true;
}

/* How many vCPUs in [1, n) have their flag set: the progress of a wait on all of them. */
static unsigned count_set(unsigned *flags, unsigned n)
{
    unsigned c = 0;
    for (unsigned i = 1; i < n; i++)
        c += __atomic_load_n(&flags[i], __ATOMIC_ACQUIRE) != 0;
    return c;
}

/* The first vCPU in [1, n) whose flag is not want, or n. */
static unsigned first_not(unsigned *flags, unsigned n, unsigned want)
{
    for (unsigned i = 1; i < n; i++)
        if (__atomic_load_n(&flags[i], __ATOMIC_ACQUIRE) != want)
            return i;
    return n;
}

void guest_main(void *dtb)
{
    unsigned n = plat.nr_cpus;
    note("%u vCPUs; the last has MPIDR %#lx", n, plat.mpidr[n - 1]);
    if (!check(n >= 2 && gic_init() && gic_cpu_init(false), "setup", "%u vCPUs, GIC", n))
        return;
    irq_set_handler(on_irq);
    enable_sgis();
    unsigned bad_on = 0;
    for (unsigned i = 1; i < n; i++) {
        int64_t r = psci_cpu_on_index(i);
        if (r != PSCI_SUCCESS && !bad_on++)
            check(false, "cpu_on_all", "CPU_ON(vCPU %u, MPIDR %#lx) = %ld", i, plat.mpidr[i], r);
    }
    bool up = WAIT_PROGRESS(all(ready, n, 1), count_set(ready, n));
    unsigned late = first_not(ready, n, 1);
    if (!bad_on)
        check(up, "cpu_on_all",
              "%u secondary vCPUs started; the first not ready: vCPU %u (%u = none)", n - 1, late,
              n);

    unsigned bad = 0;
    for (unsigned i = 1; i < n; i++) {
        uint64_t t = seen_typer[i], aff = t >> 32;
        uint64_t mpidr = (aff >> 24) << 32 | (aff & 0xffffff);
        if (seen_mpidr[i] != plat.mpidr[i] || mpidr != plat.mpidr[i] || ((t >> 8) & 0xffff) != i) {
            if (!bad++)
                check(false, "identity_all", "vCPU %u: MPIDR %#lx (DT %#lx), GICR_TYPER %#lx", i,
                      seen_mpidr[i], plat.mpidr[i], t);
        }
    }
    if (!bad)
        check(true, "identity_all", "each vCPU's MPIDR and redistributor match the DT");

    /* One SGI to each vCPU alone, in turn: Aff1 in the SGI for the second cluster. */
    unsigned missed = 0, first_missed = 0;
    for (unsigned i = 1; i < n; i++) {
        gic_send_sgi(SGI_ONE, plat.mpidr[i]);
        if (!WAIT_EVENT(__atomic_load_n(&got_one[i], __ATOMIC_ACQUIRE) == 1) && !missed++)
            first_missed = i;
    }
    delay_us(20000); /* for a second, wrong, delivery to show (see WAIT_EVENT) */
    unsigned extra = first_not(got_one, n, 1);
    check(!missed && extra == n, "sgi_each_vcpu",
          "an SGI to each of %u vCPUs: %u missed (the first: vCPU %u, 0 = none); every count 1: %s",
          n - 1, missed, first_missed, extra == n ? "yes" : "no");

    gic_send_sgi_others(SGI_ALL);
    bool bc = WAIT_PROGRESS(all(got_all, n, 1), count_set(got_all, n));
    unsigned miss_all = first_not(got_all, n, 1);
    check(bc && !got_all[0], "sgi_all_but_self_all", "IRM=1 SGI: %s; sender got %u",
          bc ? "every other vCPU got it once" : "NOT all got it", got_all[0]);
    if (!bc)
        note("first vCPU without it: %u", miss_all);

    __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
    for (unsigned i = 1; i < n; i++)
        gic_send_sgi(SGI_ONE, plat.mpidr[i]); /* out of WFI to see `done` */
    bool off = true;
    unsigned still_on = 0;
    for (unsigned i = 1; i < n && off; i++) {
        off =
            WAIT_EVENT(psci_call(PSCI_64(PSCI_AFFINITY_INFO), plat.mpidr[i], 0, 0) == PSCI_AFF_OFF);
        if (!off)
            still_on = i;
    }
    check(off, "cpu_off_all", "secondary vCPUs powered off; the first still on: vCPU %u (0 = none)",
          still_on);
}
