/*
 * Building domains from the boot device tree (Xen's dom0less bindings: "xen,domain" nodes under
 * /chosen with multiboot modules) and loading a Linux arm64 Image, its initramfs and its device
 * tree into a domain's memory.  Runs on the boot CPU before any domain runs, and on restart
 * from the shutdown path; the domain being loaded is not running.
 */
#include <hyp/arch/domain.h>
#include <hyp/arch/mm.h>
#include <hyp/bootinfo.h>
#include <hyp/console.h>
#include <hyp/domain.h>
#include <hyp/errno.h>
#include <hyp/heap.h>
#include <hyp/kernel_image.h>
#include <hyp/sched.h>
#include <hyp/string.h>

#define GUEST_FDT_MAX (64 * 1024)

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

/* A string property, or NULL if absent, empty or not terminated. */
static const char *prop_string(const struct fdt *f, int n, const char *prop)
{
    uint32_t len;
    const char *s = fdt_prop(f, n, prop, &len);
    return s && len && strnlen(s, len) < len ? s : NULL;
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
    const char *cpus = prop_string(f, n, "keel,cpus");
    if (cpus && strcmp(cpus, "all") && sched_parse_cpulist(cpus, strlen(cpus), &sp->affinity)) {
        pr_err("domain %s: bad \"keel,cpus\" \"%s\" (\"all\" or a CPU list such as \"0-1,3\")\n",
               name, cpus);
        return -EINVAL;
    }
    const char *pool = prop_string(f, n, "keel,pool");
    if (pool)
        strlcpy(sp->pool, pool, sizeof(sp->pool));
    /* Xen's binding: a phandle to a "xen,cpupool" node, whose node name is the pool's name. */
    if (fdt_prop_u32(f, n, "domain-cpupool", &v)) {
        int pn = fdt_find_phandle(f, v);
        if (pn < 0 || !fdt_compatible(f, pn, "xen,cpupool")) {
            pr_err("domain %s: \"domain-cpupool\" does not point at a \"xen,cpupool\" node\n",
                   name);
            return -EINVAL;
        }
        if (pool && strcmp(pool, fdt_name(f, pn))) {
            pr_err("domain %s: \"keel,pool\" (%s) and \"domain-cpupool\" (%s) disagree\n", name,
                   pool, fdt_name(f, pn));
            return -EINVAL;
        }
        strlcpy(sp->pool, fdt_name(f, pn), sizeof(sp->pool));
    }
    if (!sched_pool_exists(sp->pool)) {
        pr_err("domain %s: unknown CPU pool \"%s\"\n", name, sp->pool);
        return -EINVAL;
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
    if (!fdt_prop_u64(f, n, "memory", &kib) || !kib) {
        pr_err("domain %s: missing or bad \"memory\" (KiB)\n", cfg->name);
        return -EINVAL;
    }
    fdt_prop_u32(f, n, "cpus", &cpus);
    cfg->mem_bytes = kib * 1024;
    cfg->nr_vcpus = cpus;
    cfg->vpl011 = fdt_has_prop(f, n, "vpl011");
    cfg->on_poweroff = parse_action(f, n, "keel,on-poweroff", ACTION_DESTROY);
    cfg->on_reboot = parse_action(f, n, "keel,on-reboot", ACTION_RESTART);
    cfg->on_crash = parse_action(f, n, "keel,on-crash", ACTION_DESTROY);
    if (parse_sched(f, n, cfg->name, &cfg->sched))
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
    if (!cfg->kernel) {
        pr_err("domain %s: no \"multiboot,kernel\" module\n", cfg->name);
        return -EINVAL;
    }
    return 0;
}

unsigned domain_build_all(void)
{
    const struct fdt *f = &bootinfo.fdt;
    int chosen = fdt_path(f, "/chosen");
    unsigned started = 0, described = 0;
    for (int n = fdt_first_child(f, chosen); chosen >= 0 && n >= 0; n = fdt_next_sibling(f, n)) {
        if (!fdt_compatible(f, n, "xen,domain"))
            continue;
        described++;
        struct domain_config cfg;
        if (parse_domain_node(n, &cfg))
            continue;
        int err;
        struct domain *d = domain_create(&cfg, &err);
        if (!d)
            continue;
        pr_info("domain %s: created (id %u, %lu MiB, %u vCPU%s)\n", d->name, d->id,
                cfg.mem_bytes >> 20, cfg.nr_vcpus, cfg.nr_vcpus > 1 ? "s" : "");
        domain_start(d);
        started++;
    }
    if (described && !started) {
        /* Nothing will ever run: say so and end, rather than idle until someone notices. */
        pr_err("none of the %u domains described could be started\n", described);
        domain_end_if_none_left();
    }
    return started;
}

/* Where the kernel goes and how much room it needs, from its Image header. */
static int image_layout(struct domain *d, const uint8_t *img, uint64_t *offset, uint64_t *size)
{
    struct kernel_image ki;
    char why[160];
    int rc = kernel_image_check(img, d->cfg.kernel_size, &ki, why, sizeof(why));
    if (rc) {
        pr_err("domain %s: %s\n", d->name, why);
        return rc;
    }
    *offset = ki.text_offset;
    *size = ki.size;
    return 0;
}

int domain_load_kernel(struct domain *d)
{
    const uint8_t *img = (const uint8_t *)(uintptr_t)d->cfg.kernel;
    uint64_t offset, size;
    int rc = image_layout(d, img, &offset, &size);
    if (rc)
        return rc;
    struct guest_layout l;
    arch_guest_layout(&l);
    uint64_t base = l.ram_base[0];
    uint64_t ram_end = base + MIN(d->cfg.mem_bytes, l.ram_size[0]);
    uint64_t entry = base + offset;
    uint64_t fdt_gpa = ALIGN_UP(entry + size, MiB(2));
    uint64_t initrd_gpa = fdt_gpa + MiB(2);
    if (initrd_gpa + ALIGN_UP(d->cfg.ramdisk_size, PAGE_SIZE) > ram_end) {
        pr_err("domain %s: %lu MiB is too small for its kernel and ramdisk\n", d->name,
               d->cfg.mem_bytes >> 20);
        return -ENOMEM;
    }
    rc = domain_copy_to_gpa(d, GPA(entry), img, d->cfg.kernel_size);
    if (!rc && d->cfg.ramdisk)
        rc = domain_copy_to_gpa(d, GPA(initrd_gpa), (const void *)(uintptr_t)d->cfg.ramdisk,
                                d->cfg.ramdisk_size);
    if (rc)
        return rc;
    void *fdt = heap_alloc(GUEST_FDT_MAX);
    if (!fdt)
        return -ENOMEM;
    int fdt_size = arch_guest_fdt(d, fdt, GUEST_FDT_MAX, GPA(d->cfg.ramdisk ? initrd_gpa : 0),
                                  d->cfg.ramdisk_size);
    rc = fdt_size < 0 ? fdt_size : domain_copy_to_gpa(d, GPA(fdt_gpa), fdt, (uint64_t)fdt_size);
    heap_free(fdt);
    if (rc) {
        pr_err("domain %s: cannot write its device tree (%d)\n", d->name, rc);
        return rc;
    }
    arch_icache_invalidate();
    arch_vcpu_reset(d->vcpus[0], entry, fdt_gpa);
    return 0;
}
