/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The checks keel-fbback applies to what a frontend wrote in its shared page before using it
 * (ring indices, framebuffer geometry, page-directory size, update rectangles), and the pixel
 * conversion of snapshots.  Pure functions: no I/O, so host unit tests cover them.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest framebuffer keel-fbback maps (xen-fbfront's default is 2 MiB). */
#define FB_MAX_MEM (64u << 20)

/* A framebuffer's layout: where its first line is and how its pixels are packed. */
struct fb_geom {
    int32_t width, height;
    uint32_t stride; /* bytes per line */
    uint32_t depth;  /* bits per pixel: 16, 24 or 32 */
    uint32_t offset; /* of the first line, bytes */
};

/* Events a peer produced and we have not consumed: prod - cons, or -1 if more than len. */
int ring_pending(uint32_t prod, uint32_t cons, uint32_t len);

/* Free slots on a ring we produce into (prod ours, cons the peer's), or -1 if cons is not
 * within len slots behind prod. */
int ring_space(uint32_t prod, uint32_t cons, uint32_t len);

/* Pages of framebuffer memory and page-directory entries mem_length needs: 0, or -1 if it
 * is 0, above FB_MAX_MEM or needs more directory entries than pd_max. */
int fb_page_counts(uint32_t mem_length, unsigned pd_max, unsigned *nr_pages, unsigned *nr_pd);

/* Whether g fits in mem_length bytes with a depth snapshots handle; *why says what is wrong. */
bool fb_geom_valid(const struct fb_geom *g, uint32_t mem_length, const char **why);

/* Clip the rectangle (*x, *y, *w, *h) to a width x height screen; false if nothing is left
 * (negative sizes, or wholly outside). */
bool fb_rect_clip(int32_t *x, int32_t *y, int32_t *w, int32_t *h, int32_t width, int32_t height);

/* Bytes of a binary PPM (P6) image of g, header included. */
size_t fb_ppm_size(const struct fb_geom *g);

/* Write g's pixels from fb (fb_len bytes) as a PPM into out (fb_ppm_size bytes): 0, or -1 if g
 * does not fit fb_len.  Pixels are little-endian, red in bits 16-23 (32/24) or 11-15 (16),
 * as xen-fbfront lays them out. */
int fb_to_ppm(const struct fb_geom *g, const uint8_t *fb, size_t fb_len, uint8_t *out);
