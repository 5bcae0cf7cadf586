/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Calls into the hypervisor: Xen hypercalls (HVC #0xEA1, number in x16), SMCCC/PSCI function
 * ids over the DT's conduit, HVC and SMC with other immediates (generated code), CPU_ON of the
 * domain's own vCPUs at good and bad entry points, and secondary vCPUs switching themselves
 * off.  Arguments are random, but those that would end the domain or this vCPU are kept out:
 * see the deny lists below.  A multicall gets a list of random calls, each sanitized as a call
 * inside a multicall must be (sanitize_nested()).  Hypercall families that change the caller's
 * memory map or memory (memory_op, vcpu_op register_*, grant_table_op) or that block have a
 * sanitizer here, for the top level and inside a multicall (issue 12: every new family joins
 * the fuzzer in the same change): what they would map, unmap or write lands on a spare page
 * of RAM past our image instead of our own memory.
 */
#include <stddef.h>
#include <xen/event_channel.h>
#include "arm.h"
#include "console.h"
#include "fuzz.h"
#include "platform.h"
#include "smccc.h"
#include "timer.h"
#include "xen.h"

#include <xen/grant_table.h>
#include <xen/memory.h>
#include <xen/vcpu.h>

#define WATCHDOG_IDS 4             /* Keel has 2 per domain, Xen too; try a few past them */
#define WATCHDOG_MIN_S (7 * 86400) /* armed for a week at least: never fires in a run */

/* PSCI function numbers (low 5 bits of ids 0x84000000/0xC4000000) that end or suspend the
 * domain or stop a vCPU: only the structured operations issue them. */
static bool psci_denied(uint64_t x0)
{
    uint32_t id = (uint32_t)x0;
    if ((id & 0xbfffffe0u) != 0x84000000u)
        return false;
    switch (id & 0x1f) {
    case 0x01: /* CPU_SUSPEND */
    case 0x02: /* CPU_OFF */
    case 0x03: /* CPU_ON */
    case 0x05: /* MIGRATE */
    case 0x08: /* SYSTEM_OFF */
    case 0x09: /* SYSTEM_RESET */
    case 0x0e: /* SYSTEM_SUSPEND */
    case 0x12: /* SYSTEM_RESET2 */
        return true;
    default:
        return false;
    }
}

/* A function id: mostly the PSCI and SMCCC ranges, 32 and 64 bit (the blocks ending at
 * 0x80003FFF and 0x80007FFF hold the Spectre WA3 and WA2); never a denied one. */
static uint64_t function_id(struct fz_cpu *c)
{
    static const uint32_t bases[] = { 0x84000000u, 0xc4000000u, 0x80000000u, 0x80008000u,
                                      0x80003fc0u, 0x80007fc0u, 0x86000000u, 0xc6000000u,
                                      0x8f000000u, 0x00000000u };
    uint64_t id;
    do {
        switch (rnd_below(c, 4)) {
        case 0:
            id = rnd(c);
            break;
        case 1:
            id = (uint32_t)rnd(c);
            break;
        default:
            id = bases[rnd_below(c, ARRAY_SIZE(bases))] + rnd_below(c, 0x40);
            break;
        }
    } while (psci_denied(id));
    return id;
}

/* ---- Xen hypercalls ---- */

static uint64_t hcall_arg(struct fz_cpu *c, bool *valid)
{
    *valid = false;
    return rnd_below(c, 2) ? fz_pointer(c, valid) : fz_value(c);
}

/* The end of this vCPU's hypercall buffer: its unmapped guard page starts there. */
static uint64_t hbuf_end(const struct fz_cpu *c)
{
    return c->hbuf_va + HBUF_PAGES * 4096UL;
}

/* An address in the guard page: whatever reads there fails with -EFAULT. */
static uint64_t guard_addr(struct fz_cpu *c)
{
    return hbuf_end(c) + rnd_below(c, 4096);
}

/* Fill n bytes at a buffer address with random bytes (the rest of the buffer is guarded by
 * an unmapped page, so a copy that runs on fails cleanly). */
static void fill(struct fz_cpu *c, uint64_t va, unsigned n)
{
    uint64_t end = hbuf_end(c);
    for (unsigned i = 0; i < n && va + i < end; i++)
        *(volatile uint8_t *)(uintptr_t)(va + i) = (uint8_t)rnd(c);
}

static void put32(struct fz_cpu *c, uint64_t va, unsigned off, uint32_t v)
{
    uint64_t end = hbuf_end(c);
    for (unsigned i = 0; i < 4 && va + off + i < end; i++)
        *(volatile uint8_t *)(uintptr_t)(va + off + i) = (uint8_t)(v >> (8 * i));
}

static void put64(struct fz_cpu *c, uint64_t va, unsigned off, uint64_t v)
{
    put32(c, va, off, (uint32_t)v);
    put32(c, va, off + 4, (uint32_t)(v >> 32));
}

/* A shutdown reason no Xen knows (past SHUTDOWN_soft_reset, the last). */
static uint32_t bad_reason(struct fz_cpu *c)
{
    return SHUTDOWN_soft_reset + 1 + (uint32_t)rnd_below(c, 1u << 31);
}

/* sched_op: nothing that shuts the domain down or arms a watchdog that could fire.  Returns
 * whether the call may block (then a wake-up must be on its way). */
static bool sanitize_sched_op(struct fz_cpu *c, uint64_t *a, bool ptr_valid)
{
    uint32_t cmd = (uint32_t)a[0]; /* Xen takes cmd as an int */
    if (!ptr_valid)
        return cmd == SCHEDOP_block || cmd == SCHEDOP_poll;
    switch (cmd) {
    case SCHEDOP_shutdown:
    case SCHEDOP_shutdown_code: /* the reason a later shutdown would report */
        put32(c, a[1], offsetof(struct sched_shutdown, reason), bad_reason(c));
        break;
    case SCHEDOP_remote_shutdown: /* any domain, the neighbour too */
        put32(c, a[1], offsetof(struct sched_remote_shutdown, reason), bad_reason(c));
        break;
    case SCHEDOP_watchdog: {
        /* id 0 allocates a watchdog and arms it whatever the timeout: 0 would fire at once
         * (seed 11 of --control --ops 150000 shut itself down so), so it gets a week too, or
         * with no=watchdog an id that is refused. */
        bool arm = fz.opt.watchdog && rnd_below(c, 2);
        uint32_t id = (uint32_t)rnd_below(c, WATCHDOG_IDS + 1);
        uint32_t timeout =
            arm ? WATCHDOG_MIN_S + (uint32_t)rnd_below(c, 0xffffffffu - WATCHDOG_MIN_S) : 0;
        if (id == 0 && !timeout) {
            if (fz.opt.watchdog)
                timeout = 0xffffffffu;
            else
                id = WATCHDOG_IDS + 1;
        }
        put32(c, a[1], offsetof(struct sched_watchdog, id), id);
        put32(c, a[1], offsetof(struct sched_watchdog, timeout), timeout);
        break;
    }
    case SCHEDOP_block:
    case SCHEDOP_poll:
        return true;
    default:
        break;
    }
    return false;
}

static uint64_t get64(uint64_t va)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++)
        v |= (uint64_t) * (volatile uint8_t *)(uintptr_t)(va + i) << (8 * i);
    return v;
}

/* An address for a grant map: the grant window, or any value; never this guest's memory. */
static uint64_t grant_map_addr(struct fz_cpu *c)
{
    return rnd_below(c, 2) ? GUEST_GNTTAB_BASE + (rnd_below(c, GUEST_GNTTAB_SIZE) & ~0xfffUL)
                           : fz_value(c);
}

/* grant_table_op: nothing lands on this guest's own memory (code, stacks, buffers): a map's
 * host_addr would replace the page there, a copy's own destination frame or setup_table's
 * frame list would be written.  Elements are rewritten up to the buffer's end (past it they
 * are in the guard page and fail to read).  Unmaps only remove grant mappings. */
static void sanitize_grant_table_op(struct fz_cpu *c, uint64_t *a, bool ptr_valid)
{
    uint64_t end = hbuf_end(c), e = a[1];
    if (!ptr_valid)
        return;
    switch ((uint32_t)a[0]) {
    case GNTTABOP_map_grant_ref:
        for (; e < end; e += sizeof(struct gnttab_map_grant_ref))
            put64(c, e, offsetof(struct gnttab_map_grant_ref, host_addr), grant_map_addr(c));
        break;
    case GNTTABOP_copy:
        for (; e + sizeof(struct gnttab_copy) <= end; e += sizeof(struct gnttab_copy)) {
            uint64_t gmfn = get64(e + offsetof(struct gnttab_copy, dest));
            if (fz_is_ours(gmfn << 12, 4096) && gmfn < (1UL << 52))
                put64(c, e, offsetof(struct gnttab_copy, dest), gmfn | (1UL << 63));
        }
        break;
    case GNTTABOP_setup_table:
        if (e + sizeof(struct gnttab_setup_table) <= end &&
            fz_is_ours(get64(e + offsetof(struct gnttab_setup_table, frame_list)) & ~0xfffUL, 8192))
            put64(c, e, offsetof(struct gnttab_setup_table, frame_list), fz_value(c));
        break;
    default:
        break;
    }
}

/* ---- memory_op and vcpu_op: nothing maps, unmaps or writes over our own memory ---- */

/* A page of RAM past our image: nothing of ours is there, so the hypervisor may map, unmap or
 * write at it (identity-mapped, so the same number is its guest-virtual address). */
static uint64_t spare_page(struct fz_cpu *c)
{
    return ((fz.ram_hi + 4095) & ~4095UL) + rnd_below(c, 16) * 4096UL;
}

static bool in_buffer(struct fz_cpu *c, uint64_t va, uint64_t n)
{
    uint64_t end = hbuf_end(c);
    return va >= c->hbuf_va && va < end && n <= end - va;
}

/* Frames [gfn, + pages) touch our memory (a frame number past 2^52 is no address). */
static bool gfns_ours(uint64_t gfn, uint64_t pages)
{
    return gfn < (1UL << 52) && fz_is_ours(gfn << 12, pages << 12);
}

/* A guest-virtual address the hypervisor would write at: our memory, or the scratch window
 * (L1 slot 511), whose pages are our memory again (the hypercall buffers). */
static bool va_ours(uint64_t va)
{
    return fz_is_ours(va & ~4095UL, 4096) || va >> 30 == 511;
}

/* The frame number at va + off in the buffer: another if it covers our memory. */
static void keep_off_gfn(struct fz_cpu *c, uint64_t va, unsigned off, uint64_t pages)
{
    if (in_buffer(c, va + off, 8) && gfns_ours(get64(va + off), pages))
        put64(c, va, off, spare_page(c) >> 12);
}

/* Every element of a frame-number array that starts in the buffer, to the buffer's end (past
 * it the guard page fails the read). */
static void keep_off_gfns(struct fz_cpu *c, uint64_t handle, uint64_t pages)
{
    for (uint64_t e = handle; in_buffer(c, e, 8); e += 8)
        keep_off_gfn(c, e, 0, pages);
}

/* The memory_op sub-ops that take frame numbers to map, unmap, exchange or fill. */
static bool memory_op_maps(uint64_t cmd)
{
    switch ((unsigned)(cmd & MEMOP_CMD_MASK)) {
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
    case XENMEM_add_to_physmap:
    case XENMEM_exchange:
    case XENMEM_remove_from_physmap:
    case XENMEM_add_to_physmap_batch:
    case XENMEM_acquire_resource:
        return true;
    default:
        return false;
    }
}

static void sanitize_memory_op(struct fz_cpu *c, uint64_t *a, bool ptr_valid)
{
    uint64_t v = a[1];
    if (!ptr_valid || !memory_op_maps(a[0]))
        return;
    switch ((unsigned)(a[0] & MEMOP_CMD_MASK)) {
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
    case XENMEM_exchange: /* its "in" reservation comes first */
        if (in_buffer(c, v, sizeof(struct xen_memory_reservation))) {
            uint32_t order =
                (uint32_t)get64(v + offsetof(struct xen_memory_reservation, extent_order));
            order = order > 30 ? 30 : order;
            keep_off_gfns(c, get64(v + offsetof(struct xen_memory_reservation, extent_start)),
                          1UL << order);
        }
        break;
    case XENMEM_add_to_physmap:
        if (in_buffer(c, v, sizeof(struct xen_add_to_physmap))) {
            /* gmfn and gmfn_range move idx's frames away; every space maps at gpfn. */
            uint64_t w = get64(v); /* domid, size, space */
            uint64_t pages =
                (uint32_t)(w >> 32) == XENMAPSPACE_gmfn_range ? (uint16_t)(w >> 16) : 1;
            keep_off_gfn(c, v, offsetof(struct xen_add_to_physmap, idx), pages ? pages : 1);
            keep_off_gfn(c, v, offsetof(struct xen_add_to_physmap, gpfn), pages ? pages : 1);
        }
        break;
    case XENMEM_remove_from_physmap:
        keep_off_gfn(c, v, offsetof(struct xen_remove_from_physmap, gpfn), 1);
        break;
    case XENMEM_add_to_physmap_batch:
        if (in_buffer(c, v, sizeof(struct xen_add_to_physmap_batch))) {
            keep_off_gfns(c, get64(v + offsetof(struct xen_add_to_physmap_batch, idxs)), 1);
            keep_off_gfns(c, get64(v + offsetof(struct xen_add_to_physmap_batch, gpfns)), 1);
        }
        break;
    case XENMEM_acquire_resource:
        if (in_buffer(c, v, sizeof(struct xen_mem_acquire_resource)))
            keep_off_gfns(c, get64(v + offsetof(struct xen_mem_acquire_resource, frame_list)), 1);
        break;
    default:
        break;
    }
}

/* The vcpu_op commands that register an area the hypervisor writes from then on. */
static bool vcpu_op_registers(uint64_t cmd)
{
    switch ((uint32_t)cmd) {
    case VCPUOP_register_runstate_memory_area:
    case VCPUOP_register_vcpu_info:
    case VCPUOP_register_vcpu_time_memory_area:
    case VCPUOP_register_runstate_phys_area:
    case VCPUOP_register_vcpu_time_phys_area:
        return true;
    default:
        return false;
    }
}

/* vcpu_op(cmd, vcpu, arg): an area is registered anywhere but our memory and the buffers. */
static void sanitize_vcpu_op(struct fz_cpu *c, uint64_t *a, bool ptr_valid)
{
    uint64_t v = a[2];
    if (!ptr_valid || !vcpu_op_registers(a[0]))
        return;
    if ((uint32_t)a[0] == VCPUOP_register_vcpu_info) {
        keep_off_gfn(c, v, offsetof(struct vcpu_register_vcpu_info, mfn), 1);
        return;
    }
    /* One address: guest-virtual for the *_memory_area forms, guest-physical for *_phys_area
     * (identity-mapped: the same test covers both). */
    if (in_buffer(c, v, 8) && va_ours(get64(v)))
        put64(c, v, 0, spare_page(c) + rnd_below(c, 4096 - 64));
}

/* A hypercall inside a multicall: its pointers are read only when its turn comes, after
 * earlier entries may have written anywhere in the buffer, so what sanitize_sched_op() would
 * write cannot be trusted there.  The sched_op commands that read a pointer get one into the
 * unmapped guard page instead (-EFAULT); none of them can end the domain or block. */
static void sanitize_nested(struct fz_cpu *c, uint64_t nr, uint64_t *a)
{
    /* domctl and sysctl (a control domain's): a struct of their own no entry can rewrite. */
    if (fz.opt.control &&
        ((uint32_t)nr == HYPERVISOR_domctl || (uint32_t)nr == HYPERVISOR_sysctl)) {
        a[0] = fz_ctl_nested(c, nr);
        return;
    }
    /* What a memory_op or vcpu_op that maps or registers reads may be rewritten before its
     * turn: it reads from the guard page instead. */
    if ((uint32_t)nr == HYPERVISOR_memory_op && memory_op_maps(a[0])) {
        a[1] = guard_addr(c);
        return;
    }
    if ((uint32_t)nr == HYPERVISOR_vcpu_op && vcpu_op_registers(a[0])) {
        a[2] = guard_addr(c);
        return;
    }
    if ((uint32_t)nr == HYPERVISOR_grant_table_op) {
        /* What a map, copy or setup_table reads may be rewritten before its turn. */
        uint32_t cmd = (uint32_t)a[0];
        if (cmd == GNTTABOP_map_grant_ref || cmd == GNTTABOP_copy || cmd == GNTTABOP_setup_table)
            a[1] = guard_addr(c);
        return;
    }
    if ((uint32_t)nr != HYPERVISOR_sched_op)
        return;
    switch ((uint32_t)a[0]) {
    case SCHEDOP_shutdown:
    case SCHEDOP_shutdown_code:
    case SCHEDOP_remote_shutdown:
    case SCHEDOP_watchdog:
    case SCHEDOP_block:
    case SCHEDOP_poll:
        a[1] = guard_addr(c);
        break;
    default:
        break;
    }
}

#define MC_MAX 8

/* multicall with its list in the buffer: up to MC_MAX entries of any hypercall (multicall
 * itself too, which each entry must refuse) with arguments as the top-level calls get them;
 * the count is mostly the entries written, sometimes more (the list runs into the guard page)
 * or any value. */
static void build_multicall(struct fz_cpu *c, uint64_t *a)
{
    uint64_t op[MC_MAX], args[MC_MAX][6];
    unsigned n = 1 + (unsigned)rnd_below(c, MC_MAX);
    for (unsigned i = 0; i < n; i++) {
        unsigned r = (unsigned)rnd_below(c, 10);
        op[i] = r < 8 ? rnd_below(c, 64) : r == 8 ? HYPERVISOR_multicall : rnd(c);
        for (unsigned k = 0; k < 6; k++) {
            bool valid;
            args[i][k] = hcall_arg(c, &valid);
            if (valid)
                fill(c, args[i][k], 64);
        }
        if (rnd_below(c, 2))
            args[i][0] = rnd_below(c, 4) ? rnd_below(c, 32) : rnd(c);
        sanitize_nested(c, op[i], args[i]);
    }
    /* The list last: the fills above may have landed on it. */
    for (unsigned i = 0; i < n; i++) {
        uint64_t e = a[0] + i * sizeof(struct multicall_entry);
        put64(c, e, offsetof(struct multicall_entry, op), op[i]);
        put64(c, e, offsetof(struct multicall_entry, result), rnd(c));
        for (unsigned k = 0; k < 6; k++)
            put64(c, e, offsetof(struct multicall_entry, args) + 8 * k, args[i][k]);
    }
    unsigned r = (unsigned)rnd_below(c, 8);
    a[1] = r < 6 ? n : r == 6 ? n + 1 + rnd_below(c, 1024) : fz_value(c);
}

/* event_channel_op with arguments that are mostly plausible: a random sub-op (FIFO's and
 * unknown ones too) on a struct whose 32-bit words are small ports, DOMID_SELF pairs, vCPU or
 * VIRQ numbers or anything, so that ports get allocated, bound, sent on and closed in every
 * order rather than refused at the first check, under 2-level and FIFO. */
static void event_channel_mix(struct fz_cpu *c)
{
    uint64_t va = c->hbuf_va + 8 * rnd_below(c, 16);
    for (unsigned w = 0; w < 6; w++) {
        uint32_t v;
        switch (rnd_below(c, 6)) {
        case 0:
        case 1:
            v = (uint32_t)rnd_below(c, 80); /* a port, mostly in the first buckets */
            break;
        case 2:
            v = DOMID_SELF | (uint32_t)(rnd_below(c, 2) ? DOMID_SELF : rnd_below(c, 8)) << 16;
            break;
        case 3:
            v = (uint32_t)rnd_below(c, 4); /* a vCPU */
            break;
        case 4:
            v = (uint32_t)rnd_below(c, NR_VIRQS + 2);
            break;
        default:
            v = (uint32_t)rnd(c);
            break;
        }
        put32(c, va, 4 * w, v);
    }
    uint64_t cmd = rnd_below(c, 16) ? rnd_below(c, EVTCHNOP_set_priority + 2) : rnd(c);
    /* FIFO's pages: often a spare page of our RAM, so that the domain does switch to FIFO and
     * Keel writes event words and control blocks there; never a page we run from. */
    if ((uint32_t)cmd == EVTCHNOP_init_control || (uint32_t)cmd == EVTCHNOP_expand_array) {
        if (rnd_below(c, 2))
            put64(c, va, 0, spare_page(c) >> 12);
        if (rnd_below(c, 2))
            put32(c, va, 8, (uint32_t)rnd_below(c, 512) * 8); /* init_control's offset */
        keep_off_gfn(c, va, 0, 1);
    }
    exc_expect();
    xen_hypercall(HYPERVISOR_event_channel_op, cmd, va, 0, 0, 0);
    fz_done(c, K_HCALL);
}

static void hypercall(struct fz_cpu *c)
{
    uint64_t nr, a[5];
    bool valid[5];
    if (rnd_below(c, 8) == 0) {
        event_channel_mix(c);
        return;
    }
    unsigned r = (unsigned)rnd_below(c, 10);
    nr = r < 8 ? rnd_below(c, 64) : r == 8 ? 64 + rnd_below(c, 64) : rnd(c);
    for (unsigned i = 0; i < 5; i++) {
        a[i] = hcall_arg(c, &valid[i]);
        if (valid[i])
            fill(c, a[i], 64);
    }
    if (rnd_below(c, 2)) { /* a sub-operation number in the first argument */
        a[0] = rnd_below(c, 4) ? rnd_below(c, 32) : rnd(c);
        valid[0] = false;
    }
    if ((uint32_t)nr == HYPERVISOR_multicall && valid[0])
        build_multicall(c, a);
    if ((uint32_t)nr == HYPERVISOR_grant_table_op)
        sanitize_grant_table_op(c, a, valid[1]);
    if ((uint32_t)nr == HYPERVISOR_memory_op)
        sanitize_memory_op(c, a, valid[1]);
    if ((uint32_t)nr == HYPERVISOR_vcpu_op)
        sanitize_vcpu_op(c, a, valid[2]);
    bool may_block = (uint32_t)nr == HYPERVISOR_sched_op && sanitize_sched_op(c, a, valid[1]);
    if (may_block)
        fz_wake_arm(c);
    bool ctl =
        fz.opt.control && ((uint32_t)nr == HYPERVISOR_domctl || (uint32_t)nr == HYPERVISOR_sysctl);
    exc_expect();
    if (ctl) /* sanitized as the ctl kind's own (and a pause undone at once) */
        fz_ctl_call(c, nr, a[0], a[1], a[2], a[3], a[4]);
    else
        xen_hypercall(nr, a[0], a[1], a[2], a[3], a[4]);
    fz_done(c, K_HCALL);
    if (may_block)
        irq_enable();
}

void fz_watchdogs_free(void)
{
    static struct sched_watchdog wd;
    for (uint32_t id = 1; id <= WATCHDOG_IDS; id++) {
        WRITE_ONCE(wd.id, id);
        WRITE_ONCE(wd.timeout, 0);
        xen_hypercall(HYPERVISOR_sched_op, SCHEDOP_watchdog, (uintptr_t)&wd, 0, 0, 0);
    }
}

/* ---- PSCI and SMCCC ---- */

static void psci_random(struct fz_cpu *c)
{
    uint64_t id = function_id(c), a1 = fz_value(c), a2 = fz_value(c), a3 = fz_value(c);
    if (rnd_below(c, 3) == 0) /* PSCI_FEATURES / SMCCC_ARCH_FEATURES of any id, denied too */
        a1 = rnd_below(c, 2) ? 0x84000000u + rnd_below(c, 0x20) : rnd(c);
    exc_expect();
    psci_call((uint32_t)id, a1, a2, a3);
    fz_done(c, K_PSCI);
}

/* An entry point other than the fuzzer's own: misaligned, unbacked, device, wrapping. */
static uint64_t bad_entry(struct fz_cpu *c)
{
    switch (rnd_below(c, 6)) {
    case 0:
        return (uintptr_t)guest_secondary_entry + 1 + rnd_below(c, 3);
    case 1:
        return plat.mem_base[0] + plat.mem_size[0] + (rnd_below(c, 0x10000) & ~3UL);
    case 2:
        return rnd_below(c, 0x08000000) & ~3UL;
    case 3:
        return plat.gicd + (rnd_below(c, 0x1000) & ~3UL);
    case 4:
        return ~3UL - (rnd_below(c, 64) & ~3UL);
    default:
        return rnd(c) & ~3UL;
    }
}

static int64_t cpu_on(unsigned idx, uint64_t entry, uint64_t ctx)
{
    return psci_call(PSCI_64(PSCI_CPU_ON), plat.mpidr[idx], entry, ctx);
}

bool fz_cpu_on_valid(unsigned idx)
{
    uint32_t off = S_OFF;
    if (!__atomic_compare_exchange_n(&fz.state[idx], &off, S_STARTING, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        return false;
    bool ok = cpu_on(idx, (uintptr_t)guest_secondary_entry, idx) == PSCI_SUCCESS;
    if (ok)
        __atomic_fetch_add(&fz_cpus[idx].starts, 1, __ATOMIC_RELAXED);
    /* Started: running (it never sets its state itself); not started (it was still on its
     * way off): off again. */
    uint32_t starting = S_STARTING;
    __atomic_compare_exchange_n(&fz.state[idx], &starting, ok ? S_RUN : S_OFF, false,
                                __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    return ok;
}

/* CPU_ON of own vCPU idx at a bad entry: while it runs (pinned, so it cannot switch itself off
 * meanwhile), or while it is off if a loss is still allowed. */
static void cpu_on_bad(struct fz_cpu *c, unsigned idx, uint64_t entry, uint64_t ctx)
{
    uint32_t run = S_RUN, off = S_OFF;
    if (idx == 0 || __atomic_load_n(&fz.state[idx], __ATOMIC_ACQUIRE) == S_LOST) {
        exc_expect();
        cpu_on(idx, entry, ctx);
    } else if (__atomic_compare_exchange_n(&fz.state[idx], &run, S_PINNED, false, __ATOMIC_ACQ_REL,
                                           __ATOMIC_ACQUIRE)) {
        exc_expect();
        cpu_on(idx, entry, ctx);
        /* Nobody else moves a vCPU out of S_PINNED. */
        __atomic_store_n(&fz.state[idx], S_RUN, __ATOMIC_RELEASE);
    } else if (__atomic_load_n(&fz.lose_left, __ATOMIC_ACQUIRE) &&
               __atomic_compare_exchange_n(&fz.state[idx], &off, S_STARTING, false,
                                           __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        __atomic_fetch_sub(&fz.lose_left, 1, __ATOMIC_ACQ_REL);
        exc_expect();
        int64_t rc = cpu_on(idx, entry, ctx);
        if (rc == PSCI_SUCCESS) {
            /* It was off, so its counts are still: what it had claimed goes back to the pool. */
            struct fz_cpu *t = &fz_cpus[idx];
            __atomic_fetch_add(&fz.pool, t->claimed - t->done, __ATOMIC_RELAXED);
            t->claimed = t->done;
            printf("FUZZ-NOTE vcpu %u started at bad entry %#lx: lost to the fuzz\n", idx, entry);
            __atomic_store_n(&fz.state[idx], S_LOST, __ATOMIC_RELEASE);
        } else {
            __atomic_fetch_add(&fz.lose_left, 1, __ATOMIC_ACQ_REL);
            __atomic_store_n(&fz.state[idx], S_OFF, __ATOMIC_RELEASE);
        }
    } else {
        exc_expect();
        psci_call(PSCI_64(PSCI_AFFINITY_INFO), plat.mpidr[idx], 0, 0);
    }
    fz_done(c, K_CPU_ON);
}

static void cpu_on_op(struct fz_cpu *c)
{
    unsigned idx = (unsigned)rnd_below(c, fz.nr_cpus);
    switch (rnd_below(c, 5)) {
    case 0: /* restart an own vCPU the right way */
        exc_expect();
        fz_cpu_on_valid(idx);
        fz_done(c, K_CPU_ON);
        break;
    case 1: { /* an MPIDR that is no vCPU of ours, any entry */
        uint64_t target = plat.mpidr[idx] ^ (1UL << rnd_below(c, 40));
        if (cpu_index_of(target) >= 0 || cpu_index_of((uint32_t)target) >= 0)
            target |= 1UL << 23; /* Aff2 (kept by SMC32 calls too): none of ours has it */
        uint64_t entry = bad_entry(c), ctx = rnd(c);
        exc_expect();
        psci_call(rnd_below(c, 2) ? PSCI_64(PSCI_CPU_ON) : PSCI_CPU_ON, target, entry, ctx);
        fz_done(c, K_CPU_ON);
        break;
    }
    case 2: /* AFFINITY_INFO of anything, any level */
        exc_expect();
        psci_call(rnd_below(c, 2) ? PSCI_64(PSCI_AFFINITY_INFO) : PSCI_AFFINITY_INFO,
                  rnd_below(c, 2) ? plat.mpidr[idx] : rnd(c), rnd_below(c, 4), 0);
        fz_done(c, K_CPU_ON);
        break;
    default: /* an own vCPU at a bad entry */
        cpu_on_bad(c, idx, bad_entry(c), rnd(c));
        break;
    }
}

void fz_op_cpu_off(struct fz_cpu *c)
{
    uint32_t run = S_RUN;
    if (c->idx == 0 || !__atomic_compare_exchange_n(&fz.state[c->idx], &run, S_OFF, false,
                                                    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        /* vCPU 0 stays on (it ends the domain); a pinned vCPU waits to be unpinned. */
        exc_expect();
        psci_call(PSCI_AFFINITY_INFO, this_mpidr(), 0, 0);
        fz_done(c, K_CPU_OFF);
        return;
    }
    /* Counted first: the call does not return.  Another vCPU's CPU_ON (or the boot vCPU at the
     * end) brings us back into guest_secondary_main, which resumes the loop. */
    c->ops[K_CPU_OFF]++;
    c->out[K_CPU_OFF][O_NONE]++;
    c->done++;
    c->last_kind = K_CPU_OFF;
    c->offs++;
    fz_baseline(c, true);
    dsb(ish);
    psci_call(PSCI_CPU_OFF, 0, 0, 0);
    printf("FUZZ-NOTE vcpu %u: PSCI CPU_OFF returned\n", c->idx);
}

/* ---- HVC and SMC with any immediate (generated code: the immediate is in the opcode) ---- */

static void imm_call(struct fz_cpu *c, enum fz_kind k)
{
    uint32_t imm;
    do {
        imm = (uint32_t)rnd_below(c, 4) ? (uint32_t)rnd_below(c, 0x10000)
                                        : (uint32_t)rnd_below(c, 16) + (XEN_HYPERCALL_TAG & ~15u);
    } while (k == K_HVC_IMM && (imm == 0 || imm == XEN_HYPERCALL_TAG));
    uint32_t op = k == K_HVC_IMM ? 0xd4000002u : 0xd4000003u; /* HVC / SMC #imm */
    const uint32_t insn[] = {
        0xaa0703f0u,   /* mov x16, x7 */
        op | imm << 5, /* hvc/smc #imm */
        0xd65f03c0u,   /* ret */
    };
    uint64_t x[8];
    for (unsigned i = 0; i < 8; i++)
        x[i] = fz_value(c);
    x[0] = function_id(c); /* whatever handles it, never a denied PSCI call */
    if (k == K_SMC_IMM && imm == XEN_HYPERCALL_TAG)
        x[7] = HYPERVISOR_xen_version;
    fz_code_fn fn = fz_code(c, insn, ARRAY_SIZE(insn));
    exc_expect();
    fn(x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]);
    fz_done(c, k);
}

void fz_op_call(struct fz_cpu *c, enum fz_kind k)
{
    switch (k) {
    case K_HCALL:
        hypercall(c);
        break;
    case K_PSCI:
        psci_random(c);
        break;
    case K_CPU_ON:
        cpu_on_op(c);
        break;
    default:
        imm_call(c, k);
        break;
    }
}
