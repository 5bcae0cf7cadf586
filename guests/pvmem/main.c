/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PV calls an unmodified Linux makes besides event channels and grant tables, each for
 * success and for each error it can return (xen-abi-facts B): xen_version's sub-ops, memory_op
 * (shared_info in and out of the map, the batch, the balloon's decrease and populate, the
 * counts), vcpu_op (vcpu_info, runstate, is_up), vm_assist, hvm_op's parameters, sched_op poll
 * and remote_shutdown, and console_io (a domU is refused).  Pointer arguments are tried
 * unmapped, read-only, crossing into an unmapped page, at device memory and wrapping.  Runs as
 * a lone domU with 2 vCPUs (vCPU 1 stays off).
 */
#include <xen/hvm.h>
#include <xen/memory.h>
#include <xen/vcpu.h>
#include "arm.h"
#include "console.h"
#include "gic.h"
#include "guest.h"
#include "platform.h"
#include "test.h"
#include "timer.h"
#include "xen.h"

const char guest_name[] = "pvmem";

/* Pages the tests take out of the map and put back: never touched by anything else. */
static uint8_t spare[4][4096] __attribute__((aligned(4096)));
/* Arguments, and a page that is mapped read-only in the window. */
static uint8_t argpage[4096] __attribute__((aligned(4096)));
static uint8_t ropage[4096] __attribute__((aligned(4096)));
static struct vcpu_runstate_info runstate __attribute__((aligned(64)));

static uint64_t ro_va, hole_va; /* a read-only page; an unmapped one */
static const uint64_t wrap_va = ~0UL - 3;

#define SELF DOMID_SELF
#define HC(op, a, b, c) xen_hypercall(HYPERVISOR_##op, (a), (b), (c), 0, 0)
#define GFN(p) ((uint64_t)(uintptr_t)(p) >> 12)

/* Expect got == want. */
static void expect(const char *name, long got, long want, const char *why)
{
    check(got == want, name, "%ld, want %ld: %s", got, want, why);
}

static void window(void)
{
    ro_va = mmu_scratch_map(0, (uintptr_t)ropage, false);
    hole_va = mmu_scratch_va(1);
    mmu_scratch_unmap(1);
}

/* --- xen_version --- */

static void version(void)
{
    char *buf = (char *)argpage;
    expect("ver_version", HC(xen_version, XENVER_version, 0, 0), 0x40011, "4.17");
    memset(buf, 0x55, 64);
    expect("ver_extraversion", HC(xen_version, XENVER_extraversion, (uintptr_t)buf, 0), 0, "ok");
    check(buf[0] == '-' && buf[15] == 0, "ver_extraversion_text", "\"%s\"", buf);
    expect("ver_extraversion_ro", HC(xen_version, XENVER_extraversion, ro_va, 0), -XEN_EFAULT,
           "read-only buffer");
    expect("ver_extraversion_cross", HC(xen_version, XENVER_extraversion, ro_va + 4090, 0),
           -XEN_EFAULT, "runs from a read-only page into an unmapped one");
    expect("ver_capabilities", HC(xen_version, XENVER_capabilities, (uintptr_t)buf, 0), 0, "ok");
    check(!strcmp(buf, "xen-3.0-aarch64 "), "ver_capabilities_text", "\"%s\"", buf);
    expect("ver_capabilities_unmapped", HC(xen_version, XENVER_capabilities, hole_va, 0),
           -XEN_EFAULT, "unmapped");
    expect("ver_changeset", HC(xen_version, XENVER_changeset, (uintptr_t)buf, 0), 0, "ok");
    expect("ver_compile_info", HC(xen_version, XENVER_compile_info, (uintptr_t)buf, 0), 0, "ok");
    *(uint64_t *)buf = 77;
    expect("ver_platform_parameters",
           HC(xen_version, XENVER_platform_parameters, (uintptr_t)buf, 0), 0, "ok");
    check(*(uint64_t *)buf == 0, "ver_platform_parameters_zero", "virt_start %#lx",
          *(uint64_t *)buf);
    uint32_t *fi = (uint32_t *)buf;
    fi[0] = 0;
    fi[1] = 0;
    expect("ver_get_features", HC(xen_version, XENVER_get_features, (uintptr_t)fi, 0), 0, "ok");
    check(fi[1] == XENFEAT_ARM_4_17_DOMU, "ver_features_domu", "submap %#x", fi[1]);
    fi[0] = 1;
    expect("ver_get_features_submap", HC(xen_version, XENVER_get_features, (uintptr_t)fi, 0),
           -XEN_EINVAL, "only submap 0");
    expect("ver_get_features_device", HC(xen_version, XENVER_get_features, plat.gicd, 0),
           -XEN_EFAULT, "device memory");
    expect("ver_get_features_wrap", HC(xen_version, XENVER_get_features, wrap_va, 0), -XEN_EFAULT,
           "wraps around");
    expect("ver_pagesize", HC(xen_version, XENVER_pagesize, 0, 0), 4096, "4 KiB");
    expect("ver_pagesize_arg", HC(xen_version, XENVER_pagesize, (uintptr_t)buf, 0), -XEN_EINVAL,
           "the argument must be NULL");
    uint8_t *h = argpage + 256;
    expect("ver_guest_handle", HC(xen_version, XENVER_guest_handle, (uintptr_t)h, 0), 0, "ok");
    check((h[6] >> 4) == 4 && (h[8] >> 6) == 2, "ver_guest_handle_uuid", "%02x%02x...", h[0], h[1]);
    expect("ver_guest_handle_ro", HC(xen_version, XENVER_guest_handle, ro_va, 0), -XEN_EFAULT,
           "read-only");
    expect("ver_commandline", HC(xen_version, XENVER_commandline, (uintptr_t)buf, 0), -XEN_EPERM,
           "the control domain's only");
    expect("ver_build_id", HC(xen_version, XENVER_build_id, 0, 0), -XEN_EPERM, "control only");
    expect("ver_unknown", HC(xen_version, XENVER_commandline2, 0, 0), -XEN_ENOSYS, "not 4.17");
}

/* --- memory_op --- */

static long memop(unsigned cmd, const void *arg)
{
    return HC(memory_op, cmd, (uintptr_t)arg, 0);
}

static long xatp(unsigned space, uint64_t idx, uint64_t gpfn, uint16_t domid)
{
    struct xen_add_to_physmap *x = (void *)argpage;
    *x = (struct xen_add_to_physmap){ .domid = domid, .space = space, .idx = idx, .gpfn = gpfn };
    return memop(XENMEM_add_to_physmap, x);
}

static long rfp(uint64_t gpfn, uint16_t domid)
{
    struct xen_remove_from_physmap *x = (void *)argpage;
    *x = (struct xen_remove_from_physmap){ .domid = domid, .gpfn = gpfn };
    return memop(XENMEM_remove_from_physmap, x);
}

/* A reservation call over the gfns in list. */
static long resv(unsigned cmd, const xen_pfn_t *list, uint64_t n, unsigned order, uint32_t flags,
                 uint16_t domid)
{
    struct xen_memory_reservation *r = (void *)(argpage + 512);
    *r = (struct xen_memory_reservation){ .extent_start = (uintptr_t)list,
                                          .nr_extents = n,
                                          .extent_order = order,
                                          .mem_flags = flags,
                                          .domid = domid };
    return memop(cmd, r);
}

static long count(unsigned cmd, uint16_t domid)
{
    uint16_t *d = (void *)(argpage + 1024);
    *d = domid;
    return memop(cmd, d);
}

static void physmap_calls(void)
{
    uint64_t a = GFN(spare[0]), b = GFN(spare[1]);
    long cur = count(XENMEM_current_reservation, SELF);
    expect("xatp_shared_info", xatp(XENMAPSPACE_shared_info, 0, a, SELF), 0, "Linux's first call");
    volatile struct shared_info *si = (void *)spare[0];
    check(si->wc_version == 2, "xatp_shared_info_mapped", "wc_version %u", si->wc_version);
    expect("xatp_replaced_ram", count(XENMEM_current_reservation, SELF), cur - 1,
           "the RAM page it replaced went back");
    expect("xatp_shared_info_idx", xatp(XENMAPSPACE_shared_info, 1, a, SELF), -XEN_EINVAL,
           "idx must be 0");
    expect("xatp_gmfn", xatp(XENMAPSPACE_gmfn, 0, a, SELF), -XEN_ENOSYS, "not on Arm");
    expect("xatp_space", xatp(99, 0, a, SELF), -XEN_ENOSYS, "no such space");
    expect("xatp_foreign", xatp(XENMAPSPACE_gmfn_foreign, 0, a, SELF), -XEN_ENOSYS, "batch only");
    expect("xatp_dev_mmio", xatp(XENMAPSPACE_dev_mmio, GFN(plat.gicd), a, SELF), -XEN_EACCES,
           "a domU maps no device");
    expect("xatp_domid", xatp(XENMAPSPACE_shared_info, 0, a, DOMID_FIRST_RESERVED + 1), -XEN_ESRCH,
           "no such domain");
    expect("xatp_gpfn_huge", xatp(XENMAPSPACE_shared_info, 0, ~0UL, SELF), -XEN_EINVAL,
           "gpfn beyond any address");
    long g = xatp(XENMAPSPACE_grant_table, 1UL << 40, b, SELF);
    check(g < 0, "xatp_grant_idx", "grant frame 2^40: %ld", g);
    expect("xatp_unmapped", memop(XENMEM_add_to_physmap, (void *)hole_va), -XEN_EFAULT, "unmapped");
    expect("xatp_device", memop(XENMEM_add_to_physmap, (void *)plat.gicd), -XEN_EFAULT,
           "device memory");
    expect("xatp_wrap", memop(XENMEM_add_to_physmap, (void *)wrap_va), -XEN_EFAULT, "wraps");
    expect("xatp_cmd_extent", HC(memory_op, XENMEM_add_to_physmap | (1UL << 30), 0, 0), -XEN_EDOM,
           "progress it cannot have");

    /* Mapped elsewhere, it leaves its old place. */
    expect("xatp_shared_info_move", xatp(XENMAPSPACE_shared_info, 0, b, SELF), 0, "moves");
    check(((volatile struct shared_info *)spare[1])->wc_version == 2, "xatp_moved",
          "readable at the new place");
    expect("rfp_old_place", rfp(a, SELF), -XEN_ENOENT, "nothing left at the old place");
    expect("rfp_shared_info", rfp(b, SELF), 0, "removed");
    expect("rfp_again", rfp(b, SELF), -XEN_ENOENT, "nothing there");
    expect("rfp_device", rfp(GFN(plat.gicd), SELF), -XEN_ENOENT, "a device is not removable");
    expect("rfp_domid", rfp(b, DOMID_FIRST_RESERVED + 1), -XEN_ESRCH, "no such domain");
    expect("rfp_unmapped", memop(XENMEM_remove_from_physmap, (void *)hole_va), -XEN_EFAULT,
           "unmapped");
    expect("rfp_cmd_extent", HC(memory_op, XENMEM_remove_from_physmap | (1UL << 6), 0, 0),
           -XEN_EINVAL, "no progress to continue from");

    /* The batch: one result per entry. */
    struct xen_add_to_physmap_batch *bt = (void *)(argpage + 2048);
    xen_ulong_t *idxs = (void *)(argpage + 2304);
    xen_pfn_t *gpfns = (void *)(argpage + 2560);
    int32_t *errs = (void *)(argpage + 2816);
    idxs[0] = 0, idxs[1] = 1, gpfns[0] = a, gpfns[1] = a, errs[0] = errs[1] = 99;
    *bt = (struct xen_add_to_physmap_batch){ .domid = SELF,
                                             .space = XENMAPSPACE_shared_info,
                                             .size = 2,
                                             .idxs = (uintptr_t)idxs,
                                             .gpfns = (uintptr_t)gpfns,
                                             .errs = (uintptr_t)errs };
    expect("batch", memop(XENMEM_add_to_physmap_batch, bt), 0, "per-entry results");
    check(errs[0] == 0 && errs[1] == -XEN_EINVAL, "batch_errs", "%d %d", errs[0], errs[1]);
    bt->errs = ro_va;
    expect("batch_errs_ro", memop(XENMEM_add_to_physmap_batch, bt), -XEN_EFAULT, "read-only");
    bt->errs = (uintptr_t)errs;
    bt->idxs = hole_va;
    expect("batch_idxs_unmapped", memop(XENMEM_add_to_physmap_batch, bt), -XEN_EFAULT, "unmapped");
    bt->idxs = (uintptr_t)idxs;
    bt->space = XENMAPSPACE_gmfn_foreign;
    bt->u.foreign_domid = SELF;
    bt->size = 1;
    expect("batch_foreign_self", memop(XENMEM_add_to_physmap_batch, bt), 0, "per entry");
    check(errs[0] == -XEN_EINVAL, "batch_foreign_self_err", "%d", errs[0]);
    bt->space = XENMAPSPACE_gmfn_range;
    expect("batch_range", memop(XENMEM_add_to_physmap_batch, bt), -XEN_EOPNOTSUPP, "not batched");
    expect("batch_unmapped", memop(XENMEM_add_to_physmap_batch, (void *)hole_va), -XEN_EFAULT,
           "unmapped");
    expect("rfp_batch_mapped", rfp(a, SELF), 0, "the batch's shared_info goes");

    /* Put RAM back where shared_info was. */
    xen_pfn_t *list = (void *)(argpage + 3072);
    list[0] = a, list[1] = b;
    expect("populate_back", resv(XENMEM_populate_physmap, list, 2, 0, 0, SELF), 2, "both");
    expect("populate_back_count", count(XENMEM_current_reservation, SELF), cur, "as before");
    spare[0][0] = 1, spare[1][4095] = 2;
    check(spare[0][0] == 1 && spare[1][4095] == 2, "populate_back_usable", "RAM again");
}

static void reservation_calls(void)
{
    xen_pfn_t *list = (void *)(argpage + 3072);
    uint64_t c = GFN(spare[2]), d = GFN(spare[3]);
    long cur = count(XENMEM_current_reservation, SELF);
    long max = count(XENMEM_maximum_reservation, SELF);
    check(cur > 0 && cur <= max, "counts", "current %ld, maximum %ld", cur, max);
    check(max == (long)(plat.mem_size[0] >> 12), "count_max", "maximum %ld pages", max);
    long top = count(XENMEM_maximum_gpfn, SELF);
    check(top >= (long)GFN(plat.mem_base[0] + plat.mem_size[0] - 1), "count_max_gpfn", "%#lx", top);
    expect("count_domid", count(XENMEM_current_reservation, DOMID_FIRST_RESERVED + 1), -XEN_ESRCH,
           "no such domain");
    expect("count_unmapped", memop(XENMEM_current_reservation, (void *)hole_va), -XEN_EFAULT,
           "unmapped");
    uint16_t *self = (void *)(argpage + 1024);
    *self = SELF;
    expect(
        "count_cmd_extent",
        HC(memory_op, XENMEM_current_reservation | (1UL << MEMOP_EXTENT_SHIFT), (uintptr_t)self, 0),
        -XEN_EINVAL, "no progress to continue from");

    list[0] = c, list[1] = d;
    expect("decrease", resv(XENMEM_decrease_reservation, list, 2, 0, 0, SELF), 2, "two pages");
    expect("decrease_count", count(XENMEM_current_reservation, SELF), cur - 2, "given back");
    expect("decrease_again", resv(XENMEM_decrease_reservation, list, 2, 0, 0, SELF), 0,
           "no RAM there");
    list[1] = GFN(plat.gicd);
    expect("decrease_device", resv(XENMEM_decrease_reservation, list + 1, 1, 0, 0, SELF), 0,
           "a device is not RAM");
    list[1] = d;
    expect("populate_order", resv(XENMEM_populate_physmap, list, 1, 10, 0, SELF), 0,
           "order 10 is beyond a domU's 9");
    expect("populate_vnode", resv(XENMEM_populate_physmap, list, 1, 0, XENMEMF_vnode, SELF), 0,
           "no virtual NUMA");
    expect("populate_list_unmapped", resv(XENMEM_populate_physmap, (void *)hole_va, 1, 0, 0, SELF),
           0, "extent list unmapped");
    expect("populate_domid", resv(XENMEM_populate_physmap, list, 1, 0, 0, 0x7ff5), 0,
           "no such domain");
    expect("populate_arg_unmapped", memop(XENMEM_populate_physmap, (void *)hole_va), 0,
           "nothing done");
    expect("increase", resv(XENMEM_increase_reservation, list, 1, 0, 0, SELF), 0,
           "frames with no place are useless to a translated guest");
    /* The continuation encoding: a call that says it is past its end does nothing more. */
    struct xen_memory_reservation *r = (void *)(argpage + 512);
    *r = (struct xen_memory_reservation){ .extent_start = (uintptr_t)list,
                                          .nr_extents = 2,
                                          .domid = SELF };
    expect("populate_cmd_past_end",
           HC(memory_op, XENMEM_populate_physmap | (5UL << MEMOP_EXTENT_SHIFT), (uintptr_t)r, 0), 5,
           "start beyond nr_extents");
    expect("populate", resv(XENMEM_populate_physmap, list, 2, 0, 0, SELF), 2, "both back");
    expect("populate_exists", resv(XENMEM_populate_physmap, list, 2, 0, 0, SELF), 0, "already RAM");
    expect("populate_count", count(XENMEM_current_reservation, SELF), cur, "as before");
    /* At the allowance, more RAM is refused (a gfn past the end of RAM). */
    long now = count(XENMEM_current_reservation, SELF);
    list[0] = GFN(plat.mem_base[0] + plat.mem_size[0]) + 16;
    expect("populate_over_max", resv(XENMEM_populate_physmap, list, 1, 0, 0, SELF),
           now < max ? 1 : 0, "beyond the allowance only if at it");
    if (now < max)
        resv(XENMEM_decrease_reservation, list, 1, 0, 0, SELF);
    expect("memop_unknown", HC(memory_op, XENMEM_exchange, 0, 0), -XEN_ENOSYS, "not offered");
}

/* --- vcpu_op, vm_assist --- */

static void vcpu_calls(void)
{
    struct vcpu_register_vcpu_info *vi = (void *)argpage;
    uint64_t g = GFN(spare[2]);
    *vi = (struct vcpu_register_vcpu_info){ .mfn = g, .offset = 4 };
    expect("vcpuinfo_misaligned", HC(vcpu_op, VCPUOP_register_vcpu_info, 0, (uintptr_t)vi),
           -XEN_ENXIO, "offset not 8-aligned");
    vi->offset = 4096 - 40;
    expect("vcpuinfo_cross", HC(vcpu_op, VCPUOP_register_vcpu_info, 0, (uintptr_t)vi), -XEN_ENXIO,
           "crosses the page");
    vi->offset = 0;
    vi->mfn = GFN(plat.gicd);
    expect("vcpuinfo_device", HC(vcpu_op, VCPUOP_register_vcpu_info, 0, (uintptr_t)vi), -XEN_EINVAL,
           "device memory (Xen's map_vcpu_info: no page there)");
    vi->mfn = g;
    expect("vcpuinfo_vcpu", HC(vcpu_op, VCPUOP_register_vcpu_info, 9, (uintptr_t)vi), -XEN_ENOENT,
           "no vCPU 9");
    expect("vcpuinfo_unmapped", HC(vcpu_op, VCPUOP_register_vcpu_info, 0, hole_va), -XEN_EFAULT,
           "unmapped");
    expect("vcpuinfo", HC(vcpu_op, VCPUOP_register_vcpu_info, 0, (uintptr_t)vi), 0, "ok");
    check(((volatile struct vcpu_info *)spare[2])->evtchn_upcall_pending == 1, "vcpuinfo_moved",
          "the upcall is raised once there");
    expect("vcpuinfo_again", HC(vcpu_op, VCPUOP_register_vcpu_info, 0, (uintptr_t)vi), -XEN_EINVAL,
           "once only");
    vi->offset = 64;
    expect("vcpuinfo_offline_vcpu", HC(vcpu_op, VCPUOP_register_vcpu_info, 1, (uintptr_t)vi), 0,
           "another vCPU while it is off");
    expect("is_up_0", HC(vcpu_op, VCPUOP_is_up, 0, 0), 1, "running");
    expect("is_up_1", HC(vcpu_op, VCPUOP_is_up, 1, 0), 0, "never started");
    expect("vcpuop_other", HC(vcpu_op, VCPUOP_initialise, 0, 0), -XEN_EINVAL, "not on Arm");

    expect("vm_assist", HC(vm_assist, VMASST_CMD_enable, VMASST_TYPE_runstate_update_flag, 0), 0,
           "the runstate flag");
    expect("vm_assist_type", HC(vm_assist, VMASST_CMD_enable, 0, 0), -XEN_EINVAL, "not on Arm");
    expect("vm_assist_type_64", HC(vm_assist, VMASST_CMD_enable, 64, 0), -XEN_EINVAL,
           "no such bit");
    expect("vm_assist_cmd", HC(vm_assist, 7, VMASST_TYPE_runstate_update_flag, 0), -XEN_ENOSYS,
           "no such command");

    uint64_t *area = (void *)(argpage + 1536);
    *area = (uintptr_t)&runstate;
    expect("runstate", HC(vcpu_op, VCPUOP_register_runstate_memory_area, 0, (uintptr_t)area), 0,
           "ok");
    volatile struct vcpu_runstate_info *rs = &runstate;
    check(rs->state == RUNSTATE_running && rs->state_entry_time > 0 &&
              rs->time[RUNSTATE_offline] > 0 && !(rs->state_entry_time & XEN_RUNSTATE_UPDATE),
          "runstate_written", "state %d since %lu, %lu ns offline before", rs->state,
          (unsigned long)rs->state_entry_time, (unsigned long)rs->time[RUNSTATE_offline]);
    /* Blocked in a poll until the virtual timer fires (PSTATE.I stays masked): switched out and
     * in, the area shows time spent blocked. */
    uint64_t before = rs->state_entry_time;
    uint64_t waited = rs->time[RUNSTATE_blocked] + rs->time[RUNSTATE_runnable];
    struct sched_poll *p = (void *)(argpage + 1792);
    *p = (struct sched_poll){ 0 };
    gic_enable(plat.timer_virt_ppi);
    write_sysreg(timer_deadline_us(20000), cntv_cval_el0);
    write_sysreg(CNTV_CTL_ENABLE, cntv_ctl_el0);
    isb();
    expect("poll_blocks", HC(sched_op, SCHEDOP_poll, (uintptr_t)p, 0), 0, "woken by the timer");
    write_sysreg(0, cntv_ctl_el0);
    isb();
    gic_disable(plat.timer_virt_ppi);
    /* Blocked, or only runnable if the timer fired before the vCPU was switched out. */
    uint64_t now_waited = rs->time[RUNSTATE_blocked] + rs->time[RUNSTATE_runnable];
    check(rs->state_entry_time != before && now_waited > waited, "runstate_updates",
          "entry time %lu -> %lu, blocked or runnable %lu -> %lu ns", (unsigned long)before,
          (unsigned long)rs->state_entry_time, (unsigned long)waited, (unsigned long)now_waited);
    expect("runstate_vcpu", HC(vcpu_op, VCPUOP_register_runstate_memory_area, 5, (uintptr_t)area),
           -XEN_ENOENT, "no vCPU 5");
    expect("runstate_arg_unmapped", HC(vcpu_op, VCPUOP_register_runstate_memory_area, 0, hole_va),
           -XEN_EFAULT, "argument unmapped");
    *area = hole_va;
    expect("runstate_area_unmapped",
           HC(vcpu_op, VCPUOP_register_runstate_memory_area, 0, (uintptr_t)area), 0,
           "as Xen: registered as no area");
    *area = 0;
    expect("runstate_none", HC(vcpu_op, VCPUOP_register_runstate_memory_area, 0, (uintptr_t)area),
           0, "stops the updates");
}

/* --- hvm_op --- */

static long hvm(unsigned op, uint16_t domid, uint32_t index, uint64_t *value)
{
    struct xen_hvm_param *p = (void *)(argpage + 3584);
    *p = (struct xen_hvm_param){ .domid = domid, .index = index, .value = *value };
    long r = HC(hvm_op, op, (uintptr_t)p, 0);
    *value = p->value;
    return r;
}

static void hvm_calls(void)
{
    uint64_t v = 0;
    expect("hvm_callback_irq", hvm(HVMOP_get_param, SELF, HVM_PARAM_CALLBACK_IRQ, &v), 0, "ok");
    check(v == 0x020000000000021fUL, "hvm_callback_irq_value", "%#lx", v);
    v = 5;
    expect("hvm_store_pfn", hvm(HVMOP_get_param, SELF, HVM_PARAM_STORE_PFN, &v), 0, "ok");
    check(v == 0, "hvm_store_pfn_unset", "%#lx", v);
    expect("hvm_monitor", hvm(HVMOP_get_param, SELF, HVM_PARAM_MONITOR_RING_PFN, &v), -XEN_EPERM,
           "the toolstack's");
    expect("hvm_get_unused", hvm(HVMOP_get_param, SELF, 3, &v), -XEN_EINVAL, "unused on Arm");
    expect("hvm_get_range", hvm(HVMOP_get_param, SELF, HVM_NR_PARAMS, &v), -XEN_EINVAL,
           "out of range");
    expect("hvm_set_self", hvm(HVMOP_set_param, SELF, HVM_PARAM_CALLBACK_IRQ, &v), -XEN_EPERM,
           "not of itself");
    expect("hvm_set_unused", hvm(HVMOP_set_param, SELF, 3, &v), -XEN_EINVAL, "unused on Arm");
    expect("hvm_domid", hvm(HVMOP_get_param, 0x7ff5, HVM_PARAM_STORE_PFN, &v), -XEN_ESRCH,
           "no such domain");
    expect("hvm_unmapped", HC(hvm_op, HVMOP_get_param, hole_va, 0), -XEN_EFAULT, "unmapped");
    struct xen_hvm_param *p = (void *)ropage;
    p->domid = SELF;
    p->index = HVM_PARAM_STORE_PFN;
    expect("hvm_readonly", HC(hvm_op, HVMOP_get_param, ro_va, 0), -XEN_EFAULT,
           "value cannot be written back");
    expect("hvm_unknown", HC(hvm_op, 5, 0, 0), -XEN_ENOSYS, "not on Arm");
}

/* --- sched_op poll, remote_shutdown; console_io --- */

static void sched_calls(void)
{
    struct sched_poll *p = (void *)(argpage + 1792);
    uint32_t *ports = (void *)(argpage + 1856);
    ports[0] = 3;
    *p = (struct sched_poll){ .ports = (uintptr_t)ports, .nr_ports = 1, .timeout = 1 };
    expect("poll_timeout_past", HC(sched_op, SCHEDOP_poll, (uintptr_t)p, 0), 0, "returns");
    p->timeout = ~0UL;
    expect("poll_timeout_future", HC(sched_op, SCHEDOP_poll, (uintptr_t)p, 0), 0, "returns");
    p->nr_ports = 129;
    expect("poll_many", HC(sched_op, SCHEDOP_poll, (uintptr_t)p, 0), -XEN_EINVAL, "over 128");
    p->nr_ports = 1;
    ports[0] = 4096;
    expect("poll_port", HC(sched_op, SCHEDOP_poll, (uintptr_t)p, 0), -XEN_EINVAL, "no such port");
    p->ports = hole_va;
    expect("poll_ports_unmapped", HC(sched_op, SCHEDOP_poll, (uintptr_t)p, 0), -XEN_EFAULT,
           "unmapped");
    expect("poll_unmapped", HC(sched_op, SCHEDOP_poll, hole_va, 0), -XEN_EFAULT, "unmapped");
    uint32_t *rs = (void *)(argpage + 1920);
    rs[0] = 1, rs[1] = SHUTDOWN_poweroff; /* domain 1 (us, alone) */
    expect("remote_shutdown", HC(sched_op, SCHEDOP_remote_shutdown, (uintptr_t)rs, 0), -XEN_EPERM,
           "the control domain's");
    rs[0] = DOMID_SELF;
    expect("remote_shutdown_self", HC(sched_op, SCHEDOP_remote_shutdown, (uintptr_t)rs, 0),
           -XEN_ESRCH, "names no domain");
    expect("remote_shutdown_unmapped", HC(sched_op, SCHEDOP_remote_shutdown, hole_va, 0),
           -XEN_EFAULT, "unmapped");
    expect("console_io", HC(console_io, CONSOLEIO_write, 2, (uintptr_t) "x\n"), -XEN_EPERM,
           "the control domain's");
}

void guest_main(void *dtb)
{
    window();
    if (!gic_init() || !gic_cpu_init(false)) {
        check(false, "gic", "no GIC to wake a poll");
        return;
    }
    if (!plat.hypervisor) {
        note("pvmem: no hypervisor, no hypercalls to test");
        return;
    }
    version();
    physmap_calls();
    reservation_calls();
    vcpu_calls();
    hvm_calls();
    sched_calls();
}
