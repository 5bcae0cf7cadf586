/* SPDX-License-Identifier: Apache-2.0 */
/*
 * How the hypervisor takes hypercall arguments (xen-abi-facts A.2, B.4): pointers are guest
 * *virtual* addresses, translated through our stage-1 tables.  With the MMU's identity map a
 * hypervisor that took them as guest-physical would go unnoticed, so the buffers here live in
 * a window whose virtual addresses are nothing like their physical ones, with pages that are
 * out of order, read-only or not mapped at all.  Also sched_op's error paths, and the end of
 * the guest through SCHEDOP_shutdown instead of PSCI.
 */
#include "arm.h"
#include "console.h"
#include "exception.h"
#include "guest.h"
#include "platform.h"
#include "test.h"
#include "xen.h"

const char guest_name[] = "hcall";

/* Physical pages for the window: page-aligned, in our image's .bss. */
static uint8_t pages[4][4096] __attribute__((aligned(4096)));

static long sched_op(unsigned long cmd, uint64_t arg)
{
    return xen_hypercall(HYPERVISOR_sched_op, cmd, arg, 0, 0, 0);
}

/* Expect ret from sched_op(cmd, arg). */
static void expect(const char *name, unsigned long cmd, uint64_t arg, long want, const char *why)
{
    long r = sched_op(cmd, arg);
    check(r == want, name, "sched_op(%lu, %#lx) = %ld, want %ld: %s", cmd, arg, r, want, why);
}

static uint64_t va0, va1, va2, va3;

/* Window slots: 0 -> page 2, 1 -> page 0 (so 0 and 1 are out of physical order), 2 -> page 1
 * read-only, 3 not mapped. */
static bool map_window(void)
{
    va0 = mmu_scratch_map(0, (uintptr_t)pages[2], true);
    va1 = mmu_scratch_map(1, (uintptr_t)pages[0], true);
    va2 = mmu_scratch_map(2, (uintptr_t)pages[1], false);
    va3 = mmu_scratch_va(3);
    mmu_scratch_unmap(3);
    note("window: %#lx -> %p, %#lx -> %p, %#lx -> %p (read-only), %#lx unmapped", va0,
         (void *)pages[2], va1, (void *)pages[0], va2, (void *)pages[1], va3);
    pages[0][8] = 0xa5;
    return check(*(volatile uint8_t *)(va1 + 8) == 0xa5, "window_mapped",
                 "the window reaches its pages (read %#x through slot 1)",
                 *(volatile uint8_t *)(va1 + 8));
}

static void guest_virtual_pointers(void)
{
    /* The window's addresses, taken as guest-physical, are far outside RAM: a hypervisor that
     * did not translate them through stage 1 would answer -EFAULT here. */
    /* cmd is an int in Xen's prototype: the upper 32 bits are not looked at (a yield). */
    expect("hcall_cmd_32bit", (1UL << 32) | SCHEDOP_yield, 0, 0, "upper bits ignored");
    expect("hcall_va_pointer", SCHEDOP_shutdown_code, va0, 0,
           "a mapped address whose number is no guest-physical address");
    expect("hcall_va_readonly_read", SCHEDOP_shutdown_code, va2, 0,
           "a read-only page can be read from");
    expect("hcall_va_unmapped", SCHEDOP_shutdown_code, va3, -XEN_EFAULT, "not mapped");
    expect("hcall_va_cross_into_unmapped", SCHEDOP_shutdown_code, va2 + 4094, -XEN_EFAULT,
           "the 4 bytes run from a mapped page into an unmapped one");
    expect("hcall_va_cross_mapped", SCHEDOP_shutdown_code, va0 + 4094, 0,
           "the 4 bytes run across two mapped pages that are apart in memory");
    expect("hcall_null_pointer", SCHEDOP_shutdown_code, 0, -XEN_EFAULT, "no RAM behind address 0");
    expect("hcall_device_pointer", SCHEDOP_shutdown_code, plat.gicd, -XEN_EFAULT,
           "the distributor is no memory to copy from");
    expect("hcall_noncanonical_pointer", SCHEDOP_shutdown_code, 0xffff800000000000UL, -XEN_EFAULT,
           "outside what TTBR0 translates");
    *(volatile uint32_t *)va1 = 77; /* SHUTDOWN reason 77: invalid */
    expect("hcall_shutdown_bad_reason", SCHEDOP_shutdown, va1, -XEN_EINVAL,
           "reason 77 read through the window is no shutdown reason");
    expect("hcall_shutdown_unmapped", SCHEDOP_shutdown, va3, -XEN_EFAULT,
           "the reason cannot be read");
}

static void sched_op_calls(void)
{
    expect("sched_op_yield", SCHEDOP_yield, 0, 0, "yield always succeeds");
    expect("sched_op_block", SCHEDOP_block, 0, -XEN_ENOSYS,
           "not offered on Arm, where guests use WFI");
    expect("sched_op_unknown", 0x7fff, 0, -XEN_ENOSYS, "no such command");
}

/* Xen's domain watchdog: two per domain, id 0 allocates, timeout 0 frees.  Armed with a long
 * timeout and freed again, so it never fires here. */
static void watchdogs(void)
{
    static struct sched_watchdog wd;
    wd.id = 0;
    wd.timeout = 3600;
    expect("watchdog_alloc_1", SCHEDOP_watchdog, (uintptr_t)&wd, 1, "first watchdog is id 1");
    expect("watchdog_alloc_2", SCHEDOP_watchdog, (uintptr_t)&wd, 2, "second watchdog is id 2");
    expect("watchdog_alloc_3", SCHEDOP_watchdog, (uintptr_t)&wd, -XEN_ENOSPC,
           "a domain has two watchdogs");
    wd.id = 3;
    expect("watchdog_bad_id", SCHEDOP_watchdog, (uintptr_t)&wd, -XEN_EINVAL, "no watchdog 3");
    wd.id = 1;
    expect("watchdog_rearm", SCHEDOP_watchdog, (uintptr_t)&wd, 0, "re-arming succeeds");
    wd.timeout = 0;
    expect("watchdog_free_1", SCHEDOP_watchdog, (uintptr_t)&wd, 0, "timeout 0 frees it");
    wd.id = 2;
    expect("watchdog_free_2", SCHEDOP_watchdog, (uintptr_t)&wd, 0, "timeout 0 frees it");
    expect("watchdog_free_again", SCHEDOP_watchdog, (uintptr_t)&wd, -XEN_EINVAL, "already freed");
    expect("watchdog_unmapped", SCHEDOP_watchdog, va3, -XEN_EFAULT, "argument not mapped");
}

void guest_main(void *dtb)
{
    if (!map_window())
        return;
    if (!plat.hypervisor) {
        note("hcall: no hypervisor, no hypercalls to test");
        return;
    }
    sched_op_calls();
    guest_virtual_pointers();
    watchdogs();
    /* End through sched_op rather than PSCI: the launcher then sees the poweroff only if
     * this works.  The summary goes first; a failed shutdown adds a failure and another. */
    uint32_t reason = SHUTDOWN_poweroff;
    guest_summary();
    long r = sched_op(SCHEDOP_shutdown, (uintptr_t)&reason);
    check(false, "sched_op_shutdown", "SCHEDOP_shutdown(poweroff) returned %ld", r);
}
