/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for building domains from the boot device tree (hyp/core/domain_build.c), with
 * the real device-tree digest (bootinfo.c) over trees written here, real Image checks, and the
 * rest of Keel faked: domain creation, starting, ending and memory are recorded, not done.
 * Checks that every domain is built before any starts (issue 12, item 5), and that each one
 * that cannot be built gets a line saying why (item 7).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hyp/arch/domain.h>
#include <hyp/arch/mm.h>
#include <hyp/bootinfo.h>
#include <hyp/console.h>
#include <hyp/domain.h>
#include <hyp/errno.h>
#include <hyp/fdt_write.h>
#include <hyp/guest_access.h>
#include <hyp/heap.h>
#include <hyp/page_alloc.h>
#include <hyp/percpu.h>
#include <hyp/physmap.h>
#include <hyp/sched.h>

#define TREE_MAX 16384
#define KERNEL_FILE 0x20000
#define KERNEL_SIZE 0x100000 /* image_size, bss included */
#define BIG_FILE 0x96000     /* 600 KiB: two whole steps of 256 KiB and a part */

/* --- fakes: the console --- */

static char log_text[8192];

void log_printf(enum log_level level, const char *fmt, ...)
{
    size_t used = strlen(log_text);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(log_text + used, sizeof(log_text) - used, fmt, ap);
    va_end(ap);
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
    size_t n = strlen(src);
    if (size) {
        size_t c = n < size - 1 ? n : size - 1;
        memcpy(dst, src, c);
        dst[c] = 0;
    }
    return n;
}

/* --- fakes: what happened, in order --- */

static char events[1024];

static void event(const char *what, const char *name)
{
    size_t used = strlen(events);
    snprintf(events + used, sizeof(events) - used, "%s%s %s", used ? ", " : "", what, name);
}

static char uart_token[8]; /* stands in for a domain's struct vpl011 */
static uint64_t free_pages;
static const char *fail_name; /* domain_create fails for this one ... */
static int fail_err;          /* ... with this error */
static struct domain *made[32];
static unsigned nr_made;
static unsigned ends;

struct domain *domain_create(const struct domain_config *cfg, int *err)
{
    event("create", cfg->name);
    if (fail_name && !strcmp(cfg->name, fail_name) && fail_err != -ENOMEM) {
        *err = fail_err;
        return NULL;
    }
    struct domain *d = calloc(1, sizeof(*d));
    d->cfg = *cfg;
    strcpy(d->name, cfg->name);
    d->vuart = cfg->vpl011 ? (struct vpl011 *)uart_token : NULL;
    d->id = cfg->direct_map ? 0 : nr_made + 1; /* dom0 is domain 0 */
    d->nr_vcpus = 1;
    d->vcpus[0] = calloc(1, sizeof(struct vcpu));
    d->vcpus[0]->dom = d;
    made[nr_made++] = d;
    return d;
}

/* Memory runs out while the domain is populated, not while it is created. */
int physmap_populate(struct domain *d, struct gpa gpa, uint64_t size)
{
    return fail_name && !strcmp(d->name, fail_name) && fail_err == -ENOMEM ? -ENOMEM : 0;
}

/* dom0's RAM: one bank where the host has it (the double's choice). */
#define DOM0_RAM_PA 0x50000000UL
int physmap_populate_direct(struct domain *d, uint64_t size, struct mem_range *banks, unsigned max,
                            unsigned *nr)
{
    banks[0] = (struct mem_range){ DOM0_RAM_PA, size };
    *nr = 1;
    return 0;
}

uint64_t cpus_online_mask(void)
{
    return 0x3; /* two pCPUs */
}

/* The builder's images overwrite whole leaves; this double has no lazy RAM to claim. */
void physmap_claim_overwritten(struct domain *d, struct gpa gpa, uint64_t len)
{
}

/* --- fakes: host devices given to domains --- */

#define HOST_LINES 288
#define KEEL_UART 0x9000000UL
static struct domain *irq_owner[HOST_LINES]; /* 33 is Keel's own (its UART's) */
static struct domain keel_itself;

void domain_kill(struct domain *d)
{
    event("kill", d->name);
    d->state = DOM_DYING;
    for (unsigned i = 0; i < HOST_LINES; i++)
        if (irq_owner[i] == d)
            irq_owner[i] = NULL;
}

/* The domains listed: created and not killed (being built or not: irq_holder names the ones
 * built before at boot, which start only when all are built). */
struct domain *domain_get_next_listed(int after)
{
    for (unsigned i = 0; i < nr_made; i++)
        if ((int)made[i]->id > after && made[i]->state != DOM_DYING)
            return made[i];
    return NULL;
}

void domain_put(struct domain *d)
{
}

int arch_domain_assign_irq(struct domain *d, unsigned intid, bool edge)
{
    char what[48];
    if (intid < 32 || intid >= HOST_LINES)
        return -EINVAL;
    if (irq_owner[intid])
        return -EBUSY;
    irq_owner[intid] = d;
    snprintf(what, sizeof(what), "%s:%u%s", d->name, intid, edge ? "e" : "l");
    event("irq", what);
    return 0;
}

/* Keel maps its UART and the GIC below it (and its RAM, none of it below 4 GiB here). */
bool arch_hyp_maps_any(paddr_t base, uint64_t size)
{
    return base < KEEL_UART + 0x1000 && base + size > 0x8000000;
}

/* The vGIC distributor is each domain's emulated device. */
bool vmmio_overlaps(const struct domain *d, uint64_t base, uint64_t size)
{
    return base < 0x3001000 + 0x10000 && base + size > 0x3001000;
}

/* RAM from 0x40000000; an earlier range of the same domain. */
static struct {
    const struct domain *d;
    uint64_t gpa, size;
} mapped[8];
static unsigned nr_mapped;

int physmap_map_mmio(struct domain *d, struct gpa gpa, paddr_t pa, uint64_t size)
{
    char what[64];
    if (gpa.a < 0x40000000 + d->cfg.mem_bytes && gpa.a + size > 0x40000000)
        return -EEXIST;
    for (unsigned i = 0; i < nr_mapped; i++)
        if (mapped[i].d == d && gpa.a < mapped[i].gpa + mapped[i].size &&
            mapped[i].gpa < gpa.a + size)
            return -EEXIST;
    assert_true(nr_mapped < 8);
    mapped[nr_mapped++] = (typeof(mapped[0])){ d, gpa.a, size };
    snprintf(what, sizeof(what), "%s:%lx+%lx@%lx", d->name, pa, size, gpa.a);
    event("mmio", what);
    return 0;
}

/* Static event channels: what the builder connects, as "bind a:10-b:20". */
static int bind_err;

int evtchn_bind_static(struct domain *a, evtchn_port_t pa, struct domain *b, evtchn_port_t pb)
{
    char what[96];
    snprintf(what, sizeof(what), "%s:%u-%s:%u", a->name, pa, b->name, pb);
    event("bind", what);
    return bind_err;
}

/* The xenstore channel a dom0less domain is offered when there is a dom0: "store a->0". */
int evtchn_alloc_unbound(struct domain *caller, struct evtchn_alloc_unbound *a)
{
    char what[64];
    assert_int_equal(a->dom, DOMID_SELF);
    snprintf(what, sizeof(what), "%s->%u", caller->name, a->remote_dom);
    event("store", what);
    a->port = 7;
    return 0;
}

void domain_start(struct domain *d)
{
    event("start", d->name);
}

/* A restarted domain's loading (domain_build_started, domain_load_run). */
void domain_mark_built(struct domain *d)
{
    event("built", d->name);
    d->state = DOM_RUNNING;
}

void domain_build_failed(struct domain *d)
{
    event("failed", d->name);
    d->vcpus[0]->state = VCPU_PAUSED; /* as the shutdown it starts does */
}

void sched_vcpu_set_state(struct vcpu *v, enum vcpu_state state)
{
    event(state == VCPU_RUNNABLE ? "runnable" : "state", v->dom->name);
    v->state = state;
}

struct percpu percpu_data[MAX_CPUS];

void panic(const char *fmt, ...)
{
    fail_msg("panic: %s", fmt);
    abort();
}

void domain_end_if_none_left(void)
{
    ends++;
}

bool sched_pool_exists(const char *name)
{
    return !name[0] || !strcmp(name, "rt");
}

int sched_parse_cpulist(const char *s, size_t len, uint64_t *mask)
{
    *mask = 1;
    return 0;
}

void page_alloc_stats(struct page_stats *st)
{
    *st = (struct page_stats){ .total_pages = free_pages, .free_pages = free_pages };
}

void *heap_alloc(size_t size)
{
    return malloc(size);
}

void heap_free(void *p)
{
    free(p);
}

void arch_guest_layout(struct guest_layout *out)
{
    *out = (struct guest_layout){
        { 0x40000000, 0x200000000 }, { 0xc0000000, 0xfe00000000 }, 0x22000000, 32
    };
}

/* dom0's share of the host: a virtio transport and its interrupt, and one that is taken. */
int arch_dom0_devices(const struct fdt *host, paddr_t hyp_uart, const struct dom0_device_ops *ops,
                      void *ctx)
{
    int rc = ops->mmio(ctx, 0x0a000000, 0x4000);
    if (!rc)
        rc = ops->spi(ctx, 48, true);
    if (!rc)
        rc = ops->spi(ctx, 48, true); /* given already: said, left out, the build goes on */
    return rc;
}

int arch_guest_fdt(struct domain *d, void *buf, size_t size, struct gpa initrd,
                   uint64_t initrd_size)
{
    return 100;
}

static uint64_t kernel_gpa, ramdisk_gpa, entry, fdt_arg;
/* Every copy of an image, in order: how far into it, where to, how long; and when the
 * scheduler wants the pCPU back (need_resched after that many more copies; 0: never). */
static struct copy {
    char what; /* k kernel, r ramdisk, o other (the device tree) */
    uint64_t off, gpa, len;
} copies[64];
static unsigned nr_copies, resched_after;
static int copy_err; /* the next ramdisk copy fails with this */

static char copy_of(const struct domain *d, const void *src, uint64_t *off)
{
    uintptr_t s = (uintptr_t)src;
    if (s >= d->cfg.kernel && s < d->cfg.kernel + d->cfg.kernel_size) {
        *off = s - d->cfg.kernel;
        return 'k';
    }
    if (d->cfg.ramdisk && s >= d->cfg.ramdisk && s < d->cfg.ramdisk + d->cfg.ramdisk_size) {
        *off = s - d->cfg.ramdisk;
        return 'r';
    }
    *off = 0;
    return 'o';
}

int copy_to_gpa(struct domain *d, struct gpa gpa, const void *src, uint64_t len, unsigned flags)
{
    uint64_t off;
    char what = copy_of(d, src, &off);
    if (what == 'k' && !off)
        kernel_gpa = gpa.a;
    else if (what == 'r' && !off)
        ramdisk_gpa = gpa.a;
    if (what == 'r' && copy_err)
        return copy_err;
    if (nr_copies < 64)
        copies[nr_copies++] = (struct copy){ what, off, gpa.a, len };
    if (resched_after && !--resched_after)
        percpu_data[0].need_resched = true;
    return 0;
}

void arch_icache_invalidate(void)
{
}

void arch_vcpu_reset(struct vcpu *v, uint64_t e, uint64_t arg)
{
    entry = e;
    fdt_arg = arg;
}

/* --- boot trees --- */

/* The boot modules; the tree's one RAM bank covers exactly these buffers. */
static struct {
    uint8_t kernel[KERNEL_FILE], ramdisk[0x3000], junk[KERNEL_FILE], efi_cut[KERNEL_FILE];
    uint8_t big[BIG_FILE]; /* a kernel loaded in several steps */
} ram __attribute__((aligned(4096)));
static unsigned char *tree;

struct dom {
    const char *name;
    uint64_t mem_kib;
    const void *kernel; /* NULL: no kernel module */
    uint64_t kernel_len;
    const char *pool;     /* NULL: none */
    const char *enhanced; /* "xen,enhanced": NULL none, "" empty */
    /* Static event channel nodes ("evtchn@PORT"): port 0 ends the list; phandle is the
     * node's own, peer the phandle its "xen,evtchn" names; len 0 is 8 bytes. */
    struct {
        uint32_t port, phandle, peer, len;
    } ec[3];
    bool vpl011;
    /* "keel,irqs" cells and "keel,iomem" triples <host size guest>; bad_len: write that many
     * bytes of keel,irqs instead. */
    uint32_t irqs[4];
    unsigned nr_irqs, bad_len;
    uint64_t iomem[2][3];
    unsigned nr_iomem;
};

static void arm64_image(uint8_t *img, uint64_t image_size)
{
    memset(img, 0, KERNEL_FILE);
    for (unsigned i = 0; i < 8; i++)
        img[16 + i] = (uint8_t)(image_size >> (8 * i));
    img[24] = 0xa;
    memcpy(img + 56, "ARM\x64", 4);
}

static void write_module_args(struct fdt_writer *w, const char *compat, const void *p, uint64_t len,
                              const char *args)
{
    char name[40];
    uint64_t reg[2] = { (uintptr_t)p, len };
    snprintf(name, sizeof(name), "module@%lx", (unsigned long)reg[0]);
    fdt_write_begin_node(w, name);
    fdt_write_prop_string(w, "compatible", compat);
    fdt_write_prop_reg(w, 2, 2, reg, 1);
    if (args)
        fdt_write_prop_string(w, "bootargs", args);
    fdt_write_end_node(w);
}

static void write_module(struct fdt_writer *w, const char *compat, const void *p, uint64_t len)
{
    write_module_args(w, compat, p, len, NULL);
}

/* dom0 in the next boot tree, if set: its modules directly under /chosen. */
static struct {
    bool on;
    const char *cmdline;     /* xen,xen-bootargs */
    const char *kernel_args; /* the kernel module's bootargs */
    const char *dom0_args;   /* /chosen/xen,dom0-bootargs */
    bool untyped;            /* "multiboot,module" only: the kernel first, then the ramdisk */
} dom0;

static void write_dom0(struct fdt_writer *w)
{
    fdt_write_prop_u32(w, "#address-cells", 2); /* as QEMU's guest-loader writes them */
    fdt_write_prop_u32(w, "#size-cells", 2);
    if (dom0.cmdline)
        fdt_write_prop_string(w, "xen,xen-bootargs", dom0.cmdline);
    if (dom0.dom0_args)
        fdt_write_prop_string(w, "xen,dom0-bootargs", dom0.dom0_args);
    write_module_args(w, dom0.untyped ? "multiboot,module" : "multiboot,kernel", ram.kernel,
                      KERNEL_FILE, dom0.kernel_args);
    write_module(w, dom0.untyped ? "multiboot,module" : "multiboot,ramdisk", ram.ramdisk, 0x1000);
}

/* A boot tree with the domains given, each with a ramdisk; bootinfo parses it. */
static void boot_tree(const struct dom *doms, unsigned n)
{
    const uint64_t mem[] = { (uintptr_t)&ram, sizeof(ram) }, cpu[] = { 0, 0 };
    struct fdt_writer w;
    free(tree);
    tree = calloc(1, TREE_MAX);
    fdt_write_init(&w, tree, TREE_MAX);
    fdt_write_begin_node(&w, "");
    fdt_write_prop_u32(&w, "#address-cells", 2);
    fdt_write_prop_u32(&w, "#size-cells", 2);
    fdt_write_begin_node(&w, "memory@40000000");
    fdt_write_prop_string(&w, "device_type", "memory");
    fdt_write_prop_reg(&w, 2, 2, mem, 1);
    fdt_write_end_node(&w);
    fdt_write_begin_node(&w, "cpus");
    fdt_write_prop_u32(&w, "#address-cells", 1);
    fdt_write_prop_u32(&w, "#size-cells", 0);
    fdt_write_begin_node(&w, "cpu@0");
    fdt_write_prop_string(&w, "device_type", "cpu");
    fdt_write_prop_reg(&w, 1, 0, cpu, 1);
    fdt_write_end_node(&w);
    fdt_write_end_node(&w);
    /* Host devices: the GIC, QEMU virt's RTC (SPI 2, level) and GPIO (SPI 7, edge). */
    fdt_write_begin_node(&w, "intc@8000000");
    fdt_write_prop_string(&w, "compatible", "arm,gic-v3");
    fdt_write_prop_u32(&w, "#interrupt-cells", 3);
    fdt_write_prop_u32(&w, "phandle", 1);
    fdt_write_end_node(&w);
    static const uint8_t rtc_irq[12] = { 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 4 };
    static const uint8_t gpio_irq[12] = { 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 1 };
    fdt_write_begin_node(&w, "pl031@9010000");
    fdt_write_prop_u32(&w, "interrupt-parent", 1);
    fdt_write_property(&w, "interrupts", rtc_irq, sizeof(rtc_irq));
    fdt_write_end_node(&w);
    fdt_write_begin_node(&w, "pl061@9030000");
    fdt_write_prop_u32(&w, "interrupt-parent", 1);
    fdt_write_property(&w, "interrupts", gpio_irq, sizeof(gpio_irq));
    fdt_write_end_node(&w);
    fdt_write_begin_node(&w, "chosen");
    if (dom0.on)
        write_dom0(&w);
    for (unsigned i = 0; i < n; i++) {
        fdt_write_begin_node(&w, doms[i].name);
        fdt_write_prop_string(&w, "compatible", "xen,domain");
        fdt_write_prop_u32(&w, "#address-cells", 2);
        fdt_write_prop_u32(&w, "#size-cells", 2);
        fdt_write_prop_u64(&w, "memory", doms[i].mem_kib);
        if (doms[i].pool)
            fdt_write_prop_string(&w, "keel,pool", doms[i].pool);
        if (doms[i].enhanced && !doms[i].enhanced[0])
            fdt_write_property(&w, "xen,enhanced", NULL, 0);
        else if (doms[i].enhanced)
            fdt_write_prop_string(&w, "xen,enhanced", doms[i].enhanced);
        if (doms[i].vpl011)
            fdt_write_property(&w, "vpl011", NULL, 0);
        if (doms[i].nr_irqs || doms[i].bad_len) {
            uint8_t cells[16];
            for (unsigned k = 0; k < 16; k++)
                cells[k] = (uint8_t)(doms[i].irqs[k / 4] >> (24 - 8 * (k % 4)));
            fdt_write_property(&w, "keel,irqs", cells,
                               doms[i].bad_len ? doms[i].bad_len : 4 * doms[i].nr_irqs);
        }
        if (doms[i].nr_iomem) {
            uint8_t cells[48];
            for (unsigned k = 0; k < 48; k++)
                cells[k] = (uint8_t)(doms[i].iomem[k / 24][k % 24 / 8] >> (56 - 8 * (k % 8)));
            fdt_write_property(&w, "keel,iomem", cells, 24 * doms[i].nr_iomem);
        }
        if (doms[i].kernel)
            write_module(&w, "multiboot,kernel", doms[i].kernel, doms[i].kernel_len);
        write_module(&w, "multiboot,ramdisk", ram.ramdisk, sizeof(ram.ramdisk) - 100);
        for (unsigned e = 0; e < 3 && doms[i].ec[e].port; e++) {
            char name[32];
            uint8_t val[8];
            uint32_t p = doms[i].ec[e].port, ph = doms[i].ec[e].peer;
            for (unsigned b = 0; b < 4; b++) {
                val[b] = (uint8_t)(p >> (24 - 8 * b));
                val[4 + b] = (uint8_t)(ph >> (24 - 8 * b));
            }
            snprintf(name, sizeof(name), "evtchn@%x", p);
            fdt_write_begin_node(&w, name);
            fdt_write_prop_string(&w, "compatible", "xen,evtchn-v1");
            fdt_write_prop_u32(&w, "phandle", doms[i].ec[e].phandle);
            fdt_write_property(&w, "xen,evtchn", val, doms[i].ec[e].len ? doms[i].ec[e].len : 8);
            fdt_write_end_node(&w);
        }
        fdt_write_end_node(&w);
    }
    fdt_write_end_node(&w);
    fdt_write_end_node(&w);
    assert_int_equal(fdt_write_finish(&w, NULL), 0);
    assert_int_equal(bootinfo_parse_early(tree, NULL), 0);
    assert_int_equal(bootinfo_parse(), 0);
}

static int setup(void **state)
{
    memset(&dom0, 0, sizeof(dom0));
    log_text[0] = events[0] = 0;
    free_pages = 1 << 18; /* 1 GiB */
    fail_name = NULL;
    ends = 0;
    arm64_image(ram.kernel, KERNEL_SIZE);
    memset(irq_owner, 0, sizeof(irq_owner));
    irq_owner[33] = &keel_itself;
    nr_mapped = 0;
    nr_copies = resched_after = 0;
    copy_err = 0;
    host_this_cpu = &percpu_data[0];
    percpu_data[0].need_resched = false;
    return 0;
}

static int teardown(void **state)
{
    for (unsigned i = 0; i < nr_made; i++) {
        free(made[i]->vcpus[0]);
        free(made[i]->loader);
        free(made[i]);
    }
    nr_made = 0;
    free(tree);
    tree = NULL;
    return 0;
}

/* --- tests --- */

/* A domain that cannot be built after others that can: they start only once it has been
 * refused, so none of them can end while it is still in the domain table. */
static void builds_all_then_starts(void **state)
{
    const struct dom doms[] = {
        { "a", 65536, ram.kernel, KERNEL_FILE },
        { "b", 65536, ram.kernel, KERNEL_FILE },
        { "c", 65536, ram.kernel, KERNEL_FILE },
    };
    boot_tree(doms, 3);
    fail_name = "c";
    fail_err = -ENOMEM;
    assert_int_equal(domain_build_all(), 2);
    assert_string_equal(events, "create a, create b, create c, kill c, start a, start b");
    assert_non_null(strstr(log_text, "domain a: created (id 1, 64 MiB, 1 vCPU)\n"));
    assert_non_null(strstr(log_text, "domain c: not created: out of memory while populating it "
                                     "(64 MiB asked, 1024 MiB free before)\n"));
    assert_int_equal(ends, 0);
}

/* Where the kernel, its device tree and the ramdisk go: where Xen 4.17 puts them. */
static void loads_at_the_layout(void **state)
{
    const struct dom doms[] = { { "a", 65536, ram.kernel, KERNEL_FILE } };
    boot_tree(doms, 1);
    assert_int_equal(domain_build_all(), 1);
    assert_int_equal(kernel_gpa, 0x40000000);
    assert_int_equal(entry, 0x40000000);
    /* 64 MiB has no room above 128 MiB: the top 2 MiB of the bank for the ramdisk (at most
     * 2 MiB here), the 2 MiB under them for the device tree. */
    assert_int_equal(fdt_arg, 0x43c00000);
    assert_int_equal(ramdisk_gpa, 0x43e00000);
}

static void loads_at_128_mib(void **state)
{
    const struct dom doms[] = { { "a", 262144, ram.kernel, KERNEL_FILE } };
    boot_tree(doms, 1);
    assert_int_equal(domain_build_all(), 1);
    assert_int_equal(entry, 0x40000000);
    assert_int_equal(fdt_arg, 0x48000000);     /* 128 MiB into the bank */
    assert_int_equal(ramdisk_gpa, 0x48200000); /* 2 MiB further */
}

/* Each reason a domain is refused is said, on one line, and what can be built still runs. */
static void says_why_not(void **state)
{
    uint8_t *junk = ram.junk, *efi_cut = ram.efi_cut;
    static const uint8_t outside[KERNEL_FILE];
    arm64_image(efi_cut, KERNEL_SIZE);
    memcpy(efi_cut, "MZ", 2);
    efi_cut[60] = 0x40;
    memcpy(efi_cut + 0x40, "PE\0\0", 4);
    efi_cut[0x40 + 6] = 1; /* one section, its raw data at 0x1000, 0x40000 bytes */
    efi_cut[0x40 + 24 + 16 + 2] = 0x04;
    efi_cut[0x40 + 24 + 20 + 1] = 0x10;
    const struct dom doms[] = {
        { "big", 102400000, ram.kernel, KERNEL_FILE },
        { "nokernel", 65536, NULL, 0 },
        { "junk", 65536, junk, KERNEL_FILE },
        { "cut", 65536, efi_cut, KERNEL_FILE },
        { "outside", 65536, outside, KERNEL_FILE },
        { "tiny", 2048, ram.kernel, KERNEL_FILE },
        { "odd", 3072, ram.kernel, KERNEL_FILE },
        { "nopool", 65536, ram.kernel, KERNEL_FILE, "nope" },
        { "ok", 65536, ram.kernel, KERNEL_FILE, "rt" },
    };
    boot_tree(doms, 9);
    assert_int_equal(domain_build_all(), 1);
    static const char *const lines[] = {
        "domain big: not created: it asks for 100000 MiB of memory, 1024 MiB is free\n",
        "domain nokernel: not created: no \"multiboot,kernel\" module\n",
        "domain junk: not created: kernel is not a Linux arm64 Image (bad magic)\n",
        "domain cut: not created: kernel truncated: the file has 131072 bytes, its headers say "
        "266240\n",
        "domain tiny: not created: 2 MiB of memory is too small for its kernel (1024 KiB) and "
        "ramdisk (12 KiB)\n",
        "domain odd: not created: memory must be a multiple of 2 MiB up to 1019 GiB, not 3072 "
        "KiB\n",
        "domain nopool: not created: unknown CPU pool \"nope\"\n",
        "domain outside: not created: its kernel module is not in RAM\n",
    };
    for (unsigned i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        assert_non_null(strstr(log_text, lines[i]));
    /* Refused before domain_create: it never tried to take the memory. */
    assert_string_equal(events, "create ok, start ok");
    assert_int_equal(ends, 0);
}

/* Xen's PV interfaces are on unless "xen,enhanced" says "disabled" (Keel's default differs
 * from Xen's, where a domain without the property has none); a value Xen does not know is
 * refused. */
static void xen_enhanced(void **state)
{
    const struct dom doms[] = {
        { "none", 65536, ram.kernel, KERNEL_FILE },
        { "empty", 65536, ram.kernel, KERNEL_FILE, NULL, "" },
        { "on", 65536, ram.kernel, KERNEL_FILE, NULL, "enabled" },
        { "nostore", 65536, ram.kernel, KERNEL_FILE, NULL, "no-xenstore" },
        { "off", 65536, ram.kernel, KERNEL_FILE, NULL, "disabled" },
        { "bad", 65536, ram.kernel, KERNEL_FILE, NULL, "maybe" },
    };
    boot_tree(doms, 6);
    assert_int_equal(domain_build_all(), 5);
    assert_int_equal(nr_made, 5);
    for (unsigned i = 0; i < nr_made; i++) {
        assert_int_equal(made[i]->cfg.xen_enhanced, strcmp(made[i]->name, "off") != 0);
        assert_int_equal(made[i]->cfg.xenstore, strcmp(made[i]->name, "off") != 0 &&
                                                    strcmp(made[i]->name, "nostore") != 0);
    }
    assert_null(strstr(events, "->")); /* no dom0: no xenstore channel offered */
    assert_non_null(strstr(log_text, "domain bad: not created: bad \"xen,enhanced\" "
                                     "(\"enabled\", \"no-xenstore\" or \"disabled\")\n"));
}

/* When nothing could be built, Keel says so and ends rather than idling. */
static void nothing_built_ends(void **state)
{
    const struct dom doms[] = { { "a", 65536, ram.kernel, KERNEL_FILE } };
    boot_tree(doms, 1);
    fail_name = "a";
    fail_err = -EINVAL;
    assert_int_equal(domain_build_all(), 0);
    assert_non_null(strstr(log_text, "domain a: not created: error -22 setting it up\n"));
    log_text[0] = 0;
    fail_err = -ENOSPC;
    assert_int_equal(domain_build_all(), 0);
    assert_non_null(
        strstr(log_text, "domain a: not created: Keel runs at most 63 domains at once\n"));
    assert_non_null(strstr(log_text, "none of the 1 domains described could be started\n"));
    assert_int_equal(ends, 2);
}

/* dom0: built first, from the modules under /chosen; then the dom0less domains. */
static void dom0_built_first(void **state)
{
    const struct dom doms[] = { { "a", 65536, ram.kernel, KERNEL_FILE } };
    dom0.on = true;
    dom0.kernel_args = "console=hvc0 root=/dev/ram0";
    dom0.dom0_args = "not this one";
    boot_tree(doms, 1);
    assert_int_equal(domain_build_all(), 2);
    assert_string_equal(events, "create Domain-0, mmio Domain-0:a000000+4000@a000000, irq "
                                "Domain-0:48e, create a, store a->0, start Domain-0, start a");
    assert_non_null(strstr(log_text, "domain Domain-0: host interrupt 48 not given (error -16)\n"));
    /* No channel for dom0 itself (its xenstore is local); a's waits for dom0's xenstored. */
    assert_null(strstr(events, "store Domain-0"));
    assert_int_equal(made[0]->hvm_param[HVM_PARAM_STORE_EVTCHN], 0);
    assert_int_equal(made[1]->hvm_param[HVM_PARAM_STORE_EVTCHN], 7);
    assert_int_equal(made[1]->hvm_param[HVM_PARAM_STORE_PFN], ~0ULL);
    const struct domain_config *c = &made[0]->cfg;
    assert_true(c->direct_map && c->is_control && c->xen_enhanced && !c->vpl011);
    assert_int_equal(c->mem_bytes, MiB(512)); /* Xen's default */
    assert_int_equal(c->nr_vcpus, 2);         /* one per pCPU */
    assert_string_equal(c->bootargs, "console=hvc0 root=/dev/ram0");
    assert_int_equal(c->ramdisk, (uintptr_t)ram.ramdisk);
    /* Loaded into its own (host-addressed) bank, not the domU layout's. */
    assert_int_equal(made[0]->ram[0].base, DOM0_RAM_PA);
    assert_int_equal(made[0]->nr_ram, 1);
    assert_false(made[1]->cfg.direct_map || made[1]->cfg.is_control);
    assert_int_equal(kernel_gpa, 0x40000000); /* the last built: a */
}

/* Keel's command line sizes dom0 as Xen's does; its own command line falls back to
 * xen,dom0-bootargs; untyped modules are the kernel, then the ramdisk. */
static void dom0_options(void **state)
{
    static const struct {
        const char *cmdline;
        uint64_t mem;
        unsigned vcpus;
    } cases[] = {
        { "dom0_mem=262144", MiB(256), 2 }, /* no suffix: KiB */
        { "dom0_mem=1G dom0_max_vcpus=1", GiB(1), 1 },
        { "dom0_max_vcpus=5", MiB(512), 5 },   /* more than the pCPUs, as asked */
        { "dom0_max_vcpus=1-4", MiB(512), 2 }, /* a range: the pCPUs, within it */
        { "dom0_max_vcpus=3-4", MiB(512), 3 }, /* at least its lower end */
        { "dom0_max_vcpus=1-1 dom0_mem=8M", MiB(8), 1 },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        teardown(state);
        setup(state);
        dom0.on = true;
        dom0.untyped = true;
        dom0.cmdline = cases[i].cmdline;
        dom0.dom0_args = "console=hvc0";
        boot_tree(NULL, 0);
        assert_int_equal(domain_build_all(), 1);
        assert_int_equal(made[0]->cfg.mem_bytes, cases[i].mem);
        assert_int_equal(made[0]->cfg.nr_vcpus, cases[i].vcpus);
        assert_string_equal(made[0]->cfg.bootargs, "console=hvc0");
        assert_int_equal(made[0]->cfg.kernel, (uintptr_t)ram.kernel);
        assert_int_equal(made[0]->cfg.ramdisk, (uintptr_t)ram.ramdisk);
    }
}

static void dom0_bad_options(void **state)
{
    static const char *const bad[] = {
        "dom0_mem=3M",      "dom0_mem=lots",      "dom0_mem=0",
        "dom0_max_vcpus=0", "dom0_max_vcpus=4-2", "dom0_max_vcpus=x"
    };
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        teardown(state);
        setup(state);
        dom0.on = true;
        dom0.cmdline = bad[i];
        boot_tree(NULL, 0);
        assert_int_equal(domain_build_all(), 0);
        assert_non_null(strstr(log_text, "domain Domain-0: not created: dom0_"));
        assert_non_null(strstr(log_text, "none of the 1 domains described could be started\n"));
    }
}

/* dom0less static event channels: each pair connected once, before any domain starts; nodes
 * that do not fit are refused with a line and the domains still start. */
static void static_event_channels(void **state)
{
    const struct dom doms[] = {
        { "a",
          65536,
          ram.kernel,
          KERNEL_FILE,
          NULL,
          NULL,
          { { 10, 0x100, 0x200 }, { 12, 0x101, 0x101 }, { 13, 0x102, 0x999 } } },
        { "b",
          65536,
          ram.kernel,
          KERNEL_FILE,
          NULL,
          NULL,
          { { 20, 0x200, 0x100 }, { 21, 0x201, 0x102 }, { 22, 0x202, 0x100, 4 } } },
    };
    boot_tree(doms, 2);
    assert_int_equal(domain_build_all(), 2);
    assert_string_equal(events, "create a, create b, bind a:10-b:20, start a, start b");
    assert_non_null(strstr(log_text, "domain a: static event channel port 10 <-> domain b port "
                                     "20\n"));
    /* 12 names itself, 13 a phandle nobody has, 21 names 13 which does not name it back, 22's
     * property is short. */
    assert_non_null(strstr(log_text, "domain a: static event channel evtchn@c: its peer "
                                     "evtchn@c is no channel"));
    assert_non_null(strstr(log_text, "domain a: static event channel evtchn@d: no"));
    assert_non_null(strstr(log_text, "domain b: static event channel evtchn@15: its peer "
                                     "evtchn@d is no channel"));
    assert_non_null(strstr(log_text, "domain b: static event channel evtchn@16: no"));
    /* A port the state machine refuses is reported with its error. */
    bind_err = -EEXIST;
    teardown(state);
    setup(state);
    boot_tree(doms, 2);
    assert_int_equal(domain_build_all(), 2);
    bind_err = 0;
    assert_non_null(strstr(log_text, "domain a: static event channel port 10 to domain b port "
                                     "20: error -17\n"));
}

/* xl's irqs= and iomem= as dom0less properties: the device memory is mapped where asked, the
 * host SPIs are given with the trigger the host tree says, and it is all in the domain's
 * configuration for a restart. */
static void passes_devices_through(void **state)
{
    const struct dom doms[] = {
        { .name = "dev",
          .mem_kib = 65536,
          .kernel = ram.kernel,
          .kernel_len = KERNEL_FILE,
          .vpl011 = true,
          .irqs = { 34, 39, 100 },
          .nr_irqs = 3,
          .iomem = { { 0x9010000, 0x1000, 0x9010000 }, { 0x9020000, 0x2000, 0x10000000 } },
          .nr_iomem = 2 },
    };
    boot_tree(doms, 1);
    assert_int_equal(domain_build_all(), 1);
    assert_string_equal(events, "create dev, mmio dev:9010000+1000@9010000, "
                                "mmio dev:9020000+2000@10000000, irq dev:34l, irq dev:39e, "
                                "irq dev:100l, start dev");
    const struct domain_config *c = &made[0]->cfg;
    assert_int_equal(c->nr_irqs, 3);
    assert_int_equal(c->irqs[2], 100);
    assert_int_equal(c->nr_iomem, 2);
    assert_int_equal(c->iomem[1].host, 0x9020000);
    assert_int_equal(c->iomem[1].size, 0x2000);
    assert_int_equal(c->iomem[1].guest, 0x10000000);
}

/* Each reason host devices are refused is said on the domain's line; what a refused domain
 * was given goes back with it, for a later one to have. */
static void refuses_devices(void **state)
{
    const struct dom doms[] = {
        { .name = "spi5", .irqs = { 5 }, .nr_irqs = 1 },
        { .name = "twice", .irqs = { 34, 34 }, .nr_irqs = 2 },
        { .name = "short", .irqs = { 34 }, .bad_len = 3 },
        { .name = "uart", .irqs = { 36, 33 }, .nr_irqs = 2 },
        { .name = "owner", .irqs = { 34 }, .nr_irqs = 1 },
        { .name = "dup", .irqs = { 34 }, .nr_irqs = 1 },
        { .name = "own32", .vpl011 = true, .irqs = { 32 }, .nr_irqs = 1 },
        { .name = "far", .irqs = { 300 }, .nr_irqs = 1 },
        { .name = "unaligned", .iomem = { { 0x9010000, 0x800, 0x9010000 } }, .nr_iomem = 1 },
        { .name = "keels", .iomem = { { 0x9000000, 0x1000, 0x9000000 } }, .nr_iomem = 1 },
        { .name = "ongic", .iomem = { { 0x9010000, 0x1000, 0x3001000 } }, .nr_iomem = 1 },
        { .name = "onram", .iomem = { { 0x9010000, 0x1000, 0x40100000 } }, .nr_iomem = 1 },
        { .name = "overlap",
          .iomem = { { 0x9010000, 0x2000, 0x9010000 }, { 0x9020000, 0x1000, 0x9011000 } },
          .nr_iomem = 2 },
        { .name = "later", .irqs = { 36 }, .nr_irqs = 1 },
    };
    struct dom d[sizeof(doms) / sizeof(doms[0])];
    for (unsigned i = 0; i < sizeof(doms) / sizeof(doms[0]); i++) {
        d[i] = doms[i];
        d[i].mem_kib = 65536;
        d[i].kernel = ram.kernel;
        d[i].kernel_len = KERNEL_FILE;
    }
    boot_tree(d, sizeof(d) / sizeof(d[0]));
    assert_int_equal(domain_build_all(), 2);
    static const char *const lines[] = {
        "domain spi5: not created: irqs: 5 is not a shared peripheral interrupt (32 to 1019)\n",
        "domain twice: not created: irqs: 34 is given twice\n",
        "domain short: not created: \"keel,irqs\" is not up to 32 one-cell INTIDs\n",
        "domain uart: not created: irqs: host interrupt 33 is Keel's own\n",
        "domain dup: not created: irqs: host interrupt 34 is given to domain owner\n",
        "domain own32: not created: irqs: 32 is its emulated UART's interrupt\n",
        "domain far: not created: irqs: host interrupt 300 is beyond the interrupt controller's "
        "lines\n",
        "domain unaligned: not created: iomem: 0x800 bytes from 0x9010000 at 0x9010000 is not a "
        "range of whole pages\n",
        "domain keels: not created: iomem \"9000,1@9000\": host memory Keel uses itself (RAM, its "
        "UART or the interrupt controller)\n",
        "domain ongic: not created: iomem \"9010,1@3001\": the guest range overlaps one of its "
        "emulated devices\n",
        "domain onram: not created: iomem \"9010,1@40100\": the guest range overlaps its RAM or "
        "another iomem range\n",
        "domain overlap: not created: iomem \"9020,1@9011\": the guest range overlaps its RAM or "
        "another iomem range\n",
    };
    for (unsigned i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        if (!strstr(log_text, lines[i]))
            fail_msg("missing: %s\nin:\n%s", lines[i], log_text);
    /* "uart" had 36 before it was refused; "later" gets it. */
    assert_non_null(strstr(events, "irq uart:36l, kill uart"));
    assert_non_null(strstr(events, "irq later:36l"));
    assert_non_null(strstr(events, "start owner, start later"));
}

/* Boot domain "a" with the 600 KiB kernel (loaded whole), for the restart tests: its
 * configuration, as the reaper would take it. */
static struct domain_config boot_big_kernel(void)
{
    const struct dom doms[] = { { "a", 65536, ram.big, BIG_FILE } };
    arm64_image(ram.big, KERNEL_SIZE);
    boot_tree(doms, 1);
    assert_int_equal(domain_build_all(), 1);
    return made[0]->cfg;
}

/* A restart (domain_build_started): RAM and devices at once, vCPU 0 runnable and pointed at
 * the kernel, but no image copied; vCPU 0 then copies them (domain_load_run) a step of at most
 * 256 KiB at a time, leaving whenever the scheduler wants the pCPU, and the domain is built
 * ("created", others may reach it) only after the last step. */
static void restart_loads_on_its_vcpu(void **state)
{
    struct domain_config cfg = boot_big_kernel();
    events[0] = log_text[0] = 0;
    nr_copies = 0;
    entry = fdt_arg = 0;

    struct domain *d = domain_build_started(&cfg);
    assert_non_null(d);
    assert_string_equal(events, "create a, runnable a");
    assert_int_equal(nr_copies, 0);
    assert_int_equal(entry, 0x40000000);
    assert_int_equal(fdt_arg, 0x43c00000);
    assert_non_null(d->loader);
    assert_true(d->vcpus[0]->loading);
    assert_int_equal(d->state, DOM_BUILDING);

    /* The scheduler wants the pCPU after each step: one step per run. */
    struct vcpu *v = d->vcpus[0];
    unsigned runs = 0;
    while (d->loader && runs < 20) {
        percpu_data[0].need_resched = false;
        resched_after = 1;
        domain_load_run(v);
        runs++;
        if (d->loader) {
            assert_int_equal(d->state, DOM_BUILDING);
            assert_null(strstr(log_text, "created"));
        }
    }
    assert_null(d->loader);
    /* The kernel in three steps, the ramdisk in one, the device tree in one. */
    assert_int_equal(runs, 5);
    assert_int_equal(nr_copies, 5);
    const struct copy want[] = {
        { 'k', 0, 0x40000000, 0x40000 },
        { 'k', 0x40000, 0x40040000, 0x40000 },
        { 'k', 0x80000, 0x40080000, BIG_FILE - 0x80000 },
        { 'r', 0, 0x43e00000, sizeof(ram.ramdisk) - 100 },
        { 'o', 0, 0x43c00000, 100 },
    };
    for (unsigned i = 0; i < 5; i++) {
        assert_int_equal(copies[i].what, want[i].what);
        assert_int_equal(copies[i].off, want[i].off);
        assert_int_equal(copies[i].gpa, want[i].gpa);
        assert_int_equal(copies[i].len, want[i].len);
    }
    assert_false(v->loading);
    assert_string_equal(events, "create a, runnable a, built a");
    assert_non_null(strstr(log_text, "domain a: created (id 2, 64 MiB, 1 vCPU)\n"));
}

/* Left alone by the scheduler, vCPU 0 loads it all in one run; a boot build copies the same
 * bytes to the same places, all at once. */
static void restart_loads_in_one_run(void **state)
{
    struct domain_config cfg = boot_big_kernel();
    assert_int_equal(nr_copies, 3); /* at boot: each image in one copy */
    assert_int_equal(copies[0].len, BIG_FILE);
    nr_copies = 0;
    struct domain *d = domain_build_started(&cfg);
    assert_non_null(d);
    domain_load_run(d->vcpus[0]);
    assert_null(d->loader);
    assert_int_equal(nr_copies, 5);
    assert_int_equal(d->state, DOM_RUNNING);
}

/* A copy that fails ends the domain through domain_build_failed (shut down and destroyed, not
 * restarted again), with a line saying why; it is never said to be created. */
static void restart_load_fails(void **state)
{
    struct domain_config cfg = boot_big_kernel();
    events[0] = log_text[0] = 0;
    struct domain *d = domain_build_started(&cfg);
    assert_non_null(d);
    copy_err = -EFAULT;
    domain_load_run(d->vcpus[0]);
    assert_string_equal(events, "create a, runnable a, failed a");
    assert_non_null(strstr(log_text, "domain a: not created: cannot copy its ramdisk (-14)\n"));
    assert_null(strstr(log_text, "created ("));
    assert_int_equal(d->state, DOM_BUILDING);
    assert_int_equal(d->vcpus[0]->state, VCPU_PAUSED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(builds_all_then_starts, setup, teardown),
        cmocka_unit_test_setup_teardown(loads_at_128_mib, setup, teardown),
        cmocka_unit_test_setup_teardown(loads_at_the_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(says_why_not, setup, teardown),
        cmocka_unit_test_setup_teardown(nothing_built_ends, setup, teardown),
        cmocka_unit_test_setup_teardown(xen_enhanced, setup, teardown),
        cmocka_unit_test_setup_teardown(static_event_channels, setup, teardown),
        cmocka_unit_test_setup_teardown(dom0_built_first, setup, teardown),
        cmocka_unit_test_setup_teardown(dom0_options, setup, teardown),
        cmocka_unit_test_setup_teardown(dom0_bad_options, setup, teardown),
        cmocka_unit_test_setup_teardown(passes_devices_through, setup, teardown),
        cmocka_unit_test_setup_teardown(refuses_devices, setup, teardown),
        cmocka_unit_test_setup_teardown(restart_loads_on_its_vcpu, setup, teardown),
        cmocka_unit_test_setup_teardown(restart_loads_in_one_run, setup, teardown),
        cmocka_unit_test_setup_teardown(restart_load_fails, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
