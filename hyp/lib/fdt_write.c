/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sequential device-tree writer.  The header, reservation block and structure block grow
 * from the front of the caller's buffer while the strings block sits at its end, so neither
 * size has to be known in advance; fdt_write_finish() closes the gap.  No locking: a writer
 * belongs to one builder.  Reading trees is lib/fdt.c.
 */
#include <hyp/errno.h>
#include <hyp/fdt.h>
#include <hyp/fdt_write.h>
#include <hyp/string.h>

enum { TOK_BEGIN = 1, TOK_END = 2, TOK_PROP = 3, TOK_DONE = 9 };

#define HDR_LEN 40
#define RSV_ENTRY 16
#define VERSION 17
#define LAST_COMP_VERSION 16 /* a version-16 reader can still read the result */

static void fail(struct fdt_writer *w, int err)
{
    if (!w->err)
        w->err = err;
}

/* 64-bit so a length near 4 GiB cannot wrap to a small one. */
static uint64_t pad4(uint64_t x)
{
    return (x + 3) & ~(uint64_t)3;
}

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void be64(uint8_t *p, uint64_t v)
{
    be32(p, (uint32_t)(v >> 32));
    be32(p + 4, (uint32_t)v);
}

/* Whether n more bytes fit between the front part and the strings block. */
static bool room(struct fdt_writer *w, uint64_t n)
{
    if (w->err)
        return false;
    if (n > w->size - w->str_len - w->off) {
        fail(w, -ENOSPC);
        return false;
    }
    return true;
}

/* Reserve n bytes at the front, zeroed up to the next multiple of 4; NULL on error. */
static uint8_t *take(struct fdt_writer *w, uint64_t n)
{
    if (!room(w, pad4(n)))
        return NULL;
    uint8_t *p = w->buf + w->off;
    memset(p, 0, (size_t)pad4(n));
    w->off += (uint32_t)pad4(n);
    return p;
}

static bool usable(struct fdt_writer *w)
{
    if (w->finished)
        fail(w, -EINVAL);
    return !w->err;
}

void fdt_write_init(struct fdt_writer *w, void *buf, size_t size)
{
    memset(w, 0, sizeof(*w));
    w->buf = buf;
    /* totalsize is 32 bits; keep the end 8-aligned so nothing else has to care. */
    w->size = size > UINT32_MAX ? UINT32_MAX & ~7u : (uint32_t)size;
    w->off = HDR_LEN;
    if (!buf || w->size < HDR_LEN) {
        w->size = w->off = 0;
        fail(w, -ENOSPC);
    }
}

void fdt_write_mem_rsv(struct fdt_writer *w, uint64_t addr, uint64_t size)
{
    if (!usable(w))
        return;
    /* The list ends at the first all-zero entry, which is written with the first node. */
    if (w->st_off || !size) {
        fail(w, -EINVAL);
        return;
    }
    uint8_t *p = take(w, RSV_ENTRY);
    if (p) {
        be64(p, addr);
        be64(p + 8, size);
    }
}

/* Offset of name in the strings block, adding it if it is not there yet.  Any occurrence of
 * name plus its NUL will do, including the tail of a longer name. */
static uint32_t string_offset(struct fdt_writer *w, const char *name)
{
    size_t n = strlen(name) + 1;
    uint8_t *tab = w->buf + w->size - w->str_len;
    for (uint32_t i = 0; i + n <= w->str_len; i++)
        if (!memcmp(tab + i, name, n))
            return i;
    if (!room(w, n))
        return 0;
    /* Slide the block down and append: offsets already handed out stay valid. */
    memmove(tab - n, tab, w->str_len);
    memcpy(tab - n + w->str_len, name, n);
    w->str_len += (uint32_t)n;
    return w->str_len - (uint32_t)n;
}

void fdt_write_begin_node(struct fdt_writer *w, const char *name)
{
    if (!usable(w))
        return;
    bool root = w->depth == 0;
    if ((root && (w->root_done || name[0])) || (!root && (!name[0] || strchr(name, '/'))) ||
        w->depth >= FDT_MAX_DEPTH) {
        fail(w, -EINVAL);
        return;
    }
    if (!w->st_off) {
        if (!take(w, RSV_ENTRY)) /* the terminating reservation entry */
            return;
        w->st_off = w->off;
    }
    size_t len = strlen(name) + 1;
    uint8_t *p = take(w, 4 + (uint64_t)len);
    if (!p)
        return;
    be32(p, TOK_BEGIN);
    memcpy(p + 4, name, len);
    w->depth++;
    w->props_closed = false;
}

void fdt_write_end_node(struct fdt_writer *w)
{
    if (!usable(w))
        return;
    if (!w->depth) {
        fail(w, -EINVAL);
        return;
    }
    uint8_t *p = take(w, 4);
    if (!p)
        return;
    be32(p, TOK_END);
    /* Back in the parent, which now has a subnode. */
    w->props_closed = true;
    if (--w->depth == 0)
        w->root_done = true;
}

/* Write a property header and return where its len-byte value goes (zero-filled). */
static uint8_t *prop_begin(struct fdt_writer *w, const char *name, uint64_t len)
{
    if (!usable(w))
        return NULL;
    if (!w->depth || w->props_closed || !name[0]) {
        fail(w, -EINVAL);
        return NULL;
    }
    if (len > w->size) { /* and so also fits the 32-bit length field */
        fail(w, -ENOSPC);
        return NULL;
    }
    uint32_t nameoff = string_offset(w, name);
    uint8_t *p = take(w, 12 + len);
    if (!p)
        return NULL;
    be32(p, TOK_PROP);
    be32(p + 4, (uint32_t)len);
    be32(p + 8, nameoff);
    return p + 12;
}

void fdt_write_property(struct fdt_writer *w, const char *name, const void *val, uint32_t len)
{
    uint8_t *p = prop_begin(w, name, len);
    if (p && len)
        memcpy(p, val, len);
}

void fdt_write_prop_u32(struct fdt_writer *w, const char *name, uint32_t v)
{
    uint8_t *p = prop_begin(w, name, 4);
    if (p)
        be32(p, v);
}

void fdt_write_prop_u64(struct fdt_writer *w, const char *name, uint64_t v)
{
    uint8_t *p = prop_begin(w, name, 8);
    if (p)
        be64(p, v);
}

void fdt_write_prop_cells(struct fdt_writer *w, const char *name, const uint32_t *cells, unsigned n)
{
    uint8_t *p = prop_begin(w, name, (uint64_t)n * 4);
    for (unsigned i = 0; p && i < n; i++)
        be32(p + 4 * i, cells[i]);
}

void fdt_write_prop_string(struct fdt_writer *w, const char *name, const char *s)
{
    fdt_write_property(w, name, s, (uint32_t)strlen(s) + 1);
}

void fdt_write_prop_stringlist(struct fdt_writer *w, const char *name, const char *const *list,
                               unsigned n)
{
    uint64_t len = 0;
    for (unsigned i = 0; i < n; i++)
        len += strlen(list[i]) + 1;
    uint8_t *p = prop_begin(w, name, len);
    for (unsigned i = 0; p && i < n; i++) {
        size_t l = strlen(list[i]) + 1;
        memcpy(p, list[i], l);
        p += l;
    }
}

static bool fits_cells(uint64_t v, unsigned cells)
{
    return cells == 2 || (cells == 1 && v <= UINT32_MAX) || (cells == 0 && v == 0);
}

static uint8_t *put_cells(uint8_t *p, uint64_t v, unsigned cells)
{
    if (cells == 2)
        be64(p, v);
    else if (cells == 1)
        be32(p, (uint32_t)v);
    return p + 4 * cells;
}

void fdt_write_prop_reg(struct fdt_writer *w, unsigned addr_cells, unsigned size_cells,
                        const uint64_t *pairs, unsigned n)
{
    if (!usable(w))
        return;
    bool ok = addr_cells >= 1 && addr_cells <= 2 && size_cells <= 2;
    for (unsigned i = 0; ok && i < n; i++)
        ok = fits_cells(pairs[2 * i], addr_cells) && fits_cells(pairs[2 * i + 1], size_cells);
    if (!ok) {
        fail(w, -EINVAL);
        return;
    }
    uint8_t *p = prop_begin(w, "reg", (uint64_t)n * (addr_cells + size_cells) * 4);
    for (unsigned i = 0; p && i < n; i++) {
        p = put_cells(p, pairs[2 * i], addr_cells);
        p = put_cells(p, pairs[2 * i + 1], size_cells);
    }
}

int fdt_write_finish(struct fdt_writer *w, size_t *total)
{
    if (usable(w) && (w->depth || !w->root_done))
        fail(w, -EINVAL);
    uint8_t *p = take(w, 4);
    w->finished = true;
    if (!p)
        return w->err;
    be32(p, TOK_DONE);
    uint32_t st_size = w->off - w->st_off, str_off = w->off;
    memmove(w->buf + str_off, w->buf + w->size - w->str_len, w->str_len);
    uint32_t size = str_off + w->str_len;
    uint8_t *h = w->buf;
    be32(h + 0, FDT_MAGIC);
    be32(h + 4, size);
    be32(h + 8, w->st_off);
    be32(h + 12, str_off);
    be32(h + 16, HDR_LEN); /* reservation block right after the header, 8-aligned */
    be32(h + 20, VERSION);
    be32(h + 24, LAST_COMP_VERSION);
    be32(h + 28, 0); /* boot_cpuid_phys: guests take their boot CPU from PSCI, not this */
    be32(h + 32, w->str_len);
    be32(h + 36, st_size);
    if (total)
        *total = size;
    return 0;
}

int fdt_write_error(const struct fdt_writer *w)
{
    return w->err;
}
