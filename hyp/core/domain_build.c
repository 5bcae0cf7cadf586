/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Building domains from the boot device tree (Xen's dom0less bindings: "xen,domain" nodes under
 * /chosen with multiboot modules) and loading a Linux arm64 Image, its initramfs and its device
 * tree into a domain's memory.  Runs on the boot CPU before any domain runs, and on restart
 * from the shutdown path, where the images are then copied by the new domain's vCPU 0 (below,
 * "Loading"); the domain being loaded runs no guest code.  Every domain that cannot be built
 * gets one line saying why: "domain NAME: not created: WHY".
 */
#include <stdarg.h>
#include <hyp/arch/boot.h>
#include <hyp/arch/domain.h>
#include <hyp/arch/mm.h>
#include <hyp/bitops.h>
#include <hyp/bootinfo.h>
#include <hyp/console.h>
#include <hyp/dom0.h>
#include <hyp/domain.h>
#include <hyp/errno.h>
#include <hyp/evtchn.h>
#include <hyp/gnttab.h>
#include <hyp/guest_access.h>
#include <hyp/heap.h>
#include <hyp/kernel_image.h>
#include <hyp/page_alloc.h>
#include <hyp/physmap.h>
#include <hyp/sched.h>
#include <hyp/smp.h>
#include <hyp/string.h>
#include <hyp/vmmio.h>

#define GUEST_FDT_MAX (64 * 1024)

/* Say why domain name is not built, in the form scripts/keel-qemu reports, and return err. */
static int __printf(3, 4) not_created(const char *name, int err, const char *fmt, ...)
{
    char why[192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    pr_err("domain %s: not created: %s\n", name, why);
    return err;
}

static enum domain_action parse_action(const struct fdt *f, int n, const char *prop,
                                       enum domain_action def)
{
    uint32_t len;
    const char *s = fdt_prop(f, n, prop, &len);
    if (!s || !len || strnlen(s, len) == len)
        return def;
    if (!strcmp(s, "destroy") || !strncmp(s, "coredump-destroy", 16))
        return ACTION_DESTROY;
    if (!strcmp(s, "restart") || !strcmp(s, "rename-restart") || !strcmp(s, "coredump-restart"))
        return ACTION_RESTART;
    if (!strcmp(s, "preserve"))
        return ACTION_PRESERVE;
    pr_warn("domain %s: unknown %s \"%s\", using the default\n", fdt_name(f, n), prop, s);
    return def;
}

/* Scheduling parameters and the CPU pool (docs/scheduling.md).  0 or -EINVAL after saying
 * what is wrong. */
static int parse_sched(const struct fdt *f, int n, const char *name, struct sched_params *sp)
{
    uint32_t v;
    uint64_t v64;
    if (fdt_prop_u32(f, n, "keel,cpu-weight", &v))
        sp->weight = v;
    if (fdt_prop_u32(f, n, "keel,cap", &v))
        sp->cap = v;
    if (fdt_prop_u64(f, n, "keel,budget-us", &v64))
        sp->budget_us = v64;
    if (fdt_prop_u64(f, n, "keel,period-us", &v64))
        sp->period_us = v64;
    sp->extratime = fdt_has_prop(f, n, "keel,rtds-extratime");
    /* Hard affinity, xl's cpus= ("all" or a CPU list of logical pCPU ids). */
    const char *cpus = fdt_prop_string(f, n, "keel,cpus");
    if (cpus && strcmp(cpus, "all") && sched_parse_cpulist(cpus, strlen(cpus), &sp->affinity)) {
        return not_created(name, -EINVAL,
                           "bad \"keel,cpus\" \"%s\" (\"all\" or a CPU list such as \"0-1,3\")",
                           cpus);
    }
    const char *pool = fdt_prop_string(f, n, "keel,pool");
    if (pool)
        strlcpy(sp->pool, pool, sizeof(sp->pool));
    /* Xen's binding: a phandle to a "xen,cpupool" node, whose node name is the pool's name. */
    if (fdt_prop_u32(f, n, "domain-cpupool", &v)) {
        int pn = fdt_find_phandle(f, v);
        if (pn < 0 || !fdt_compatible(f, pn, "xen,cpupool"))
            return not_created(name, -EINVAL,
                               "\"domain-cpupool\" does not point at a \"xen,cpupool\" node");
        if (pool && strcmp(pool, fdt_name(f, pn)))
            return not_created(name, -EINVAL,
                               "\"keel,pool\" (%s) and \"domain-cpupool\" (%s) disagree", pool,
                               fdt_name(f, pn));
        strlcpy(sp->pool, fdt_name(f, pn), sizeof(sp->pool));
    }
    if (!sched_pool_exists(sp->pool))
        return not_created(name, -EINVAL, "unknown CPU pool \"%s\"", sp->pool);
    return 0;
}

/* Grant-table limits, Xen's dom0less properties; absent = Xen's defaults, which are also the
 * most Keel allows.  0 or -EINVAL after saying what is wrong. */
static int parse_grant_limits(const struct fdt *f, int n, struct domain_config *cfg)
{
    uint32_t v;
    if (fdt_prop_u32(f, n, "max_grant_frames", &v)) {
        if (v < 1 || v > GNTTAB_MAX_FRAMES_LIMIT)
            return not_created(cfg->name, -EINVAL, "\"max_grant_frames\" %u (1 to %u)", v,
                               GNTTAB_MAX_FRAMES_LIMIT);
        cfg->max_grant_frames = v;
    }
    if (fdt_prop_u32(f, n, "max_maptrack_frames", &v)) {
        if (v > GNTTAB_MAX_MAPTRACK_FRAMES_LIMIT)
            return not_created(cfg->name, -EINVAL, "\"max_maptrack_frames\" %u (0 to %u)", v,
                               GNTTAB_MAX_MAPTRACK_FRAMES_LIMIT);
        /* 0 in the configuration means none; in cfg it means the default. */
        cfg->max_maptrack_frames = v ? v : GNTTAB_NO_MAPTRACK;
    }
    if (fdt_prop_u32(f, n, "max_grant_version", &v) && v != 1)
        pr_warn("domain %s: \"max_grant_version\" %u: Keel offers grant tables version 1 only\n",
                cfg->name, v);
    return 0;
}

/* Xen's "xen,enhanced" (xen-abi-facts H.5): "enabled" (also an empty property),
 * "no-xenstore" or "disabled".  Keel's default differs from Xen's: a domain without the
 * property gets the PV interfaces too, since Linux domains want them; "disabled" makes a plain
 * Arm VM.  0 or -EINVAL after saying what is wrong. */
static int parse_enhanced(const struct fdt *f, int n, struct domain_config *cfg)
{
    uint32_t len = 0;
    bool present = fdt_prop(f, n, "xen,enhanced", &len) != NULL;
    const char *s = fdt_prop_string(f, n, "xen,enhanced");
    cfg->xen_enhanced = cfg->xenstore = true;
    if (!present || !len || (s && !strcmp(s, "enabled")))
        return 0; /* absent (Keel's default) or empty: enabled */
    if (s && !strcmp(s, "disabled")) {
        cfg->xen_enhanced = cfg->xenstore = false;
        return 0;
    }
    if (s && !strcmp(s, "no-xenstore")) {
        cfg->xenstore = false;
        return 0;
    }
    return not_created(cfg->name, -EINVAL,
                       "bad \"xen,enhanced\" (\"enabled\", \"no-xenstore\" or \"disabled\")");
}

/* Host devices passed through, Keel's dom0less properties for xl's irqs= and iomem=
 * (docs/passthrough.md): "keel,irqs", host SPIs by INTID, a cell each; "keel,iomem", triples
 * <host size guest> of two cells each, as Xen's "xen,reg", page aligned.  Only their form is
 * checked here; domain_build checks them against the machine.  0 or -EINVAL after saying what
 * is wrong. */
static int parse_passthrough(const struct fdt *f, int n, struct domain_config *cfg)
{
    uint32_t len;
    const uint8_t *p = fdt_prop(f, n, "keel,irqs", &len);
    if (p && (len % 4 || len / 4 > DOMAIN_MAX_IRQS))
        return not_created(cfg->name, -EINVAL, "\"keel,irqs\" is not up to %u one-cell INTIDs",
                           DOMAIN_MAX_IRQS);
    for (uint32_t i = 0; p && i < len / 4; i++) {
        uint32_t irq = fdt32(p + 4 * i);
        if (irq < 32 || irq > 1019)
            return not_created(cfg->name, -EINVAL,
                               "irqs: %u is not a shared peripheral interrupt (32 to 1019)", irq);
        for (unsigned j = 0; j < cfg->nr_irqs; j++)
            if (cfg->irqs[j] == irq)
                return not_created(cfg->name, -EINVAL, "irqs: %u is given twice", irq);
        cfg->irqs[cfg->nr_irqs++] = (uint16_t)irq;
    }
    p = fdt_prop(f, n, "keel,iomem", &len);
    if (p && (len % 24 || len / 24 > DOMAIN_MAX_IOMEM))
        return not_created(cfg->name, -EINVAL,
                           "\"keel,iomem\" is not up to %u triples <host size guest> of two "
                           "cells each",
                           DOMAIN_MAX_IOMEM);
    for (uint32_t i = 0; p && i < len / 24; i++) {
        struct iomem_range r = { fdt64(p + 24 * i), fdt64(p + 24 * i + 16), fdt64(p + 24 * i + 8) };
        if (!r.size || !IS_ALIGNED(r.host | r.guest | r.size, PAGE_SIZE) ||
            r.host + r.size < r.host || r.guest + r.size < r.guest)
            return not_created(cfg->name, -EINVAL,
                               "iomem: %#lx bytes from %#lx at %#lx is not a range of whole pages",
                               r.size, r.host, r.guest);
        cfg->iomem[cfg->nr_iomem++] = r;
    }
    return 0;
}

static void copy_name(char *dst, const char *node_name)
{
    size_t i = 0;
    for (; node_name[i] && node_name[i] != '@' && i < DOMAIN_NAME_LEN - 1; i++)
        dst[i] = node_name[i];
    dst[i] = 0;
}

/* Fill cfg from a "xen,domain" node.  Returns 0 or -EINVAL after saying what is wrong. */
static int parse_domain_node(int n, struct domain_config *cfg)
{
    const struct fdt *f = &bootinfo.fdt;
    uint64_t kib = 0;
    uint32_t cpus = 1;
    memset(cfg, 0, sizeof(*cfg));
    copy_name(cfg->name, fdt_name(f, n));
    if (!fdt_prop_u64(f, n, "memory", &kib) || !kib || kib > UINT64_MAX / 1024)
        return not_created(cfg->name, -EINVAL, "missing or bad \"memory\" (KiB)");
    fdt_prop_u32(f, n, "cpus", &cpus);
    cfg->mem_bytes = kib * 1024;
    cfg->nr_vcpus = cpus;
    cfg->vpl011 = fdt_has_prop(f, n, "vpl011");
    uint32_t caps = 0;
    fdt_prop_u32(f, n, "capabilities", &caps); /* Xen's binding: bit 0, the control domain */
    cfg->is_control = caps & 1;
    if (parse_enhanced(f, n, cfg))
        return -EINVAL;
    cfg->on_poweroff = parse_action(f, n, "keel,on-poweroff", ACTION_DESTROY);
    cfg->on_reboot = parse_action(f, n, "keel,on-reboot", ACTION_RESTART);
    cfg->on_crash = parse_action(f, n, "keel,on-crash", ACTION_DESTROY);
    if (parse_sched(f, n, cfg->name, &cfg->sched))
        return -EINVAL;
    if (parse_grant_limits(f, n, cfg))
        return -EINVAL;
    if (parse_passthrough(f, n, cfg))
        return -EINVAL;
    struct boot_module m;
    for (int mn = bootinfo_next_module(n, -1, &m); mn >= 0; mn = bootinfo_next_module(n, mn, &m)) {
        if (m.kind == MOD_KERNEL && !cfg->kernel) {
            uint32_t len;
            const char *args = fdt_prop(f, mn, "bootargs", &len);
            cfg->kernel = m.base;
            cfg->kernel_size = m.size;
            if (args && len && strnlen(args, len) < len)
                strlcpy(cfg->bootargs, args, sizeof(cfg->bootargs));
        } else if (m.kind == MOD_RAMDISK && !cfg->ramdisk) {
            cfg->ramdisk = m.base;
            cfg->ramdisk_size = m.size;
        }
    }
    if (!cfg->kernel)
        return not_created(cfg->name, -EINVAL, "no \"multiboot,kernel\" module");
    /* Keel reads modules through its map of RAM, which is all it maps. */
    if (!bootinfo_in_ram(cfg->kernel, cfg->kernel_size) ||
        (cfg->ramdisk && !bootinfo_in_ram(cfg->ramdisk, cfg->ramdisk_size)))
        return not_created(cfg->name, -EINVAL, "its %s module is not in RAM",
                           bootinfo_in_ram(cfg->kernel, cfg->kernel_size) ? "ramdisk" : "kernel");
    return 0;
}

/* Where a domain's kernel, device tree and ramdisk go, as offsets from its RAM base. */
struct load_layout {
    uint64_t entry, fdt, initrd;
};

/* Check cfg's kernel and place it, its device tree and its ramdisk in the first bank of its
 * memory, of bank0 bytes, as Xen 4.17 places dom0's and dom0less domains' (xen-abi-facts H.4;
 * Xen's log on the bench machine: dom0's device tree at bank 0 + 128 MiB, its ramdisk 2 MiB
 * above): the kernel at the bank's base plus its text_offset; the device tree then the ramdisk,
 * each in whole 2 MiB, from 128 MiB into the bank if the kernel ends below that and they fit,
 * else at the top of the bank.  Where they go matters after the boot too: the device tree
 * stays reserved and the ramdisk is freed after unpacking, so a Linux guest's page allocator
 * starts from the layout it has on Xen.  0, or an error after saying why. */
static int load_layout(const struct domain_config *cfg, uint64_t bank0, struct load_layout *ll)
{
    struct kernel_image ki;
    char why[160];
    if (kernel_image_check((const uint8_t *)(uintptr_t)cfg->kernel, cfg->kernel_size, &ki, why,
                           sizeof(why)))
        return not_created(cfg->name, -ENOEXEC, "%s", why);
    uint64_t ram = bank0;
    uint64_t ramdisk = ALIGN_UP(cfg->ramdisk_size, PAGE_SIZE);
    /* In this order, so that no sum can wrap: each term is checked against ram first. */
    bool fits = ki.text_offset < ram && ki.size <= ram - ki.text_offset && ramdisk <= ram - MiB(2);
    if (fits) {
        uint64_t kern_end = ALIGN_UP(ki.text_offset + ki.size, MiB(2));
        uint64_t mods = MiB(2) + ALIGN_UP(ramdisk, MiB(2)); /* the device tree, the ramdisk */
        ll->entry = ki.text_offset;
        if (kern_end <= MiB(128) && MiB(128) <= ram && mods <= ram - MiB(128))
            ll->fdt = MiB(128);
        else
            ll->fdt = ram - mods;
        ll->initrd = ll->fdt + MiB(2);
        fits = mods <= ram && kern_end <= ram - mods;
    }
    if (!fits)
        return not_created(cfg->name, -ENOMEM,
                           "%lu MiB of memory is too small for its kernel (%lu KiB) and "
                           "ramdisk (%lu KiB)",
                           cfg->mem_bytes >> 20, (ki.text_offset + ki.size) >> 10, ramdisk >> 10);
    return 0;
}

/* What domain_create() would refuse or run short of, said before it starts: the configuration,
 * the memory free now, the kernel.  0, or an error after saying why. */
static int check_buildable(const struct domain_config *cfg, uint64_t free_bytes)
{
    struct guest_layout l;
    struct load_layout ll;
    arch_guest_layout(&l);
    if (!cfg->nr_vcpus || cfg->nr_vcpus > MAX_VCPUS_PER_DOMAIN)
        return not_created(cfg->name, -EINVAL, "%u vCPUs (1 to %u)", cfg->nr_vcpus,
                           MAX_VCPUS_PER_DOMAIN);
    if (!IS_ALIGNED(cfg->mem_bytes, MiB(2)) || cfg->mem_bytes > l.ram_size[0] + l.ram_size[1])
        return not_created(cfg->name, -EINVAL,
                           "memory must be a multiple of 2 MiB up to %lu GiB, not %lu KiB",
                           (l.ram_size[0] + l.ram_size[1]) >> 30, cfg->mem_bytes >> 10);
    if (cfg->mem_bytes > free_bytes)
        return not_created(cfg->name, -ENOMEM, "it asks for %lu MiB of memory, %lu MiB is free",
                           cfg->mem_bytes >> 20, free_bytes >> 20);
    /* A direct-mapped domain's first bank is the largest block free at build: checked then. */
    return load_layout(cfg, cfg->direct_map ? cfg->mem_bytes : MIN(cfg->mem_bytes, l.ram_size[0]),
                       &ll);
}

static uint64_t free_bytes(void)
{
    struct page_stats ps;
    page_alloc_stats(&ps);
    return ps.free_pages << PAGE_SHIFT;
}

/* RAM in the guest layout's banks, filled in order, or for a direct-mapped domain where the
 * allocator has it; d->ram says where it went. */
static int populate_ram(struct domain *d)
{
    if (d->cfg.direct_map) {
        int rc =
            physmap_populate_direct(d, d->cfg.mem_bytes, d->ram, MAX_GUEST_RAM_BANKS, &d->nr_ram);
        for (unsigned b = 0; !rc && b < d->nr_ram; b++) /* as Xen says where dom0's RAM is */
            pr_info("domain %s: RAM bank %u at %#lx-%#lx (%lu MiB), mapped 1:1\n", d->name, b,
                    d->ram[b].base, d->ram[b].base + d->ram[b].size, d->ram[b].size >> 20);
        return rc;
    }
    struct guest_layout l;
    arch_guest_layout(&l);
    uint64_t left = d->cfg.mem_bytes;
    for (unsigned b = 0; b < 2 && left; b++) {
        uint64_t n = MIN(left, l.ram_size[b]);
        int rc = physmap_populate(d, GPA(l.ram_base[b]), n);
        if (rc)
            return rc;
        d->ram[d->nr_ram++] = (struct mem_range){ l.ram_base[b], n };
        left -= n;
    }
    return left ? -EINVAL : 0;
}

/* The trigger of host interrupt irq, from the first node of the host device tree whose
 * "interrupts" name it; level (false), what most device lines are, if none does. */
static bool host_irq_edge(unsigned irq)
{
    const struct fdt *f = &bootinfo.fdt;
    for (int n = fdt_next_node(f, -1, NULL); n >= 0; n = fdt_next_node(f, n, NULL)) {
        unsigned intid;
        bool edge;
        for (unsigned i = 0; fdt_gic_irq(f, n, i, &intid, &edge) != -ENOENT; i++)
            if (intid == irq)
                return edge;
    }
    return false;
}

/* Who holds host interrupt irq that d could not have, for the message: a domain built before
 * it (whose configuration gave it), else Keel itself. */
static void irq_holder(const struct domain *d, unsigned irq, char *out, size_t size)
{
    snprintf(out, size, "Keel's own");
    for_each_listed_domain(o)
    {
        for (unsigned i = 0; o != d && i < o->cfg.nr_irqs; i++)
            if (o->cfg.irqs[i] == irq)
                snprintf(out, size, "given to domain %s", o->name);
    }
}

/* xl's spelling of an iomem range, for messages: "START,PAGES@GFN" in hexadecimal. */
static void iomem_name(const struct iomem_range *r, char *out, size_t size)
{
    snprintf(out, size, "\"%lx,%lx@%lx\"", r->host >> PAGE_SHIFT, r->size >> PAGE_SHIFT,
             r->guest >> PAGE_SHIFT);
}

/* dom0's share of the host's devices (arch_dom0_devices): memory mapped where it is, SPIs
 * linked to its own.  One that cannot be given is said and left out, as a device its driver
 * then cannot reach; only running out of memory stops the build. */
static int dom0_mmio(void *ctx, paddr_t base, uint64_t size)
{
    struct domain *d = ctx;
    int rc = physmap_map_mmio(d, GPA(base), base, size);
    if (rc)
        pr_warn("domain %s: host device memory %#lx+%#lx not given (error %d)\n", d->name, base,
                size, rc);
    return rc == -ENOMEM ? rc : 0;
}

static int dom0_spi(void *ctx, unsigned intid, bool edge)
{
    struct domain *d = ctx;
    int rc = arch_domain_assign_irq(d, intid, edge);
    if (rc)
        pr_warn("domain %s: host interrupt %u not given (error %d)\n", d->name, intid, rc);
    return rc == -ENOMEM ? rc : 0;
}

static int give_host_devices(struct domain *d)
{
    static const struct dom0_device_ops ops = { dom0_mmio, dom0_spi };
    int rc = arch_dom0_devices(&bootinfo.fdt, bootinfo.uart_base, &ops, d);
    return rc ? not_created(d->name, rc, "cannot give it the host's devices (error %d)", rc) : 0;
}

/* Give d the host devices its configuration names: device memory mapped where it says, host
 * SPIs linked to its own.  Refuses memory Keel uses itself, a guest range over RAM, another
 * range or an emulated device, Keel's interrupts and those given to another domain.  0, or an
 * error after saying why (what was given so far goes back with d). */
static int give_devices(struct domain *d)
{
    const struct domain_config *cfg = &d->cfg;
    char what[48];
    if (cfg->direct_map)
        return give_host_devices(d);
    for (unsigned i = 0; i < cfg->nr_iomem; i++) {
        const struct iomem_range *r = &cfg->iomem[i];
        iomem_name(r, what, sizeof(what));
        if (arch_hyp_maps_any(r->host, r->size))
            return not_created(d->name, -EPERM,
                               "iomem %s: host memory Keel uses itself (RAM, its UART or the "
                               "interrupt controller)",
                               what);
        if (vmmio_overlaps(d, r->guest, r->size))
            return not_created(d->name, -EEXIST,
                               "iomem %s: the guest range overlaps one of its emulated devices",
                               what);
        int rc = physmap_map_mmio(d, GPA(r->guest), r->host, r->size);
        if (rc == -EEXIST)
            return not_created(d->name, rc,
                               "iomem %s: the guest range overlaps its RAM or another iomem range",
                               what);
        if (rc)
            return not_created(d->name, rc, "iomem %s: cannot be mapped (error %d)", what, rc);
    }
    struct guest_layout l;
    arch_guest_layout(&l);
    for (unsigned i = 0; i < cfg->nr_irqs; i++) {
        unsigned irq = cfg->irqs[i];
        if (d->vuart && irq == l.uart_irq)
            return not_created(d->name, -EBUSY, "irqs: %u is its emulated UART's interrupt", irq);
        int rc = arch_domain_assign_irq(d, irq, host_irq_edge(irq));
        if (rc == -EBUSY) {
            irq_holder(d, irq, what, sizeof(what));
            return not_created(d->name, rc, "irqs: host interrupt %u is %s", irq, what);
        }
        if (rc == -EINVAL)
            return not_created(d->name, rc,
                               "irqs: host interrupt %u is beyond the interrupt controller's lines",
                               irq);
        if (rc)
            return not_created(d->name, rc, "irqs: host interrupt %u: error %d", irq, rc);
    }
    return 0;
}

/*
 * Loading a domain's images: its kernel, its ramdisk, then its device tree, copied into its
 * memory in steps of at most LOAD_STEP bytes.  At boot the steps run back to back.  A domain
 * that restarts copies them on its own vCPU 0 (domain_load_run), on the time the scheduler
 * gives it: the copy is charged to the domain that asked for it, and between two steps
 * interrupts are taken and the other vCPUs of the pCPU get their turn.  The kernel alone is
 * 30 MiB for Debian's; copied all at once from the shutdown path it held one pCPU for 9.6 ms
 * of machine time with interrupts masked, charged to whichever vCPU was there.
 */
#define LOAD_STEP KiB(256)

enum load_phase { LOAD_KERNEL, LOAD_RAMDISK, LOAD_FDT };

struct domain_loader {
    struct load_layout ll;
    enum load_phase phase;
    uint64_t done; /* bytes of the current image copied */
};

/* Where the images go, and vCPU 0 pointed at the kernel (before it first runs). */
static int loader_init(struct domain *d, struct domain_loader *ld)
{
    int rc = load_layout(&d->cfg, d->ram[0].size, &ld->ll);
    if (rc)
        return rc;
    ld->phase = LOAD_KERNEL;
    ld->done = 0;
    uint64_t base = d->ram[0].base;
    arch_vcpu_reset(d->vcpus[0], base + ld->ll.entry, base + ld->ll.fdt);
    return 0;
}

/* Copy the next at most `budget` bytes of an image of `size` bytes to `at` in d.  1 while some
 * are left, 0 once it is all there, or an error. */
static int load_image(struct domain *d, struct domain_loader *ld, uint64_t at, paddr_t image,
                      uint64_t size, uint64_t budget)
{
    if (!ld->done) /* The image fills whole leaves of untouched RAM: no zeroing of those. */
        physmap_claim_overwritten(d, GPA(at), size);
    uint64_t n = MIN(budget, size - ld->done);
    int rc = copy_to_gpa(d, GPA(at + ld->done), (const void *)(uintptr_t)(image + ld->done), n,
                         GPA_CLEAN);
    if (rc)
        return rc;
    ld->done += n;
    return ld->done < size;
}

/* One step of at most `budget` bytes: 1 while there is more to do, 0 once d is loaded, or an
 * error after saying why. */
static int load_step(struct domain *d, struct domain_loader *ld, uint64_t budget)
{
    uint64_t base = d->ram[0].base;
    int rc;
    switch (ld->phase) {
    case LOAD_KERNEL:
        rc = load_image(d, ld, base + ld->ll.entry, d->cfg.kernel, d->cfg.kernel_size, budget);
        break;
    case LOAD_RAMDISK:
        rc = load_image(d, ld, base + ld->ll.initrd, d->cfg.ramdisk, d->cfg.ramdisk_size, budget);
        break;
    case LOAD_FDT:
    default: {
        void *fdt = heap_alloc(GUEST_FDT_MAX);
        if (!fdt)
            return not_created(d->name, -ENOMEM, "out of memory for its device tree");
        int fdt_size =
            arch_guest_fdt(d, fdt, GUEST_FDT_MAX, GPA(d->cfg.ramdisk ? base + ld->ll.initrd : 0),
                           d->cfg.ramdisk_size);
        rc = fdt_size < 0
                 ? fdt_size
                 : copy_to_gpa(d, GPA(base + ld->ll.fdt), fdt, (uint64_t)fdt_size, GPA_CLEAN);
        heap_free(fdt);
        if (rc)
            return not_created(d->name, rc, "cannot write its device tree (%d)", rc);
        arch_icache_invalidate();
        return 0;
    }
    }
    if (rc < 0)
        return not_created(d->name, rc, "cannot copy its %s (%d)",
                           ld->phase == LOAD_KERNEL ? "kernel" : "ramdisk", rc);
    if (!rc) { /* this image is in: the next one */
        ld->phase = ld->phase == LOAD_KERNEL && d->cfg.ramdisk ? LOAD_RAMDISK : LOAD_FDT;
        ld->done = 0;
    }
    return 1;
}

static void say_created(const struct domain *d)
{
    pr_info("domain %s: created (id %u, %lu MiB, %u vCPU%s)\n", d->name, d->id,
            d->cfg.mem_bytes >> 20, d->cfg.nr_vcpus, d->cfg.nr_vcpus > 1 ? "s" : "");
}

/* A domain with its RAM and devices, its images not loaded yet (ld set up for that); NULL
 * after saying why not. */
static struct domain *build_empty(const struct domain_config *cfg, struct domain_loader *ld)
{
    uint64_t free = free_bytes();
    if (check_buildable(cfg, free))
        return NULL;
    int err;
    struct domain *d = domain_create(cfg, &err);
    if (!d) {
        if (err == -ENOSPC)
            not_created(cfg->name, err, "Keel runs at most %u domains at once", MAX_DOMAINS - 1);
        else if (err == -ENOMEM)
            not_created(cfg->name, err, "out of memory for its structures");
        else
            not_created(cfg->name, err, "error %d setting it up", err);
        return NULL;
    }
    err = populate_ram(d);
    if (err) {
        not_created(cfg->name, err,
                    "out of memory while populating it (%lu MiB asked, %lu MiB "
                    "free before)",
                    cfg->mem_bytes >> 20, free >> 20);
        domain_kill(d);
        return NULL;
    }
    err = give_devices(d);
    if (!err)
        err = loader_init(d, ld);
    if (err) {
        domain_kill(d); /* give_devices or load_layout said why */
        return NULL;
    }
    return d;
}

struct domain *domain_build(const struct domain_config *cfg)
{
    struct domain_loader ld;
    struct domain *d = build_empty(cfg, &ld);
    if (!d)
        return NULL;
    int rc;
    while ((rc = load_step(d, &ld, ~0UL)) > 0)
        ;
    if (rc) {
        domain_kill(d);
        return NULL;
    }
    say_created(d);
    return d;
}

struct domain *domain_build_started(const struct domain_config *cfg)
{
    struct domain_loader *ld = heap_alloc(sizeof(*ld));
    if (!ld) {
        not_created(cfg->name, -ENOMEM, "out of memory for its structures");
        return NULL;
    }
    struct domain *d = build_empty(cfg, ld);
    if (!d) {
        heap_free(ld);
        return NULL;
    }
    d->loader = ld;
    d->vcpus[0]->loading = true;
    /* Runnable, but still DOM_BUILDING: nobody else reaches d until it is loaded. */
    sched_vcpu_set_state(d->vcpus[0], VCPU_RUNNABLE);
    return d;
}

void domain_load_run(struct vcpu *v)
{
    struct domain *d = v->dom;
    /* v->loading is read and written only where v runs (set before it first ran): the
     * scheduler's hand-over of v orders it. */
    BUG_ON(v->id != 0 || !d->loader);
    while (!sched_must_leave(v)) {
        int rc = load_step(d, d->loader, LOAD_STEP);
        if (rc < 0) {
            domain_build_failed(d); /* load_step said why; vCPU 0 stops here */
            return;
        }
        if (!rc) {
            heap_free(d->loader);
            d->loader = NULL;
            v->loading = false; /* from the next run on, the guest */
            domain_mark_built(d);
            say_created(d);
            return;
        }
        arch_irq_enable();
        arch_cpu_irq_window();
        arch_irq_disable();
    }
}

/* Build the domain node n describes, not yet running; NULL after saying why not. */
static struct domain *build_one(int n)
{
    struct domain_config cfg;
    if (parse_domain_node(n, &cfg))
        return NULL;
    return domain_build(&cfg);
}

/*
 * A dom0less domain's xenstore, as Xen 4.17 sets it up when there is a dom0 to run xenstored
 * (xen-abi-facts E.6): an unbound event channel of d that dom0 may bind, in
 * HVM_PARAM_STORE_EVTCHN, and STORE_PFN ~0, "the ring page comes later".  Debian's
 * init-dom0less in dom0 then gives it the page, seeds its grant table and introduces it to
 * xenstored (which names it, so xl list shows it); Linux in d waits for that.  Without a dom0,
 * or for "no-xenstore", nothing changes: no channel, STORE_PFN 0.
 */
static void offer_xenstore(struct domain *d, struct domain *dom0)
{
    if (!d->cfg.xen_enhanced || !d->cfg.xenstore)
        return;
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = (domid_t)dom0->id };
    int rc = evtchn_alloc_unbound(d, &a);
    if (rc) {
        pr_warn("domain %s: no xenstore channel (error %d)\n", d->name, rc);
        return;
    }
    d->hvm_param[HVM_PARAM_STORE_EVTCHN] = a.port;
    d->hvm_param[HVM_PARAM_STORE_PFN] = ~0ULL;
}

/* dom0, if the boot modules describe one: built first, so that it is domain 0.  NULL if there
 * is none or it cannot be built (said why); *described counts it. */
static struct domain *build_dom0(unsigned *described)
{
    struct domain_config cfg;
    const char *why = "";
    int rc =
        dom0_config(&bootinfo.fdt, bootinfo.cmdline, popcount64(cpus_online_mask()), &cfg, &why);
    if (rc == -ENOENT)
        return NULL;
    (*described)++;
    if (rc) {
        not_created(DOM0_NAME, rc, "%s", why);
        return NULL;
    }
    return domain_build(&cfg);
}

unsigned domain_build_all(void)
{
    const struct fdt *f = &bootinfo.fdt;
    int chosen = fdt_path(f, "/chosen");
    struct domain *built[MAX_DOMAINS];
    int built_node[MAX_DOMAINS];
    unsigned nr = 0, described = 0;
    struct domain *dom0 = build_dom0(&described);
    for (int n = fdt_first_child(f, chosen); chosen >= 0 && n >= 0; n = fdt_next_sibling(f, n)) {
        if (!fdt_compatible(f, n, "xen,domain"))
            continue;
        described++;
        struct domain *d = build_one(n);
        if (d) {
            built_node[nr] = n;
            built[nr++] = d; /* domain ids are below MAX_DOMAINS: room for every one */
        }
    }
    evtchn_static_bind_all(f, built_node, built, nr);
    if (dom0)
        for (unsigned i = 0; i < nr; i++)
            offer_xenstore(built[i], dom0);
    /* Only now, with every domain built or refused: a domain that ended while a later one was
     * still being built would find it in the domain table, the machine would stay on when that
     * one then failed, and nothing would ever end it. */
    if (dom0)
        domain_start(dom0);
    for (unsigned i = 0; i < nr; i++)
        domain_start(built[i]);
    nr += dom0 != NULL;
    if (described && !nr) {
        /* Nothing will ever run: say so and end, rather than idle until someone notices. */
        pr_err("none of the %u domains described could be started\n", described);
        domain_end_if_none_left();
    }
    return nr;
}
