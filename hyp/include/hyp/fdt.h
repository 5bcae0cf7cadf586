/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Flattened device tree reader (Devicetree Specification v0.4, chapter 5).
 *
 * fdt_open() validates the whole blob once (header, block bounds, every token, name and string
 * termination, nesting); after that the accessors cannot run outside the blob.  Nodes are
 * identified by their offset in the structure block; the root is offset 0.
 */
#pragma once

#include <hyp/types.h>

struct fdt {
    const uint8_t *blob;
    uint32_t size;
    const uint8_t *st; /* structure block */
    uint32_t st_size;
    const char *str; /* strings block */
    uint32_t str_size;
    uint32_t rsv_off; /* memory reservation block, from blob start */
};

#define FDT_MAGIC 0xd00dfeedu
#define FDT_MAX_DEPTH 32

/* Validate blob (at most max_size bytes readable) and fill f.  Returns 0 or -EINVAL with a
 * static reason string in *why (if why is not NULL). */
int fdt_open(struct fdt *f, const void *blob, size_t max_size, const char **why);

/* Total size from the header of a blob, without validation (0 if the magic is wrong). */
uint32_t fdt_header_size(const void *blob);

/* Next node in document order after node (pass -1 to get the root).  *depth is updated
 * relative to its value on entry (may be NULL).  Returns -1 at the end. */
int fdt_next_node(const struct fdt *f, int node, int *depth);
int fdt_first_child(const struct fdt *f, int node);
int fdt_next_sibling(const struct fdt *f, int node);
int fdt_parent(const struct fdt *f, int node);

/* Node name including any unit address ("" for the root). */
const char *fdt_name(const struct fdt *f, int node);

/* Property value and length, or NULL if absent. */
const void *fdt_prop(const struct fdt *f, int node, const char *name, uint32_t *len);
bool fdt_prop_u32(const struct fdt *f, int node, const char *name, uint32_t *out);
/* A 1- or 2-cell property as a 64-bit value. */
bool fdt_prop_u64(const struct fdt *f, int node, const char *name, uint64_t *out);
bool fdt_has_prop(const struct fdt *f, int node, const char *name);
/* A string property's value, or NULL if it is absent, empty or not terminated within it. */
const char *fdt_prop_string(const struct fdt *f, int node, const char *name);

/* A node's properties in order, for copying a node whole: the offset of node's first property,
 * or of the property after prop in the same node; -1 when there is none. */
int fdt_first_prop(const struct fdt *f, int node);
int fdt_next_prop(const struct fdt *f, int prop);
/* The property at offset prop (from fdt_first_prop/fdt_next_prop): its value, with its name in
 * *name and length in *len (either may be NULL). */
const void *fdt_prop_at(const struct fdt *f, int prop, const char **name, uint32_t *len);

/* Node at an absolute path such as "/chosen" or "/cpus/cpu@0"; a component without '@'
 * matches a node name up to its '@'.  Aliases are not resolved.  Returns -1 if absent. */
int fdt_path(const struct fdt *f, const char *path);
/* Same for a path of len bytes (not necessarily NUL-terminated). */
int fdt_path_len(const struct fdt *f, const char *path, size_t len);

/* Whether a string list property (e.g. "compatible") holds s. */
bool fdt_stringlist_has(const struct fdt *f, int node, const char *prop, const char *s);
bool fdt_compatible(const struct fdt *f, int node, const char *compat);
/* Next node after from (-1: from the start) compatible with compat, or -1. */
int fdt_find_compatible(const struct fdt *f, int from, const char *compat);
/* Node whose "phandle" equals ph, or -1. */
int fdt_find_phandle(const struct fdt *f, uint32_t ph);

/* #address-cells / #size-cells that apply to node's children (defaults 2 and 1). */
uint32_t fdt_address_cells(const struct fdt *f, int node);
uint32_t fdt_size_cells(const struct fdt *f, int node);

/* Entry idx of node's "reg", decoded with the parent's cell sizes.  Returns 0, -ENOENT past
 * the end, -EINVAL if the cell sizes are unusable (> 2). */
int fdt_reg(const struct fdt *f, int node, unsigned idx, uint64_t *addr, uint64_t *size);

/* Entry idx of node's "interrupts" as a GIC interrupt: the three-cell specifier of the
 * "arm,gic-v3" binding (type 0 = SPI, numbered from INTID 32, 1 = PPI from 16; trigger flags
 * 1 and 2 edge, 4 and 8 level).  Only when node's interrupt parent ("interrupt-parent" of node
 * or of its nearest ancestor that has one) takes three cells.  Returns 0 with *intid (below
 * 1020) and *edge; -ENOENT past the end or with no such parent; -EINVAL for a specifier that
 * names no SPI or PPI. */
int fdt_gic_irq(const struct fdt *f, int node, unsigned idx, unsigned *intid, bool *edge);

/* Entry idx of the memory reservation block; -ENOENT past the end. */
int fdt_mem_rsv(const struct fdt *f, unsigned idx, uint64_t *addr, uint64_t *size);

/* Big-endian cell readers, any alignment. */
static inline uint32_t fdt32(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static inline uint64_t fdt64(const void *p)
{
    return (uint64_t)fdt32(p) << 32 | fdt32((const uint8_t *)p + 4);
}
