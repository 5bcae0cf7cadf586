/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sequential flattened device-tree writer (Devicetree Specification v0.4, chapter 5), used to
 * build the device tree Keel gives each guest.  It writes a version-17 blob into a buffer the
 * caller owns; place that buffer 8-byte aligned if a guest will read it.
 *
 * Call order: fdt_write_init(), any fdt_write_mem_rsv(), then the tree depth first starting
 * with the root (named ""), each node's properties before its subnodes, then
 * fdt_write_finish().  Errors are sticky: after the first, every call does nothing and
 * fdt_write_finish() returns it, so a builder checks once at the end.
 *   -ENOSPC  the buffer is too small
 *   -EINVAL  a call out of order or a bad argument (the call's comment says which)
 */
#pragma once

#include <hyp/types.h>

struct fdt_writer {
    uint8_t *buf;
    uint32_t size;     /* usable bytes of buf */
    uint32_t off;      /* header, reservations and structure block are written up to here */
    uint32_t st_off;   /* start of the structure block; 0 before the first node */
    uint32_t str_len;  /* the strings block, kept at the very end of buf until finish */
    unsigned depth;    /* nodes open */
    bool props_closed; /* the open node already has a subnode */
    bool root_done;
    bool finished;
    int err; /* first error, or 0 */
};

/* Start a blob in buf[0, size).  A size below the 40-byte header is -ENOSPC. */
void fdt_write_init(struct fdt_writer *w, void *buf, size_t size);

/* Add a memory reservation block entry.  -EINVAL once a node was begun, or for size 0. */
void fdt_write_mem_rsv(struct fdt_writer *w, uint64_t addr, uint64_t size);

/* Open a node.  The root is "", every other name non-empty without '/'.  -EINVAL for a bad
 * name, a second root, or nesting deeper than the reader's FDT_MAX_DEPTH. */
void fdt_write_begin_node(struct fdt_writer *w, const char *name);
/* Close the innermost open node.  -EINVAL if none is open. */
void fdt_write_end_node(struct fdt_writer *w);

/*
 * Add a property to the open node; the value is copied (len 0: an empty property, val may be
 * NULL).  -EINVAL outside a node, after the node's first subnode, or for an empty name.
 * Property names are stored once in the strings block however often they are used.
 */
void fdt_write_property(struct fdt_writer *w, const char *name, const void *val, uint32_t len);
/* Typed forms of fdt_write_property(); values are written big-endian as the format wants. */
void fdt_write_prop_u32(struct fdt_writer *w, const char *name, uint32_t v);
void fdt_write_prop_u64(struct fdt_writer *w, const char *name, uint64_t v);
void fdt_write_prop_cells(struct fdt_writer *w, const char *name, const uint32_t *cells,
                          unsigned n);
void fdt_write_prop_string(struct fdt_writer *w, const char *name, const char *s);
/* n NUL-terminated strings back to back, e.g. "compatible". */
void fdt_write_prop_stringlist(struct fdt_writer *w, const char *name, const char *const *list,
                               unsigned n);
/*
 * "reg" from n (address, size) pairs, encoded with the parent's cell counts: addr_cells 1 or
 * 2, size_cells 0 to 2.  -EINVAL for other counts or a value that does not fit its cells
 * (with size_cells 0 the sizes must be 0).
 */
void fdt_write_prop_reg(struct fdt_writer *w, unsigned addr_cells, unsigned size_cells,
                        const uint64_t *pairs, unsigned n);

/*
 * Close the structure block, move the strings block behind it and write the header.  Returns
 * 0 and the blob's total size in *total (may be NULL), or the sticky error.  -EINVAL if
 * nodes are still open or there is no root.  The writer accepts no calls afterwards.
 */
int fdt_write_finish(struct fdt_writer *w, size_t *total);

/* The sticky error so far, or 0. */
int fdt_write_error(const struct fdt_writer *w);
