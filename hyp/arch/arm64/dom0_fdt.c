/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dom0's device tree and the host devices dom0 gets, as Xen on Arm gives its hardware domain:
 * the host's tree copied node by node and property by property, less what Keel keeps or does
 * not virtualise (its console UART, the ITS, the PMU, memory, CPUs, PSCI, /chosen,
 * /reserved-memory), with Keel's vGIC in the host GIC's place (same name and phandle), dom0's
 * memory, vCPUs, PSCI and /chosen, and a /hypervisor node whose windows lie where the host has
 * nothing.  One rule (dom0_use) decides both what the tree keeps and which devices dom0 gets.
 * Runs while dom0 is built; the host tree is only read; no locking.
 */
#include <arm64/dom0_fdt.h>
#include <arm64/host_dt.h>
#include <arm64/vgic.h>
#include <hyp/arch/domain.h>
#include <hyp/bootinfo.h>
#include <hyp/errno.h>
#include <hyp/heap.h>
#include <hyp/string.h>
#include <xen/arch-arm.h>
#include "guest_fdt_internal.h"

#define SPACE_START MiB(2)
#define SPACE_END (UINT64_C(1) << 40) /* Keel gives guests 40-bit physical addresses */
#define GNTTAB_ALIGN GUEST_GNTTAB_SIZE
#define EXT_ALIGN MiB(2) /* superpage mappings, as Xen aligns them */
#define EXT_MIN MiB(64)  /* Xen's and libxl's floor: smaller ones are not worth the bookkeeping */
#define MAX_SPI_INTID 1019

_Static_assert(1 + DOM0_MAX_EXT_REGIONS <= HYPERVISOR_MAX_REGIONS, "a /hypervisor reg too long");

/* What dom0 gets of a host node and its subtree. */
enum dom0_use {
    USE_COPY,  /* copied as it is; its devices are dom0's */
    USE_GIC,   /* replaced by Keel's vGIC: same name and phandle, no children */
    USE_DROP,  /* left out: Keel's own, replaced by Keel's, or not virtualised */
    USE_PATHS, /* /aliases, /__symbols__: copied without the entries naming left-out nodes */
};

struct dom0_host {
    const struct fdt *f;
    paddr_t hyp_uart;
    int gic;              /* the GICv3 Keel's vGIC stands in for, -1 if none */
    uint32_t gic_phandle; /* its phandle, or one the host does not use */
    uint32_t gic_cells;   /* its #interrupt-cells */
};

/* Root nodes Keel writes itself (dom0's vCPUs, PSCI, memory, /chosen, /hypervisor) or leaves out
 * (/reserved-memory: dom0's RAM is not the host's). */
static const char *const replaced_at_root[] = {
    "cpus", "psci", "chosen", "memory", "reserved-memory", "hypervisor"
};

/* Nodes dom0 does not get wherever they are: another GICv3, the ITS (dom0 has no MSI
 * controller), firmware Keel stands in for (PSCI), what belongs to the boot (Xen's node,
 * modules), the memory-mapped timer (Keel gives guests the architected one only). */
static const char *const dropped_compat[] = {
    "arm,gic-v3",       "arm,gic-v3-its",       "arm,psci",
    "arm,psci-0.2",     "arm,psci-1.0",         "xen,xen",
    "multiboot,module", "xen,multiboot-module", "arm,armv7-timer-mem",
};

static uint32_t cells(const struct fdt *f, int node, const char *name, uint32_t dflt)
{
    uint32_t v;
    return fdt_prop_u32(f, node, name, &v) ? v : dflt;
}

/* "memory" names "memory" and "memory@40000000". */
static bool name_is(const char *name, const char *want)
{
    size_t n = strlen(want);
    return !strncmp(name, want, n) && (name[n] == 0 || name[n] == '@');
}

/* A CPU's PMU (arm,armv8-pmuv3, arm,cortex-a57-pmu, ...): per-CPU, so no "reg"; Keel gives
 * guests no PMU.  Memory-mapped PMUs (arm,coresight-pmu) have a reg and are devices. */
static bool is_cpu_pmu(const struct fdt *f, int node)
{
    uint32_t len;
    const char *c = fdt_prop(f, node, "compatible", &len);
    if (!c || fdt_has_prop(f, node, "reg"))
        return false;
    while (len > 0) {
        size_t n = strnlen(c, len);
        if ((n >= 4 && !memcmp(c + n - 4, "-pmu", 4)) ||
            (n >= 6 && !memcmp(c + n - 6, "-pmuv3", 6)))
            return true;
        if (n == len)
            break;
        c += n + 1;
        len -= (uint32_t)(n + 1);
    }
    return false;
}

static int is_ppi(void *ctx, const struct host_dt_irq *irq)
{
    (void)ctx;
    return irq->type == 1 || irq->type == 3; /* PPI, extended PPI */
}

/* What dom0 gets of the walk's current node (its ancestors are the caller's business). */
static enum dom0_use dom0_use(const struct dom0_host *h, const struct host_dt_iter *it)
{
    const struct fdt *f = h->f;
    int node = host_dt_node(it);
    if (it->depth == 0)
        return USE_COPY;
    if (it->depth == 1) {
        const char *name = fdt_name(f, node);
        for (unsigned i = 0; i < ARRAY_SIZE(replaced_at_root); i++)
            if (name_is(name, replaced_at_root[i]))
                return USE_DROP;
        if (name_is(name, "aliases") || name_is(name, "__symbols__"))
            return USE_PATHS;
    }
    if (node == h->gic)
        return USE_GIC;
    if (fdt_stringlist_has(f, node, "device_type", "memory"))
        return USE_DROP;
    for (unsigned i = 0; i < ARRAY_SIZE(dropped_compat); i++)
        if (fdt_compatible(f, node, dropped_compat[i]))
            return USE_DROP;
    if (is_cpu_pmu(f, node))
        return USE_DROP;
    uint64_t base, size;
    if (h->hyp_uart && host_dt_reg(it, 0, &base, &size) == 0 && base == h->hyp_uart)
        return USE_DROP;
    /* Keel routes no host PPI to a guest (Xen's vGIC does not either): a device with one
     * (SPE, TRBE, a PMU by another name) cannot work.  The timer's are virtualised. */
    if (!fdt_compatible(f, node, "arm,armv8-timer") &&
        !fdt_compatible(f, node, "arm,armv7-timer") &&
        host_dt_gic_irqs(it, h->gic, false, is_ppi, NULL))
        return USE_DROP;
    return USE_COPY;
}

/* Whether node is in dom0's tree: neither it nor an ancestor is left out, and it is not below
 * the GIC.  The GIC itself is (as the vGIC, with the same phandle). */
static bool node_kept(const struct dom0_host *h, int node)
{
    struct host_dt_iter it;
    if (!host_dt_iter_find(&it, h->f, node))
        return false;
    int depth = it.depth;
    for (int l = 1; l <= depth; l++) {
        it.depth = l;
        enum dom0_use u = dom0_use(h, &it);
        if (u == USE_DROP || (u == USE_GIC && l < depth))
            return false;
    }
    return true;
}

/* A phandle no node of f has: Xen's for a guest's GIC if it is free. */
static uint32_t free_phandle(const struct fdt *f)
{
    if (fdt_find_phandle(f, GUEST_PHANDLE_GIC) < 0)
        return GUEST_PHANDLE_GIC;
    uint32_t max = 0;
    for (int n = fdt_next_node(f, -1, NULL); n >= 0; n = fdt_next_node(f, n, NULL)) {
        uint32_t v;
        if (fdt_prop_u32(f, n, "phandle", &v) || fdt_prop_u32(f, n, "linux,phandle", &v))
            max = MAX(max, v);
    }
    return max + 1;
}

static void dom0_host_init(struct dom0_host *h, const struct fdt *f, paddr_t hyp_uart)
{
    h->f = f;
    h->hyp_uart = hyp_uart;
    /* The root's interrupt parent if it is a GICv3, else the first GICv3. */
    uint32_t ph;
    int gic = fdt_prop_u32(f, 0, "interrupt-parent", &ph) ? fdt_find_phandle(f, ph) : -1;
    if (gic <= 0 || !fdt_compatible(f, gic, "arm,gic-v3")) /* the root is no GIC */
        gic = fdt_find_compatible(f, 0, "arm,gic-v3");
    h->gic = gic;
    h->gic_phandle = 0;
    if (gic >= 0 && !fdt_prop_u32(f, gic, "phandle", &h->gic_phandle))
        fdt_prop_u32(f, gic, "linux,phandle", &h->gic_phandle); /* before DT spec v0.1 */
    if (!h->gic_phandle)
        h->gic_phandle = free_phandle(f);
    h->gic_cells = gic < 0 ? 3 : cells(f, gic, "#interrupt-cells", 3);
    if (h->gic_cells < 3 || h->gic_cells > 4)
        h->gic_cells = 3;
}

/* --- Lists of host ranges, sorted and merged: counted, then allocated and filled. --- */

struct ranges {
    struct mem_range *r; /* NULL while counting */
    unsigned n, cap;
};

/* Add [base, base + size) with its pages rounded outwards. */
static void ranges_add(struct ranges *s, uint64_t base, uint64_t size)
{
    if (!size)
        return;
    uint64_t last = base + size - 1 < base ? UINT64_MAX : base + size - 1;
    base = ALIGN_DOWN(base, PAGE_SIZE);
    uint64_t end = last >= ALIGN_DOWN(UINT64_MAX, PAGE_SIZE) ? ALIGN_DOWN(UINT64_MAX, PAGE_SIZE)
                                                             : ALIGN_UP(last + 1, PAGE_SIZE);
    if (s->r && s->n < s->cap)
        s->r[s->n] = (struct mem_range){ base, end - base };
    if (!s->r || s->n < s->cap)
        s->n++;
}

static int ranges_alloc(struct ranges *s)
{
    s->cap = s->n;
    s->n = 0;
    s->r = heap_alloc(MAX(s->cap, 1u) * sizeof(*s->r));
    return s->r ? 0 : -ENOMEM;
}

/* Sort by address (insertion sort: tens to hundreds of ranges, once per boot) and merge the
 * ones that overlap or touch. */
static void ranges_normalise(struct ranges *s)
{
    struct mem_range *r = s->r;
    for (unsigned i = 1; i < s->n; i++) {
        struct mem_range x = r[i];
        unsigned j = i;
        for (; j > 0 && r[j - 1].base > x.base; j--)
            r[j] = r[j - 1];
        r[j] = x;
    }
    unsigned out = 0;
    for (unsigned i = 0; i < s->n; i++) {
        struct mem_range *last = out ? &r[out - 1] : NULL;
        if (last && r[i].base <= last->base + last->size) {
            uint64_t end = MAX(last->base + last->size, r[i].base + r[i].size);
            last->size = end - last->base;
        } else {
            r[out++] = r[i];
        }
    }
    s->n = out;
}

static void add_regs(const struct host_dt_iter *it, struct ranges *s)
{
    unsigned n = host_dt_nr_reg(it);
    for (unsigned i = 0; i < n; i++) {
        uint64_t base, size;
        if (host_dt_reg(it, i, &base, &size) == 0)
            ranges_add(s, base, size);
    }
}

static void add_windows(const struct host_dt_iter *it, struct ranges *s)
{
    unsigned n = host_dt_nr_windows(it);
    for (unsigned i = 0; i < n; i++) {
        uint64_t base, size;
        if (host_dt_window(it, i, &base, &size) == 0)
            ranges_add(s, base, size);
    }
}

/* --- Where dom0 can map what is not its own --- */

/* Everything in the host's address space that something may be at. */
static void collect_used(const struct fdt *f, const struct mem_range *used, unsigned nr_used,
                         struct ranges *s)
{
    for (unsigned i = 0; i < nr_used; i++)
        ranges_add(s, used[i].base, used[i].size);
    uint64_t a, size;
    for (unsigned i = 0; fdt_mem_rsv(f, i, &a, &size) == 0; i++)
        ranges_add(s, a, size);
    struct host_dt_iter it;
    if (!host_dt_iter_init(&it, f))
        return;
    while (host_dt_iter_next(&it, false)) {
        add_regs(&it, s);
        add_windows(&it, s);
    }
}

/* The next free range [*a, *b) from *cur up to end between the sorted, merged used ranges. */
static bool next_gap(const struct ranges *s, uint64_t *cur, uint64_t end, uint64_t *a, uint64_t *b)
{
    while (*cur < end) {
        uint64_t start = *cur;
        const struct mem_range *r = NULL;
        for (unsigned i = 0; i < s->n && !r; i++)
            if (s->r[i].base + s->r[i].size > start)
                r = &s->r[i];
        if (!r || r->base >= end) {
            *a = start;
            *b = *cur = end;
            return true;
        }
        *cur = r->base + r->size;
        if (r->base > start) {
            *a = start;
            *b = r->base;
            return true;
        }
    }
    return false;
}

/* Extended regions in [a, b): 2 MiB aligned, at least 64 MiB, none longer than max. */
static void add_ext(struct dom0_space *out, uint64_t a, uint64_t b, uint64_t max)
{
    uint64_t s = ALIGN_UP(a, EXT_ALIGN), e = ALIGN_DOWN(b, EXT_ALIGN);
    while (e > s && e - s >= EXT_MIN && out->nr_ext < DOM0_MAX_EXT_REGIONS) {
        uint64_t n = MIN(e - s, max);
        out->ext[out->nr_ext++] = (struct mem_range){ s, n };
        s += n;
    }
}

int dom0_free_space(const struct fdt *host, const struct mem_range *used, unsigned nr_used,
                    struct dom0_space *out)
{
    struct ranges s = { 0 };
    memset(out, 0, sizeof(*out));
    collect_used(host, used, nr_used, &s);
    if (ranges_alloc(&s))
        return -ENOMEM;
    collect_used(host, used, nr_used, &s);
    ranges_normalise(&s);
    /* Only what the root's cells can say: reg values of one cell stop at 4 GiB. */
    uint64_t end = cells(host, 0, "#address-cells", 2) == 1 ? GiB(4) : SPACE_END;
    uint64_t max = cells(host, 0, "#size-cells", 1) == 1 ? GiB(4) - EXT_ALIGN : UINT64_MAX;
    uint64_t cur = SPACE_START, a, b;
    while (!out->gnttab.size && next_gap(&s, &cur, end, &a, &b)) {
        uint64_t g = ALIGN_UP(a, GNTTAB_ALIGN);
        if (g >= a && g < b && b - g >= GUEST_GNTTAB_SIZE)
            out->gnttab = (struct mem_range){ g, GUEST_GNTTAB_SIZE };
    }
    int rc = out->gnttab.size ? 0 : -ENOSPC;
    const struct mem_range *gt = &out->gnttab;
    for (cur = SPACE_START; !rc && next_gap(&s, &cur, end, &a, &b);) {
        if (gt->base >= a && gt->base < b) {
            add_ext(out, a, gt->base, max);
            add_ext(out, gt->base + gt->size, b, max);
        } else {
            add_ext(out, a, b, max);
        }
    }
    heap_free(s.r);
    return rc;
}

/* --- dom0's device tree --- */

/* Whether a property of a kept node points at a node dom0 does not get, which would leave it
 * dangling: the MSI controller (the ITS) of "msi-parent" and "msi-map", the /reserved-memory
 * regions of "memory-region". */
static bool dangles(const struct dom0_host *h, const char *name, const uint8_t *v, uint32_t len)
{
    uint32_t first, step; /* cells: where the first phandle is, from one to the next */
    if (!strcmp(name, "msi-map")) {
        first = 1; /* rid-base, msi-controller, msi-base, length */
        step = 4;
    } else if (!strcmp(name, "memory-region")) {
        first = 0;
        step = 1;
    } else if (!strcmp(name, "msi-parent")) {
        first = 0; /* msi-controller and its #msi-cells */
        step = 0;
    } else {
        return false;
    }
    for (uint32_t off = first * 4; len >= 4 && off <= len - 4;) {
        int n = fdt_find_phandle(h->f, fdt32(v + off));
        if (n >= 0 && !node_kept(h, n))
            return true;
        uint32_t args = step ? step - 1 : n >= 0 ? cells(h->f, n, "#msi-cells", 0) : 0;
        if (args > 16)
            return false;
        off += (1 + args) * 4;
    }
    return false;
}

/* Whether an /aliases or /__symbols__ entry names a node dom0 does not get. */
static bool path_dangles(const struct dom0_host *h, const char *v, uint32_t len)
{
    size_t n = strnlen(v, len);
    if (n == 0 || n == len || v[0] != '/')
        return false;
    size_t m = 0;
    while (m < n && v[m] != ':') /* stdout-path style options */
        m++;
    int node = fdt_path_len(h->f, v, m);
    return node >= 0 && !node_kept(h, node);
}

static void copy_props(struct fdt_writer *w, const struct dom0_host *h, int node, bool paths)
{
    for (int q = fdt_first_prop(h->f, node); q >= 0; q = fdt_next_prop(h->f, q)) {
        const char *name;
        uint32_t len;
        const uint8_t *v = fdt_prop_at(h->f, q, &name, &len);
        if (paths ? path_dangles(h, (const char *)v, len) : dangles(h, name, v, len))
            continue;
        fdt_write_property(w, name, v, len);
    }
}

static void copy_prop(struct fdt_writer *w, const struct fdt *f, int node, const char *name)
{
    uint32_t len;
    const void *v = fdt_prop(f, node, name, &len);
    if (v)
        fdt_write_property(w, name, v, len);
}

/* The root's properties, its interrupt parent the vGIC. */
static void write_root_props(struct fdt_writer *w, const struct dom0_host *h)
{
    bool parent = false;
    for (int q = fdt_first_prop(h->f, 0); q >= 0; q = fdt_next_prop(h->f, q)) {
        const char *name;
        uint32_t len;
        const void *v = fdt_prop_at(h->f, q, &name, &len);
        if (!strcmp(name, "interrupt-parent")) {
            fdt_write_prop_u32(w, name, h->gic_phandle);
            parent = true;
        } else {
            fdt_write_property(w, name, v, len);
        }
    }
    if (!parent)
        fdt_write_prop_u32(w, "interrupt-parent", h->gic_phandle);
}

/* Keel's vGIC where the host GIC was: its frames are at the host's addresses (vgic_frames). */
static void write_vgic(struct fdt_writer *w, const struct dom0_host *h,
                       const struct host_dt_iter *it, struct domain *d)
{
    const struct fdt *f = h->f;
    int node = host_dt_node(it), parent = it->path[it->depth - 1];
    /* What the GIC's bus adds to the addresses it is given (0 under the root). */
    uint64_t raw, host, size, offset = 0;
    if (fdt_reg(f, node, 0, &raw, NULL) == 0 && host_dt_reg(it, 0, &host, &size) == 0)
        offset = host - raw;
    fdt_write_begin_node(w, fdt_name(f, node));
    /* Kept as the host has them: an interrupt-map's parent unit addresses (PCI INTx) are as
     * many cells as the GIC's #address-cells says. */
    copy_prop(w, f, node, "#address-cells");
    copy_prop(w, f, node, "#size-cells");
    guest_fdt_gic_props(w, d, cells(f, parent, "#address-cells", 2),
                        cells(f, parent, "#size-cells", 1), offset, h->gic_cells, h->gic_phandle);
    fdt_write_end_node(w);
}

/* A vGIC for a host tree without a GICv3 (its devices cannot name it, but dom0 needs one). */
static void write_new_vgic(struct fdt_writer *w, const struct dom0_host *h, struct domain *d)
{
    uint64_t dist, redist;
    char name[48];
    vgic_frames(d, &dist, &redist);
    snprintf(name, sizeof(name), "interrupt-controller@%lx", dist);
    fdt_write_begin_node(w, name);
    guest_fdt_gic_props(w, d, cells(h->f, 0, "#address-cells", 2), cells(h->f, 0, "#size-cells", 1),
                        0, 3, h->gic_phandle);
    fdt_write_end_node(w);
}

/* Every node under the root that dom0 keeps, in the host's order, GIC replaced. */
static void copy_tree(struct fdt_writer *w, const struct dom0_host *h, struct domain *d)
{
    struct host_dt_iter it;
    int open = 0; /* depth of the innermost node open in w, 0: the root */
    bool skip = false;
    host_dt_iter_init(&it, h->f);
    while (host_dt_iter_next(&it, skip)) {
        for (; open >= it.depth; open--)
            fdt_write_end_node(w);
        enum dom0_use u = dom0_use(h, &it);
        skip = u == USE_DROP || u == USE_GIC;
        if (u == USE_GIC)
            write_vgic(w, h, &it, d);
        if (skip)
            continue;
        fdt_write_begin_node(w, fdt_name(h->f, host_dt_node(&it)));
        copy_props(w, h, host_dt_node(&it), u == USE_PATHS);
        open = it.depth;
    }
    for (; open > 0; open--)
        fdt_write_end_node(w);
}

/* The host's /chosen properties that are not about the host's own boot (Xen keeps the same:
 * not the command lines, initrd, console, UEFI tables; Keel writes its own seeds). */
static bool chosen_prop_kept(const char *name)
{
    return strcmp(name, "bootargs") && strcmp(name, "stdout-path") && strcmp(name, "rng-seed") &&
           strcmp(name, "kaslr-seed") && strncmp(name, "linux,", 6) && strncmp(name, "xen,", 4);
}

static void write_chosen(struct fdt_writer *w, const struct dom0_host *h, struct domain *d,
                         struct gpa initrd, uint64_t initrd_size)
{
    int chosen = fdt_path(h->f, "/chosen");
    fdt_write_begin_node(w, "chosen");
    for (int q = fdt_first_prop(h->f, chosen); q >= 0; q = fdt_next_prop(h->f, q)) {
        const char *name;
        uint32_t len;
        const void *v = fdt_prop_at(h->f, q, &name, &len);
        if (chosen_prop_kept(name))
            fdt_write_property(w, name, v, len);
    }
    guest_fdt_chosen_props(w, d, initrd, initrd_size);
    fdt_write_end_node(w);
}

/* dom0's tree from host; hyp_uart is Keel's console, ram[0..nr_ram) all of the host's RAM. */
static int dom0_fdt_from(struct domain *d, const struct fdt *host, paddr_t hyp_uart,
                         const struct mem_range *ram, unsigned nr_ram, void *buf, size_t size,
                         struct gpa initrd, uint64_t initrd_size)
{
    struct dom0_host h;
    struct host_dt_iter it;
    if (!host_dt_iter_init(&it, host))
        return -EINVAL;
    dom0_host_init(&h, host, hyp_uart);
    struct mem_range used[MAX_MEM_BANKS + MAX_GUEST_RAM_BANKS];
    unsigned nr_used = 0;
    for (unsigned i = 0; i < nr_ram && nr_used < MAX_MEM_BANKS; i++)
        used[nr_used++] = ram[i];
    for (unsigned i = 0; i < d->nr_ram && i < MAX_GUEST_RAM_BANKS; i++)
        used[nr_used++] = d->ram[i];
    struct dom0_space space;
    int rc = dom0_free_space(host, used, nr_used, &space);
    if (rc)
        return rc;
    struct mem_range regions[1 + DOM0_MAX_EXT_REGIONS];
    regions[0] = space.gnttab;
    memcpy(&regions[1], space.ext, space.nr_ext * sizeof(regions[0]));

    uint32_t ac = cells(host, 0, "#address-cells", 2), sc = cells(host, 0, "#size-cells", 1);
    struct fdt_writer w;
    fdt_write_init(&w, buf, size);
    fdt_write_begin_node(&w, "");
    write_root_props(&w, &h);
    copy_tree(&w, &h, d);
    guest_fdt_cpus(&w, d);
    guest_fdt_psci(&w);
    guest_fdt_memory(&w, d, ac, sc);
    if (h.gic < 0)
        write_new_vgic(&w, &h, d);
    guest_fdt_hypervisor(&w, ac, sc, regions, 1 + space.nr_ext, h.gic_cells);
    write_chosen(&w, &h, d, initrd, initrd_size);
    fdt_write_end_node(&w);
    size_t total;
    rc = fdt_write_finish(&w, &total);
    return rc ? rc : (int)total;
}

int dom0_fdt(struct domain *d, void *buf, size_t size, struct gpa initrd, uint64_t initrd_size)
{
    return dom0_fdt_from(d, &bootinfo.fdt, bootinfo.uart_base, bootinfo.mem, bootinfo.nr_mem, buf,
                         size, initrd, initrd_size);
}

/* --- The devices dom0 gets --- */

struct spi_set {
    uint64_t on[(MAX_SPI_INTID + 64) / 64];
    uint64_t edge[(MAX_SPI_INTID + 64) / 64];
};

static int note_spi(void *ctx, const struct host_dt_irq *irq)
{
    struct spi_set *s = ctx;
    if (irq->type != GIC_IRQ_SPI || irq->num > MAX_SPI_INTID - 32)
        return 0;
    unsigned id = irq->num + 32;
    uint64_t bit = UINT64_C(1) << (id % 64);
    if (s->on[id / 64] & bit)
        return 0; /* shared, or several INTx pins on one line: the first says how */
    s->on[id / 64] |= bit;
    if (irq->flags & (GIC_IRQ_EDGE_RISING | GIC_IRQ_EDGE_FALLING))
        s->edge[id / 64] |= bit;
    return 0;
}

/* MMIO of every enabled node dom0 keeps (and its SPIs into spis, unless NULL). */
static void collect_devices(const struct dom0_host *h, struct ranges *mmio, struct spi_set *spis)
{
    struct host_dt_iter it;
    bool skip = false;
    host_dt_iter_init(&it, h->f);
    while (host_dt_iter_next(&it, skip)) {
        int node = host_dt_node(&it);
        skip = dom0_use(h, &it) != USE_COPY || !host_dt_available(h->f, node);
        if (skip)
            continue;
        add_regs(&it, mmio);
        /* A PCI host bridge's devices are found by probing, not in the tree: dom0 gets the
         * windows where their BARs are (Xen does the same). */
        if (fdt_stringlist_has(h->f, node, "device_type", "pci") ||
            fdt_stringlist_has(h->f, node, "device_type", "pciex"))
            add_windows(&it, mmio);
        if (spis) {
            host_dt_gic_irqs(&it, h->gic, false, note_spi, spis);
            host_dt_gic_irqs(&it, h->gic, true, note_spi, spis);
        }
    }
}

/* What dom0 never gets, whatever the tree says: Keel's UART, the GIC and what is below it. */
static void collect_keel(const struct dom0_host *h, struct ranges *s)
{
    struct host_dt_iter it;
    if (h->hyp_uart)
        ranges_add(s, h->hyp_uart, PAGE_SIZE);
    host_dt_iter_init(&it, h->f);
    while (host_dt_iter_next(&it, false)) {
        bool gic = false;
        for (int l = 1; l <= it.depth && !gic; l++)
            gic = it.path[l] == h->gic;
        uint64_t base, size;
        if (gic || (h->hyp_uart && host_dt_reg(&it, 0, &base, &size) == 0 && base == h->hyp_uart))
            add_regs(&it, s);
    }
}

/* Report [base, end) less Keel's ranges keel->r[from..]. */
static int report_mmio(const struct dom0_device_ops *ops, void *ctx, uint64_t base, uint64_t end,
                       const struct ranges *keel, unsigned from)
{
    for (unsigned i = from; i < keel->n; i++) {
        const struct mem_range *k = &keel->r[i];
        if (k->base >= end || k->base + k->size <= base)
            continue;
        int rc = 0;
        if (k->base > base)
            rc = report_mmio(ops, ctx, base, k->base, keel, i + 1);
        if (!rc && k->base + k->size < end)
            rc = report_mmio(ops, ctx, k->base + k->size, end, keel, i + 1);
        return rc;
    }
    return ops->mmio(ctx, base, end - base);
}

int arch_dom0_devices(const struct fdt *host, paddr_t hyp_uart, const struct dom0_device_ops *ops,
                      void *ctx)
{
    struct dom0_host h;
    struct host_dt_iter it;
    if (!host_dt_iter_init(&it, host))
        return -EINVAL;
    dom0_host_init(&h, host, hyp_uart);
    struct ranges mmio = { 0 }, keel = { 0 };
    struct spi_set spis;
    memset(&spis, 0, sizeof(spis));
    collect_devices(&h, &mmio, NULL);
    collect_keel(&h, &keel);
    int rc = -ENOMEM;
    if (ranges_alloc(&mmio) || ranges_alloc(&keel))
        goto out;
    collect_devices(&h, &mmio, &spis);
    collect_keel(&h, &keel);
    ranges_normalise(&mmio);
    ranges_normalise(&keel);
    rc = 0;
    for (unsigned i = 0; i < mmio.n && !rc; i++)
        rc = report_mmio(ops, ctx, mmio.r[i].base, mmio.r[i].base + mmio.r[i].size, &keel, 0);
    for (unsigned id = 32; id <= MAX_SPI_INTID && !rc; id++) {
        uint64_t bit = UINT64_C(1) << (id % 64);
        if (spis.on[id / 64] & bit)
            rc = ops->spi(ctx, id, spis.edge[id / 64] & bit);
    }
out:
    heap_free(mmio.r);
    heap_free(keel.r);
    return rc;
}
