/* SPDX-License-Identifier: Apache-2.0 */
/* A small flattened-device-tree reader for test guests: walk nodes in order, read properties. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define FDT_MAX_DEPTH 16

/* A node met by the walk.  addr_cells/size_cells are the parent's: the ones its "reg" uses. */
struct fdt_node {
    const char *name; /* "cpu@1"; "" for the root */
    int depth;        /* root = 0 */
    uint32_t props;   /* offset of its first property token in the structure block */
    unsigned addr_cells, size_cells;
};

struct fdt_walk {
    uint32_t pos;
    int depth;
    uint8_t ac[FDT_MAX_DEPTH + 1], sc[FDT_MAX_DEPTH + 1];
};

/* Checks the header of the blob at dtb.  Returns false if it is not a version-17 FDT. */
bool fdt_init(const void *dtb);
/* Start a walk; fdt_walk_next() then yields every node in document order. */
void fdt_walk_start(struct fdt_walk *w);
bool fdt_walk_next(struct fdt_walk *w, struct fdt_node *n);
/* Property value and length, or NULL. */
const void *fdt_getprop(const struct fdt_node *n, const char *name, uint32_t *len);
bool fdt_is_compatible(const struct fdt_node *n, const char *compat);
/* Entry idx of "reg".  Returns false if there is no such entry. */
bool fdt_reg(const struct fdt_node *n, unsigned idx, uint64_t *base, uint64_t *size);
/* First node compatible with compat / named name (before any '@') at depth; false if none. */
bool fdt_find_compatible(const char *compat, struct fdt_node *n);
bool fdt_find_name(const char *name, int depth, struct fdt_node *n);
/* A big-endian cell array read as one number of ncells cells. */
uint64_t fdt_read_cells(const void *p, unsigned ncells);
