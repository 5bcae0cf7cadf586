/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Flattened device tree reading for test guests (Devicetree Specification v0.4, chapter 5):
 * nodes in document order with the #address-cells/#size-cells in force, properties by name.
 * Trusts the blob only as far as the header sizes; no writing, no phandle lookup.
 */
#include "fdt.h"
#include "arm.h"

#define FDT_MAGIC 0xd00dfeedu
#define TOK_BEGIN 1
#define TOK_END 2
#define TOK_PROP 3
#define TOK_NOP 4
#define TOK_FINISH 9

static const uint8_t *blob;
static uint32_t struct_off, struct_size, strings_off, strings_size;

static uint32_t be32(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

uint64_t fdt_read_cells(const void *p, unsigned ncells)
{
    const uint8_t *b = p;
    uint64_t v = 0;
    for (unsigned i = 0; i < ncells; i++)
        v = v << 32 | be32(b + 4 * i);
    return v;
}

bool fdt_init(const void *dtb)
{
    const uint8_t *h = dtb;
    if (!dtb || ((uintptr_t)dtb & 3) || be32(h) != FDT_MAGIC || be32(h + 20) < 16)
        return false;
    uint32_t total = be32(h + 4);
    struct_off = be32(h + 8);
    strings_off = be32(h + 12);
    strings_size = be32(h + 32);
    struct_size = be32(h + 36);
    if (struct_off > total || struct_size > total - struct_off || strings_off > total ||
        strings_size > total - strings_off)
        return false;
    blob = h;
    return true;
}

static uint32_t tok(uint32_t pos)
{
    return pos + 4 <= struct_size ? be32(blob + struct_off + pos) : TOK_FINISH;
}

static uint32_t align4(uint32_t v)
{
    return (v + 3) & ~3u;
}

/* Position after the property token at pos. */
static uint32_t prop_next(uint32_t pos)
{
    return align4(pos + 12 + tok(pos + 4));
}

static const char *prop_name(uint32_t pos)
{
    uint32_t off = tok(pos + 8);
    return off < strings_size ? (const char *)blob + strings_off + off : "";
}

void fdt_walk_start(struct fdt_walk *w)
{
    w->pos = 0;
    w->depth = -1;
}

bool fdt_walk_next(struct fdt_walk *w, struct fdt_node *n)
{
    for (;;) {
        uint32_t t = tok(w->pos);
        if (t == TOK_NOP) {
            w->pos += 4;
        } else if (t == TOK_PROP) {
            w->pos = prop_next(w->pos);
        } else if (t == TOK_END) {
            w->pos += 4;
            w->depth--;
        } else if (t == TOK_BEGIN) {
            if (w->depth >= FDT_MAX_DEPTH)
                return false;
            const char *name = (const char *)blob + struct_off + w->pos + 4;
            int d = ++w->depth;
            /* Defaults from the specification (2.3.5) for the cells of this node's children. */
            w->ac[d] = 2;
            w->sc[d] = 1;
            w->pos = align4(w->pos + 4 + (uint32_t)strlen(name) + 1);
            n->name = name;
            n->depth = d;
            n->props = w->pos;
            n->addr_cells = d ? w->ac[d - 1] : 2;
            n->size_cells = d ? w->sc[d - 1] : 1;
            uint32_t len;
            const void *p = fdt_getprop(n, "#address-cells", &len);
            if (p && len == 4)
                w->ac[d] = (uint8_t)be32(p);
            p = fdt_getprop(n, "#size-cells", &len);
            if (p && len == 4)
                w->sc[d] = (uint8_t)be32(p);
            return true;
        } else {
            return false;
        }
    }
}

const void *fdt_getprop(const struct fdt_node *n, const char *name, uint32_t *len)
{
    uint32_t pos = n->props;
    for (;;) {
        uint32_t t = tok(pos);
        if (t == TOK_NOP) {
            pos += 4;
            continue;
        }
        if (t != TOK_PROP)
            return NULL;
        if (!strcmp(prop_name(pos), name)) {
            uint32_t l = tok(pos + 4);
            if (pos + 12 + l > struct_size)
                return NULL;
            *len = l;
            return blob + struct_off + pos + 12;
        }
        pos = prop_next(pos);
    }
}

bool fdt_is_compatible(const struct fdt_node *n, const char *compat)
{
    uint32_t len;
    const char *s = fdt_getprop(n, "compatible", &len);
    if (!s)
        return false;
    for (uint32_t i = 0; i < len;) {
        uint32_t l = 0;
        while (i + l < len && s[i + l])
            l++;
        if (i + l < len && !strcmp(s + i, compat))
            return true;
        i += l + 1;
    }
    return false;
}

bool fdt_reg(const struct fdt_node *n, unsigned idx, uint64_t *base, uint64_t *size)
{
    uint32_t len;
    const uint8_t *p = fdt_getprop(n, "reg", &len);
    unsigned entry = (n->addr_cells + n->size_cells) * 4;
    if (!p || !entry || n->addr_cells > 2 || n->size_cells > 2 || (idx + 1) * entry > len)
        return false;
    p += idx * entry;
    *base = fdt_read_cells(p, n->addr_cells);
    *size = fdt_read_cells(p + n->addr_cells * 4, n->size_cells);
    return true;
}

bool fdt_find_compatible(const char *compat, struct fdt_node *n)
{
    struct fdt_walk w;
    fdt_walk_start(&w);
    while (fdt_walk_next(&w, n))
        if (fdt_is_compatible(n, compat))
            return true;
    return false;
}

bool fdt_find_name(const char *name, int depth, struct fdt_node *n)
{
    size_t l = strlen(name);
    struct fdt_walk w;
    fdt_walk_start(&w);
    while (fdt_walk_next(&w, n))
        if (n->depth == depth && !strncmp(n->name, name, l) &&
            (n->name[l] == 0 || n->name[l] == '@'))
            return true;
    return false;
}
