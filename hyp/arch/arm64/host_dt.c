/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host's device tree as an operating system reads it: a walk with ancestors, "reg" and
 * "ranges" translated up to host-physical addresses, GIC interrupt specifiers.  Read-only; it
 * trusts nothing in the tree beyond what fdt_open() proved (well-formed tokens): cell counts,
 * lengths and phandles are all checked, and whatever cannot be read is reported as such.
 */
#include <arm64/host_dt.h>
#include <hyp/errno.h>
#include <hyp/string.h>

/* PCI bus addresses (IEEE 1275 PCI binding): the first cell's "ss" bits give the space. */
#define PCI_SPACE_MASK 0x03000000u
/* Interrupt-parent chains longer than this are a loop. */
#define MAX_IRQ_HOPS 16
/* No interrupt specifier or unit address is longer than this many cells. */
#define MAX_SPEC_CELLS 16

bool host_dt_iter_init(struct host_dt_iter *it, const struct fdt *f)
{
    it->f = f;
    it->depth = 0;
    it->path[0] = fdt_next_node(f, -1, NULL);
    return it->path[0] >= 0;
}

bool host_dt_iter_next(struct host_dt_iter *it, bool skip_children)
{
    int base = it->depth;
    int node = host_dt_node(it);
    for (;;) {
        int rel = 0;
        node = fdt_next_node(it->f, node, &rel);
        if (node < 0)
            return false;
        int depth = it->depth + rel;
        /* fdt_open() bounds the nesting; a negative depth would be past the root's end. */
        if (depth <= 0 || depth > FDT_MAX_DEPTH)
            return false;
        it->depth = depth;
        it->path[depth] = node;
        if (!skip_children || depth <= base)
            return true;
    }
}

bool host_dt_iter_find(struct host_dt_iter *it, const struct fdt *f, int node)
{
    if (!host_dt_iter_init(it, f))
        return false;
    while (host_dt_node(it) != node)
        if (!host_dt_iter_next(it, false))
            return false;
    return true;
}

/* A bus address: up to three cells, the first of three kept apart (PCI's space cell). */
struct bus_addr {
    uint32_t hi;
    uint64_t lo;
};

static uint32_t cells(const struct fdt *f, int node, const char *name, uint32_t dflt)
{
    uint32_t v;
    return fdt_prop_u32(f, node, name, &v) ? v : dflt;
}

static bool read_addr(const uint8_t *p, uint32_t n, struct bus_addr *a)
{
    a->hi = n == 3 ? fdt32(p) : 0;
    a->lo = n == 1 ? fdt32(p) : n == 2 ? fdt64(p) : n == 3 ? fdt64(p + 4) : 0;
    return n >= 1 && n <= 3;
}

static bool read_size(const uint8_t *p, uint32_t n, uint64_t *s)
{
    *s = n == 1 ? fdt32(p) : n == 2 ? fdt64(p) : 0;
    return n == 1 || n == 2;
}

/* Carry a through one bus's "ranges" into the bus's parent's address space. */
static bool through_ranges(const struct fdt *f, int bus, int up, struct bus_addr *a)
{
    uint32_t len;
    const uint8_t *r = fdt_prop(f, bus, "ranges", &len);
    if (!r)
        return false; /* no ranges: the bus's children are not in the CPU's address space */
    if (len == 0) {
        a->hi = 0; /* identity */
        return true;
    }
    uint32_t cac = cells(f, bus, "#address-cells", 2), sc = cells(f, bus, "#size-cells", 1);
    uint32_t pac = cells(f, up, "#address-cells", 2);
    if (cac < 1 || cac > 3 || pac < 1 || pac > 3 || sc < 1 || sc > 2)
        return false;
    uint32_t entry = (cac + pac + sc) * 4;
    for (uint32_t off = 0; len - off >= entry; off += entry) {
        struct bus_addr c, p;
        uint64_t size;
        read_addr(r + off, cac, &c);
        read_addr(r + off + cac * 4, pac, &p);
        read_size(r + off + (cac + pac) * 4, sc, &size);
        if (cac == 3 && ((c.hi ^ a->hi) & PCI_SPACE_MASK))
            continue;
        if (a->lo < c.lo || a->lo - c.lo >= size)
            continue;
        uint64_t to = p.lo + (a->lo - c.lo);
        if (to < p.lo)
            return false;
        a->lo = to;
        a->hi = p.hi;
        return true;
    }
    return false;
}

/* Translate a, an address on the bus path[level] (in its children's address space), and a
 * range of size bytes from it, to host-physical. */
static int translate(const struct host_dt_iter *it, int level, struct bus_addr a, uint64_t size,
                     uint64_t *base)
{
    for (int l = level; l > 0; l--)
        if (!through_ranges(it->f, it->path[l], it->path[l - 1], &a))
            return -EINVAL;
    if (a.lo + size < a.lo)
        return -EINVAL;
    *base = a.lo;
    return 0;
}

/* The current node's "reg" (what is in its parent's address space): value, entry count and the
 * parent's cell counts; false if absent or unreadable. */
static bool reg_prop(const struct host_dt_iter *it, const uint8_t **p, uint32_t *ac, uint32_t *sc,
                     unsigned *n)
{
    if (it->depth < 1)
        return false;
    const struct fdt *f = it->f;
    int parent = it->path[it->depth - 1];
    uint32_t len;
    *ac = cells(f, parent, "#address-cells", 2);
    *sc = cells(f, parent, "#size-cells", 1);
    *p = fdt_prop(f, host_dt_node(it), "reg", &len);
    if (!*p || *ac < 1 || *ac > 3 || *sc < 1 || *sc > 2)
        return false;
    *n = len / ((*ac + *sc) * 4);
    return true;
}

/* The current node's non-empty "ranges": value, entry count, the node's (child) and its
 * parent's address cells and the node's size cells. */
static bool ranges_prop(const struct host_dt_iter *it, const uint8_t **p, uint32_t *cac,
                        uint32_t *pac, uint32_t *sc, unsigned *n)
{
    if (it->depth < 1)
        return false;
    const struct fdt *f = it->f;
    int node = host_dt_node(it);
    uint32_t len;
    *cac = cells(f, node, "#address-cells", 2);
    *sc = cells(f, node, "#size-cells", 1);
    *pac = cells(f, it->path[it->depth - 1], "#address-cells", 2);
    *p = fdt_prop(f, node, "ranges", &len);
    if (!*p || *cac < 1 || *cac > 3 || *pac < 1 || *pac > 3 || *sc < 1 || *sc > 2)
        return false;
    *n = len / ((*cac + *pac + *sc) * 4);
    return true;
}

unsigned host_dt_nr_reg(const struct host_dt_iter *it)
{
    const uint8_t *p;
    uint32_t ac, sc;
    unsigned n;
    return reg_prop(it, &p, &ac, &sc, &n) ? n : 0;
}

unsigned host_dt_nr_windows(const struct host_dt_iter *it)
{
    const uint8_t *p;
    uint32_t cac, pac, sc;
    unsigned n;
    return ranges_prop(it, &p, &cac, &pac, &sc, &n) ? n : 0;
}

int host_dt_reg(const struct host_dt_iter *it, unsigned idx, uint64_t *base, uint64_t *size)
{
    const uint8_t *p;
    uint32_t ac, sc;
    unsigned n;
    if (!reg_prop(it, &p, &ac, &sc, &n) || idx >= n)
        return -ENOENT;
    p += idx * (ac + sc) * 4;
    struct bus_addr a;
    read_addr(p, ac, &a);
    read_size(p + ac * 4, sc, size);
    return translate(it, it->depth - 1, a, *size, base);
}

int host_dt_window(const struct host_dt_iter *it, unsigned idx, uint64_t *base, uint64_t *size)
{
    const uint8_t *p;
    uint32_t cac, pac, sc;
    unsigned n;
    if (!ranges_prop(it, &p, &cac, &pac, &sc, &n) || idx >= n)
        return -ENOENT;
    p += idx * (cac + pac + sc) * 4;
    struct bus_addr a;
    read_addr(p + cac * 4, pac, &a);
    read_size(p + (cac + pac) * 4, sc, size);
    return translate(it, it->depth - 1, a, *size, base);
}

bool host_dt_available(const struct fdt *f, int node)
{
    uint32_t len;
    const char *s = fdt_prop(f, node, "status", &len);
    if (!s)
        return true;
    size_t n = strnlen(s, len);
    return (n == 4 && !memcmp(s, "okay", 4)) || (n == 2 && !memcmp(s, "ok", 2));
}

/* The node with phandle ph; the GIC's is checked first, as nearly every reference is to it. */
static int by_phandle(const struct fdt *f, uint32_t ph, int gic)
{
    uint32_t v;
    if (gic >= 0 && fdt_prop_u32(f, gic, "phandle", &v) && v == ph)
        return gic;
    return fdt_find_phandle(f, ph);
}

/* The node an interrupt specifier of the current node goes to: its "interrupt-parent", else
 * its tree parent's, up to the first interrupt controller or nexus (#interrupt-cells). */
static int irq_parent(const struct host_dt_iter *it, int gic)
{
    const struct fdt *f = it->f;
    int level = it->depth; /* on the walk's path while level >= 0 */
    int node = host_dt_node(it);
    for (unsigned hop = 0; hop < MAX_IRQ_HOPS; hop++) {
        uint32_t ph;
        int p;
        if (fdt_prop_u32(f, node, "interrupt-parent", &ph)) {
            p = by_phandle(f, ph, gic);
            level = -1;
        } else if (level > 0) {
            p = it->path[--level];
        } else if (level < 0) {
            p = fdt_parent(f, node);
        } else {
            return -1; /* the root, without an interrupt parent */
        }
        if (p < 0)
            return -1;
        if (fdt_has_prop(f, p, "#interrupt-cells"))
            return p;
        node = p;
    }
    return -1;
}

/* Call fn for one specifier if its controller is the GIC. */
static int one(int ctrl, int gic, uint32_t ncells, const uint8_t *spec, host_dt_irq_fn fn,
               void *ctx)
{
    if (ctrl != gic || ncells < 3)
        return 0;
    const struct host_dt_irq irq = { fdt32(spec), fdt32(spec + 4), fdt32(spec + 8) };
    return fn(ctx, &irq);
}

static int interrupts(const struct host_dt_iter *it, int gic, host_dt_irq_fn fn, void *ctx)
{
    const struct fdt *f = it->f;
    int node = host_dt_node(it);
    uint32_t len;
    const uint8_t *p = fdt_prop(f, node, "interrupts-extended", &len);
    if (p) {
        for (uint32_t off = 0; len - off >= 4;) {
            int ctrl = by_phandle(f, fdt32(p + off), gic);
            uint32_t n;
            if (ctrl < 0 || !fdt_prop_u32(f, ctrl, "#interrupt-cells", &n) || n > MAX_SPEC_CELLS ||
                (len - off - 4) / 4 < n)
                return 0;
            int rc = one(ctrl, gic, n, p + off + 4, fn, ctx);
            if (rc)
                return rc;
            off += 4 + n * 4;
        }
        return 0;
    }
    p = fdt_prop(f, node, "interrupts", &len);
    if (!p)
        return 0;
    int ctrl = irq_parent(it, gic);
    uint32_t n;
    if (ctrl != gic || !fdt_prop_u32(f, ctrl, "#interrupt-cells", &n) || n == 0 ||
        n > MAX_SPEC_CELLS)
        return 0;
    for (uint32_t off = 0; len - off >= n * 4; off += n * 4) {
        int rc = one(ctrl, gic, n, p + off, fn, ctx);
        if (rc)
            return rc;
    }
    return 0;
}

/* interrupt-map entries: child unit address, child specifier, parent phandle, parent unit
 * address (the parent's #address-cells, 0 if it has none), parent specifier. */
static int interrupt_map(const struct host_dt_iter *it, int gic, host_dt_irq_fn fn, void *ctx)
{
    const struct fdt *f = it->f;
    int node = host_dt_node(it);
    uint32_t len, ic;
    const uint8_t *p = fdt_prop(f, node, "interrupt-map", &len);
    uint32_t ac = cells(f, node, "#address-cells", 2);
    if (!p || !fdt_prop_u32(f, node, "#interrupt-cells", &ic) || ic > MAX_SPEC_CELLS ||
        ac > MAX_SPEC_CELLS)
        return 0;
    uint32_t child = ac + ic;
    for (uint32_t off = 0; (len - off) / 4 > child;) {
        off += child * 4;
        int ctrl = by_phandle(f, fdt32(p + off), gic);
        off += 4;
        uint32_t pic, pac = cells(f, ctrl, "#address-cells", 0);
        if (ctrl < 0 || !fdt_prop_u32(f, ctrl, "#interrupt-cells", &pic) || pic > MAX_SPEC_CELLS ||
            pac > MAX_SPEC_CELLS)
            return 0;
        uint32_t parent = pac + pic;
        if ((len - off) / 4 < parent)
            return 0;
        int rc = one(ctrl, gic, pic, p + off + (parent - pic) * 4, fn, ctx);
        if (rc)
            return rc;
        off += parent * 4;
    }
    return 0;
}

int host_dt_gic_irqs(const struct host_dt_iter *it, int gic, bool map, host_dt_irq_fn fn, void *ctx)
{
    if (gic < 0)
        return 0;
    return map ? interrupt_map(it, gic, fn, ctx) : interrupts(it, gic, fn, ctx);
}
