/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Boot device-tree digest.  Written once by the boot CPU before the others start, read-only
 * afterwards, so no locking.  Interrupt controller, timer and PSCI nodes are parsed by their
 * own drivers, not here.
 */
#include <hyp/bootinfo.h>
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/string.h>

struct bootinfo bootinfo;

/* Upper bound for a DTB we accept; QEMU's are ~1 MiB at most. */
#define DTB_MAX_SIZE MiB(2)

/* Whether [base, base + size) rounded out to whole pages stays below 2^64.  Values in the
 * boot DTB are not trusted to be sane; a wrapping range would alias low memory. */
static bool range_fits(uint64_t base, uint64_t size)
{
    return size <= UINT64_MAX - base && base + size <= 0 - PAGE_SIZE;
}

/* Whether string property name of node n is exactly s.  Bounded by the property length, as
 * device-tree values need not be NUL-terminated, and an empty value is no match. */
static bool prop_is(const struct fdt *f, int n, const char *name, const char *s)
{
    uint32_t len;
    const char *v = fdt_prop(f, n, name, &len);
    size_t slen = strlen(s);
    return v && len == slen + 1 && !memcmp(v, s, len);
}

/* Last byte of a non-empty range: comparing by it lets a range end at 2^64. */
static uint64_t last_byte(const struct mem_range *r)
{
    return r->base + (r->size - 1);
}

static bool overlaps(const struct mem_range *a, const struct mem_range *b)
{
    return a->base <= last_byte(b) && b->base <= last_byte(a);
}

/* Bytes between two non-empty ranges; 0 when they overlap or touch. */
static uint64_t gap_between(const struct mem_range *a, const struct mem_range *b)
{
    if (a->base > last_byte(b))
        return a->base - last_byte(b) - 1;
    if (b->base > last_byte(a))
        return b->base - last_byte(a) - 1;
    return 0;
}

/* The smallest range covering a and b (short of one byte when that is all of 2^64). */
static struct mem_range hull(const struct mem_range *a, const struct mem_range *b)
{
    paddr_t base = MIN(a->base, b->base);
    uint64_t last = MAX(last_byte(a), last_byte(b));
    return (struct mem_range){ base, last - base == UINT64_MAX ? UINT64_MAX : last - base + 1 };
}

static void drop_reserved(unsigned i)
{
    bootinfo.reserved[i] = bootinfo.reserved[--bootinfo.nr_reserved];
}

/* Merge into r every reserved range it overlaps or touches, so the table holds no two ranges
 * that touch. */
static void fold_reserved(struct mem_range *r)
{
    for (unsigned i = 0; i < bootinfo.nr_reserved;) {
        if (gap_between(r, &bootinfo.reserved[i])) {
            i++;
            continue;
        }
        *r = hull(r, &bootinfo.reserved[i]);
        drop_reserved(i);
    }
}

/* The table is full and r must go in: merge the two closest of the table's ranges and r, and
 * count the free memory between them as lost.  The closest two have no third range between
 * them, so the table stays free of ranges that touch. */
static void squeeze_reserved(struct mem_range *r)
{
    unsigned n = bootinfo.nr_reserved, bi = n, bj = 0;
    uint64_t best = UINT64_MAX;
    struct mem_range *t = bootinfo.reserved;
    for (unsigned i = 0; i <= n; i++)
        for (unsigned j = 0; j < MIN(i, n); j++) {
            uint64_t g = gap_between(i == n ? r : &t[i], &t[j]);
            if (g < best) {
                best = g;
                bi = i;
                bj = j;
            }
        }
    struct mem_range *into = bi == n ? r : &t[bi];
    *into = hull(into, &t[bj]);
    drop_reserved(bj); /* bj < bi: moving the last entry down keeps the merged one */
    bootinfo.reserved_squeezed++;
    bootinfo.reserved_lost += best;
}

/*
 * Reserve [base, base + size): the page allocator never hands it out.  Nothing is ever dropped:
 * clamped at 2^64 rather than refused, and when more ranges come than the table holds, the
 * closest ones are merged (see squeeze_reserved).  Handing out memory that holds a boot
 * module or firmware data is a worse mistake than keeping a little free memory back.
 */
static void add_reserved(paddr_t base, uint64_t size)
{
    if (!size)
        return;
    if (size > UINT64_MAX - base)
        size = 0 - base;
    struct mem_range r = { base, size };
    fold_reserved(&r);
    if (bootinfo.nr_reserved == MAX_RESERVED)
        squeeze_reserved(&r);
    bootinfo.reserved[bootinfo.nr_reserved++] = r;
}

static void parse_memory(const struct fdt *f)
{
    for (int n = fdt_next_node(f, -1, NULL); n >= 0; n = fdt_next_node(f, n, NULL)) {
        if (!prop_is(f, n, "device_type", "memory"))
            continue;
        if (fdt_has_prop(f, n, "status") && !prop_is(f, n, "status", "okay") &&
            !prop_is(f, n, "status", "ok"))
            continue;
        uint64_t base, size;
        for (unsigned i = 0; fdt_reg(f, n, i, &base, &size) == 0; i++) {
            if (!range_fits(base, size))
                continue;
            /* Whole pages only. */
            uint64_t end = ALIGN_DOWN(base + size, PAGE_SIZE);
            base = ALIGN_UP(base, PAGE_SIZE);
            if (end <= base)
                continue;
            if (bootinfo.nr_mem == MAX_MEM_BANKS) {
                pr_warn("bootinfo: too many memory banks, ignoring %#lx+%#lx\n", base, end - base);
                continue;
            }
            bootinfo.mem[bootinfo.nr_mem++] = (struct mem_range){ base, end - base };
        }
    }
}

static void parse_stdout(const struct fdt *f)
{
    int chosen = fdt_path(f, "/chosen");
    uint32_t len;
    const char *path = fdt_prop(f, chosen, "stdout-path", &len);
    if (!path)
        return;
    size_t plen = strnlen(path, len);
    for (size_t i = 0; i < plen; i++)
        if (path[i] == ':')
            plen = i;
    int uart = fdt_path_len(f, path, plen);
    if (uart < 0) {
        /* An alias name ("serial0") rather than a path. */
        int aliases = fdt_path(f, "/aliases");
        char name[32];
        if (plen >= sizeof(name))
            return;
        memcpy(name, path, plen);
        name[plen] = 0;
        const char *target = fdt_prop(f, aliases, name, &len);
        if (target)
            uart = fdt_path_len(f, target, strnlen(target, len));
    }
    uint64_t base;
    if (uart >= 0 &&
        (fdt_compatible(f, uart, "arm,pl011") || fdt_compatible(f, uart, "arm,sbsa-uart")) &&
        fdt_reg(f, uart, 0, &base, NULL) == 0)
        bootinfo.uart_base = base;
}

int bootinfo_parse_early(const void *dtb, const char **why)
{
    const char *ignored;
    if (!why)
        why = &ignored;
    memset(&bootinfo, 0, sizeof(bootinfo));
    bootinfo.fdt_base = (paddr_t)(uintptr_t)dtb;
    if (fdt_open(&bootinfo.fdt, dtb, DTB_MAX_SIZE, why))
        return -EINVAL;
    parse_memory(&bootinfo.fdt);
    if (!bootinfo.nr_mem) {
        *why = "no memory node";
        return -EINVAL;
    }
    parse_stdout(&bootinfo.fdt);
    return 0;
}

static void parse_reserved(const struct fdt *f)
{
    uint64_t base, size;
    for (unsigned i = 0; fdt_mem_rsv(f, i, &base, &size) == 0; i++)
        add_reserved(base, size);
    int rm = fdt_path(f, "/reserved-memory");
    for (int n = fdt_first_child(f, rm); rm >= 0 && n >= 0; n = fdt_next_sibling(f, n))
        for (unsigned i = 0; fdt_reg(f, n, i, &base, &size) == 0; i++)
            add_reserved(base, size);
    add_reserved(bootinfo.fdt_base, ALIGN_UP(bootinfo.fdt.size, PAGE_SIZE));
}

static int parse_cpus(const struct fdt *f)
{
    int cpus = fdt_path(f, "/cpus");
    if (cpus < 0) {
        pr_err("bootinfo: no /cpus node\n");
        return -EINVAL;
    }
    for (int n = fdt_first_child(f, cpus); n >= 0; n = fdt_next_sibling(f, n)) {
        if (!prop_is(f, n, "device_type", "cpu"))
            continue;
        uint64_t hwid;
        if (fdt_reg(f, n, 0, &hwid, NULL)) {
            pr_warn("bootinfo: cpu node %s has no reg, skipped\n", fdt_name(f, n));
            continue;
        }
        if (bootinfo.nr_cpus == MAX_CPUS) {
            pr_warn("bootinfo: more than %d CPUs, the rest stay off\n", MAX_CPUS);
            break;
        }
        bootinfo.cpu_hwid[bootinfo.nr_cpus++] = hwid;
    }
    if (!bootinfo.nr_cpus) {
        pr_err("bootinfo: no CPUs in /cpus\n");
        return -EINVAL;
    }
    return 0;
}

/* Module kind of node n from its "compatible"; -ENOENT if n is not a boot module. */
static int module_kind(const struct fdt *f, int n)
{
    if (fdt_compatible(f, n, "multiboot,kernel") || fdt_compatible(f, n, "xen,linux-zimage"))
        return MOD_KERNEL;
    if (fdt_compatible(f, n, "multiboot,ramdisk") || fdt_compatible(f, n, "xen,linux-initrd"))
        return MOD_RAMDISK;
    if (fdt_compatible(f, n, "multiboot,device-tree"))
        return MOD_DEVICE_TREE;
    if (fdt_compatible(f, n, "multiboot,module") || fdt_compatible(f, n, "xen,multiboot-module"))
        return MOD_OTHER;
    return -ENOENT;
}

/* The module node n describes: 0, -ENOENT (not a module) or -EINVAL (no usable reg). */
static int decode_module(const struct fdt *f, int n, struct boot_module *m)
{
    int kind = module_kind(f, n);
    if (kind < 0)
        return kind;
    if (fdt_reg(f, n, 0, &m->base, &m->size) || !m->size || !range_fits(m->base, m->size))
        return -EINVAL;
    m->kind = (enum module_kind)kind;
    m->node = n;
    return 0;
}

static void reserve_module(const struct fdt *f, int n)
{
    struct boot_module m;
    int rc = decode_module(f, n, &m);
    if (rc == -EINVAL)
        pr_warn("bootinfo: module %s has no usable reg, ignored\n", fdt_name(f, n));
    if (rc)
        return;
    bootinfo.nr_modules++;
    add_reserved(ALIGN_DOWN(m.base, PAGE_SIZE),
                 ALIGN_UP(m.base + m.size, PAGE_SIZE) - ALIGN_DOWN(m.base, PAGE_SIZE));
}

int bootinfo_next_module(int parent, int after, struct boot_module *m)
{
    const struct fdt *f = &bootinfo.fdt;
    int n = after < 0 ? fdt_first_child(f, parent) : fdt_next_sibling(f, after);
    for (; parent >= 0 && n >= 0; n = fdt_next_sibling(f, n))
        if (!decode_module(f, n, m))
            return n;
    return -1;
}

static void parse_chosen(const struct fdt *f)
{
    int chosen = fdt_path(f, "/chosen");
    uint32_t len = 0;
    const char *args = fdt_prop(f, chosen, "xen,xen-bootargs", &len);
    if (!args)
        args = fdt_prop(f, chosen, "bootargs", &len);
    bootinfo.cmdline = args && len && strnlen(args, len) < len ? args : "";
    for (int n = fdt_first_child(f, chosen); chosen >= 0 && n >= 0; n = fdt_next_sibling(f, n)) {
        if (fdt_compatible(f, n, "xen,domain")) {
            for (int m = fdt_first_child(f, n); m >= 0; m = fdt_next_sibling(f, m))
                reserve_module(f, m);
        } else {
            reserve_module(f, n);
        }
    }
}

int bootinfo_parse(void)
{
    const struct fdt *f = &bootinfo.fdt;
    parse_reserved(f);
    parse_chosen(f);
    if (bootinfo.reserved_squeezed)
        pr_warn("bootinfo: more reserved ranges than the %u Keel keeps apart: %u merged with "
                "their neighbours, %lu KiB of free memory between them stays unused\n",
                MAX_RESERVED, bootinfo.reserved_squeezed, bootinfo.reserved_lost >> 10);
    return parse_cpus(f);
}

bool bootinfo_in_ram(paddr_t base, uint64_t size)
{
    if (!size || size > UINT64_MAX - base)
        return false;
    for (unsigned i = 0; i < bootinfo.nr_mem; i++)
        if (base >= bootinfo.mem[i].base &&
            base + size <= bootinfo.mem[i].base + bootinfo.mem[i].size)
            return true;
    return false;
}

/* An empty or wrapping range is never "free": callers use this to hand memory out. */
bool bootinfo_range_free(paddr_t base, uint64_t size)
{
    if (!bootinfo_in_ram(base, size))
        return false;
    struct mem_range r = { base, size };
    for (unsigned i = 0; i < bootinfo.nr_reserved; i++)
        if (overlaps(&r, &bootinfo.reserved[i]))
            return false;
    return true;
}
