/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Flattened device tree reader.  fdt_open() proves the blob well formed; the walkers below
 * rely on that and keep only cheap bounds checks.  Read-only: the guest DT writer is
 * lib/fdt_write.c.  No locking: a struct fdt is immutable after fdt_open().
 */
#include <hyp/errno.h>
#include <hyp/fdt.h>
#include <hyp/string.h>

enum { TOK_BEGIN = 1, TOK_END = 2, TOK_PROP = 3, TOK_NOP = 4, TOK_DONE = 9 };

#define HDR_MAGIC 0
#define HDR_TOTALSIZE 4
#define HDR_OFF_STRUCT 8
#define HDR_OFF_STRINGS 12
#define HDR_OFF_RSV 16
#define HDR_VERSION 20
#define HDR_LAST_COMP 24
#define HDR_SIZE_STRINGS 32
#define HDR_SIZE_STRUCT 36
#define HDR_LEN 40

static uint32_t pad4(uint32_t x)
{
    return (x + 3) & ~3u;
}

uint32_t fdt_header_size(const void *blob)
{
    return fdt32(blob) == FDT_MAGIC ? fdt32((const uint8_t *)blob + HDR_TOTALSIZE) : 0;
}

static bool in_block(uint32_t off, uint32_t len, uint32_t size)
{
    return off <= size && len <= size - off;
}

/* Walk every token once, checking everything the accessors assume. */
static int check_struct(const struct fdt *f, const char **why)
{
    uint32_t off = 0;
    int depth = 0;
    bool root_seen = false;
    for (;;) {
        if (!in_block(off, 4, f->st_size)) {
            *why = "structure block ends without FDT_END";
            return -EINVAL;
        }
        uint32_t tok = fdt32(f->st + off);
        off += 4;
        switch (tok) {
        case TOK_BEGIN: {
            if (depth == 0 && root_seen) {
                *why = "more than one root node";
                return -EINVAL;
            }
            root_seen = true;
            uint32_t n = (uint32_t)strnlen((const char *)f->st + off, f->st_size - off);
            if (n == f->st_size - off) {
                *why = "node name not terminated";
                return -EINVAL;
            }
            off += pad4(n + 1);
            if (++depth > FDT_MAX_DEPTH) {
                *why = "nodes nested too deeply";
                return -EINVAL;
            }
            break;
        }
        case TOK_END:
            if (--depth < 0) {
                *why = "unbalanced end of node";
                return -EINVAL;
            }
            break;
        case TOK_PROP: {
            if (depth == 0) {
                *why = "property outside any node";
                return -EINVAL;
            }
            if (!in_block(off, 8, f->st_size)) {
                *why = "truncated property";
                return -EINVAL;
            }
            uint32_t len = fdt32(f->st + off), nameoff = fdt32(f->st + off + 4);
            off += 8;
            if (!in_block(off, len, f->st_size)) {
                *why = "property value runs past the structure block";
                return -EINVAL;
            }
            if (nameoff >= f->str_size ||
                strnlen(f->str + nameoff, f->str_size - nameoff) == f->str_size - nameoff) {
                *why = "property name outside the strings block";
                return -EINVAL;
            }
            off += pad4(len);
            break;
        }
        case TOK_NOP:
            break;
        case TOK_DONE:
            if (depth != 0 || !root_seen) {
                *why = "FDT_END inside a node or no root node";
                return -EINVAL;
            }
            return 0;
        default:
            *why = "unknown token in structure block";
            return -EINVAL;
        }
        if (off > f->st_size) {
            *why = "token runs past the structure block";
            return -EINVAL;
        }
    }
}

int fdt_open(struct fdt *f, const void *blob, size_t max_size, const char **why)
{
    const char *dummy;
    const uint8_t *b = blob;
    if (!why)
        why = &dummy;
    memset(f, 0, sizeof(*f));
    if (!blob || max_size < HDR_LEN) {
        *why = "blob too small for a header";
        return -EINVAL;
    }
    if (fdt32(b + HDR_MAGIC) != FDT_MAGIC) {
        *why = "bad magic";
        return -EINVAL;
    }
    uint32_t total = fdt32(b + HDR_TOTALSIZE);
    if (total < HDR_LEN || total > max_size) {
        *why = "total size out of range (truncated blob?)";
        return -EINVAL;
    }
    if (fdt32(b + HDR_VERSION) < 17 || fdt32(b + HDR_LAST_COMP) > 17) {
        *why = "unsupported version (need 17)";
        return -EINVAL;
    }
    uint32_t st_off = fdt32(b + HDR_OFF_STRUCT), st_size = fdt32(b + HDR_SIZE_STRUCT);
    uint32_t str_off = fdt32(b + HDR_OFF_STRINGS), str_size = fdt32(b + HDR_SIZE_STRINGS);
    uint32_t rsv_off = fdt32(b + HDR_OFF_RSV);
    if (!in_block(st_off, st_size, total) || (st_off & 3) || !in_block(str_off, str_size, total) ||
        st_off < HDR_LEN || str_off < HDR_LEN) {
        *why = "structure or strings block outside the blob";
        return -EINVAL;
    }
    if (rsv_off < HDR_LEN || (rsv_off & 7) || rsv_off >= total) {
        *why = "memory reservation block misplaced";
        return -EINVAL;
    }
    /* The reservation list must end with a zero entry inside the blob. */
    for (uint32_t o = rsv_off;; o += 16) {
        if (!in_block(o, 16, total)) {
            *why = "memory reservation list not terminated";
            return -EINVAL;
        }
        if (fdt64(b + o) == 0 && fdt64(b + o + 8) == 0)
            break;
    }
    f->blob = b;
    f->size = total;
    f->st = b + st_off;
    f->st_size = st_size;
    f->str = (const char *)b + str_off;
    f->str_size = str_size;
    f->rsv_off = rsv_off;
    int rc = check_struct(f, why);
    if (rc)
        memset(f, 0, sizeof(*f));
    return rc;
}

/* Offset just past the token at off; fills *tok. */
static uint32_t next_token(const struct fdt *f, uint32_t off, uint32_t *tok)
{
    *tok = fdt32(f->st + off);
    off += 4;
    if (*tok == TOK_BEGIN)
        off += pad4((uint32_t)strlen((const char *)f->st + off) + 1);
    else if (*tok == TOK_PROP)
        off += 8 + pad4(fdt32(f->st + off));
    return off;
}

int fdt_next_node(const struct fdt *f, int node, int *depth)
{
    if (!f->st)
        return -1;
    if (node < 0)
        return 0;
    uint32_t tok, off = next_token(f, (uint32_t)node, &tok);
    int d = 0;
    for (;;) {
        uint32_t here = off;
        off = next_token(f, off, &tok);
        if (tok == TOK_BEGIN) {
            if (depth)
                *depth += d + 1;
            return (int)here;
        }
        if (tok == TOK_END)
            d--;
        else if (tok == TOK_DONE)
            return -1;
    }
}

int fdt_first_child(const struct fdt *f, int node)
{
    int depth = 0;
    int n = fdt_next_node(f, node, &depth);
    return n >= 0 && depth == 1 ? n : -1;
}

int fdt_next_sibling(const struct fdt *f, int node)
{
    int depth = 0;
    int n = node;
    do {
        n = fdt_next_node(f, n, &depth);
    } while (n >= 0 && depth > 0);
    return n >= 0 && depth == 0 ? n : -1;
}

int fdt_parent(const struct fdt *f, int node)
{
    int stack[FDT_MAX_DEPTH + 1];
    int depth = 0;
    for (int n = 0; n >= 0; n = fdt_next_node(f, n, &depth)) {
        if (depth < 0 || depth > FDT_MAX_DEPTH)
            return -1;
        stack[depth] = n;
        if (n == node)
            return depth ? stack[depth - 1] : -1;
    }
    return -1;
}

const char *fdt_name(const struct fdt *f, int node)
{
    return (const char *)f->st + node + 4;
}

const void *fdt_prop(const struct fdt *f, int node, const char *name, uint32_t *len)
{
    if (!f->st || node < 0)
        return NULL;
    uint32_t tok, off = next_token(f, (uint32_t)node, &tok);
    for (;;) {
        uint32_t here = off;
        off = next_token(f, off, &tok);
        if (tok == TOK_PROP) {
            if (!strcmp(f->str + fdt32(f->st + here + 8), name)) {
                if (len)
                    *len = fdt32(f->st + here + 4);
                return f->st + here + 12;
            }
        } else if (tok != TOK_NOP) {
            return NULL; /* properties precede subnodes */
        }
    }
}

/* The next property token at or after off, or -1 at the node's first subnode or end. */
static int prop_from(const struct fdt *f, uint32_t off)
{
    for (;;) {
        uint32_t tok, next = next_token(f, off, &tok);
        if (tok == TOK_PROP)
            return (int)off;
        if (tok != TOK_NOP)
            return -1;
        off = next;
    }
}

int fdt_first_prop(const struct fdt *f, int node)
{
    if (!f->st || node < 0)
        return -1;
    uint32_t tok;
    return prop_from(f, next_token(f, (uint32_t)node, &tok));
}

int fdt_next_prop(const struct fdt *f, int prop)
{
    if (!f->st || prop < 0)
        return -1;
    uint32_t tok;
    return prop_from(f, next_token(f, (uint32_t)prop, &tok));
}

const void *fdt_prop_at(const struct fdt *f, int prop, const char **name, uint32_t *len)
{
    const uint8_t *p = f->st + prop;
    if (name)
        *name = f->str + fdt32(p + 8);
    if (len)
        *len = fdt32(p + 4);
    return p + 12;
}

bool fdt_has_prop(const struct fdt *f, int node, const char *name)
{
    return fdt_prop(f, node, name, NULL) != NULL;
}

const char *fdt_prop_string(const struct fdt *f, int node, const char *name)
{
    uint32_t len;
    const char *s = fdt_prop(f, node, name, &len);
    return s && len && strnlen(s, len) < len ? s : NULL;
}

bool fdt_prop_u32(const struct fdt *f, int node, const char *name, uint32_t *out)
{
    uint32_t len;
    const void *p = fdt_prop(f, node, name, &len);
    if (!p || len != 4)
        return false;
    *out = fdt32(p);
    return true;
}

bool fdt_prop_u64(const struct fdt *f, int node, const char *name, uint64_t *out)
{
    uint32_t len;
    const void *p = fdt_prop(f, node, name, &len);
    if (!p || (len != 4 && len != 8))
        return false;
    *out = len == 4 ? fdt32(p) : fdt64(p);
    return true;
}

static bool has_at(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] == '@')
            return true;
    return false;
}

static bool name_matches(const char *node_name, const char *comp, size_t len)
{
    if (strncmp(node_name, comp, len))
        return false;
    if (node_name[len] == 0)
        return true;
    /* "cpus" matches "cpus", and "memory" matches "memory@40000000". */
    return node_name[len] == '@' && !has_at(comp, len);
}

int fdt_path_len(const struct fdt *f, const char *path, size_t len)
{
    if (!f->st || len == 0 || path[0] != '/')
        return -1;
    int node = 0;
    size_t i = 1;
    while (i < len) {
        size_t j = i;
        while (j < len && path[j] != '/')
            j++;
        if (j > i) {
            int c;
            for (c = fdt_first_child(f, node); c >= 0; c = fdt_next_sibling(f, c))
                if (name_matches(fdt_name(f, c), path + i, j - i))
                    break;
            if (c < 0)
                return -1;
            node = c;
        }
        i = j + 1;
    }
    return node;
}

int fdt_path(const struct fdt *f, const char *path)
{
    return fdt_path_len(f, path, strlen(path));
}

bool fdt_stringlist_has(const struct fdt *f, int node, const char *prop, const char *s)
{
    uint32_t len;
    const char *p = fdt_prop(f, node, prop, &len);
    if (!p)
        return false;
    size_t want = strlen(s);
    while (len > 0) {
        size_t n = strnlen(p, len);
        if (n == len)
            break; /* an unterminated last entry is malformed, not a match */
        if (n == want && !memcmp(p, s, n))
            return true;
        p += n + 1;
        len -= (uint32_t)(n + 1);
    }
    return false;
}

bool fdt_compatible(const struct fdt *f, int node, const char *compat)
{
    return fdt_stringlist_has(f, node, "compatible", compat);
}

int fdt_find_compatible(const struct fdt *f, int from, const char *compat)
{
    for (int n = fdt_next_node(f, from, NULL); n >= 0; n = fdt_next_node(f, n, NULL))
        if (fdt_compatible(f, n, compat))
            return n;
    return -1;
}

int fdt_find_phandle(const struct fdt *f, uint32_t ph)
{
    for (int n = fdt_next_node(f, -1, NULL); n >= 0; n = fdt_next_node(f, n, NULL)) {
        uint32_t v;
        if ((fdt_prop_u32(f, n, "phandle", &v) || fdt_prop_u32(f, n, "linux,phandle", &v)) &&
            v == ph)
            return n;
    }
    return -1;
}

uint32_t fdt_address_cells(const struct fdt *f, int node)
{
    uint32_t v;
    return fdt_prop_u32(f, node, "#address-cells", &v) ? v : 2;
}

uint32_t fdt_size_cells(const struct fdt *f, int node)
{
    uint32_t v;
    return fdt_prop_u32(f, node, "#size-cells", &v) ? v : 1;
}

static uint64_t read_cells(const uint8_t *p, uint32_t cells)
{
    return cells == 2 ? fdt64(p) : cells == 1 ? fdt32(p) : 0;
}

int fdt_reg(const struct fdt *f, int node, unsigned idx, uint64_t *addr, uint64_t *size)
{
    int parent = fdt_parent(f, node);
    if (parent < 0)
        return -EINVAL;
    uint32_t ac = fdt_address_cells(f, parent), sc = fdt_size_cells(f, parent);
    if (ac < 1 || ac > 2 || sc > 2)
        return -EINVAL;
    uint32_t len;
    const uint8_t *p = fdt_prop(f, node, "reg", &len);
    uint32_t entry = (ac + sc) * 4;
    /* 64-bit arithmetic: idx + 1 must not wrap to 0 for idx == UINT_MAX. */
    if (!p || ((uint64_t)idx + 1) * entry > len)
        return -ENOENT;
    p += idx * entry;
    if (addr)
        *addr = read_cells(p, ac);
    if (size)
        *size = read_cells(p + ac * 4, sc);
    return 0;
}

/* #interrupt-cells of the controller node's interrupts go to, or 0. */
static uint32_t interrupt_cells(const struct fdt *f, int node)
{
    uint32_t ph, cells;
    for (int n = node; n >= 0; n = fdt_parent(f, n)) {
        if (!fdt_prop_u32(f, n, "interrupt-parent", &ph))
            continue;
        int ic = fdt_find_phandle(f, ph);
        return ic >= 0 && fdt_prop_u32(f, ic, "#interrupt-cells", &cells) ? cells : 0;
    }
    return 0;
}

int fdt_gic_irq(const struct fdt *f, int node, unsigned idx, unsigned *intid, bool *edge)
{
    uint32_t len;
    const uint8_t *p = fdt_prop(f, node, "interrupts", &len);
    if (!p || ((uint64_t)idx + 1) * 12 > len || interrupt_cells(f, node) != 3)
        return -ENOENT;
    p += idx * 12;
    uint32_t type = fdt32(p), num = fdt32(p + 4), flags = fdt32(p + 8);
    uint32_t first = type == 0 ? 32 : type == 1 ? 16 : 0;
    if (!first || num >= 1020 - first || (type == 1 && num >= 16))
        return -EINVAL;
    *intid = first + num;
    *edge = (flags & 0xf) == 1 || (flags & 0xf) == 2;
    return 0;
}

int fdt_mem_rsv(const struct fdt *f, unsigned idx, uint64_t *addr, uint64_t *size)
{
    if (!f->st)
        return -ENOENT;
    /* fdt_open() proved a terminating entry exists. */
    for (unsigned i = 0;; i++) {
        const uint8_t *e = f->blob + f->rsv_off + 16 * i;
        uint64_t a = fdt64(e), s = fdt64(e + 8);
        if (a == 0 && s == 0)
            return -ENOENT;
        if (i == idx) {
            *addr = a;
            *size = s;
            return 0;
        }
    }
}
