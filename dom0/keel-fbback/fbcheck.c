/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Validation of frontend-written values for keel-fbback, and snapshot pixel conversion.
 * Everything here is arithmetic on values already copied out of shared memory: a frontend can
 * change the page while we look, so callers copy once and check the copy.
 */
#include "fbcheck.h"

#include <stdio.h>
#include <string.h>

#include "fbif.h"

int ring_pending(uint32_t prod, uint32_t cons, uint32_t len)
{
    uint32_t n = prod - cons; /* free-running indices: wraps modulo 2^32 */

    return n > len ? -1 : (int)n;
}

int ring_space(uint32_t prod, uint32_t cons, uint32_t len)
{
    uint32_t used = prod - cons;

    return used > len ? -1 : (int)(len - used);
}

int fb_page_counts(uint32_t mem_length, unsigned pd_max, unsigned *nr_pages, unsigned *nr_pd)
{
    uint32_t pages, pds;

    if (mem_length == 0 || mem_length > FB_MAX_MEM)
        return -1;
    pages = (mem_length + FBIF_PAGE_SIZE - 1) / FBIF_PAGE_SIZE;
    pds = (pages + FBIF_PD_ENTRIES - 1) / FBIF_PD_ENTRIES;
    if (pds > pd_max)
        return -1;
    *nr_pages = pages;
    *nr_pd = pds;
    return 0;
}

bool fb_geom_valid(const struct fb_geom *g, uint32_t mem_length, const char **why)
{
    uint64_t bpp = g->depth / 8u, end;

    if (g->depth != 16 && g->depth != 24 && g->depth != 32) {
        *why = "depth is not 16, 24 or 32 bits";
        return false;
    }
    if (g->width <= 0 || g->height <= 0 || g->width > 16384 || g->height > 16384) {
        *why = "width or height outside 1..16384";
        return false;
    }
    if ((uint64_t)g->width * bpp > g->stride) {
        *why = "a line is longer than the stride";
        return false;
    }
    end = (uint64_t)g->offset + (uint64_t)g->stride * (uint64_t)g->height;
    if (end > mem_length) {
        *why = "the lines end beyond the framebuffer memory";
        return false;
    }
    return true;
}

bool fb_rect_clip(int32_t *x, int32_t *y, int32_t *w, int32_t *h, int32_t width, int32_t height)
{
    int64_t x0 = *x, y0 = *y, x1 = (int64_t)*x + *w, y1 = (int64_t)*y + *h;

    if (*w <= 0 || *h <= 0)
        return false;
    if (x0 < 0)
        x0 = 0;
    if (y0 < 0)
        y0 = 0;
    if (x1 > width)
        x1 = width;
    if (y1 > height)
        y1 = height;
    if (x0 >= x1 || y0 >= y1)
        return false;
    *x = (int32_t)x0;
    *y = (int32_t)y0;
    *w = (int32_t)(x1 - x0);
    *h = (int32_t)(y1 - y0);
    return true;
}

static int ppm_header(const struct fb_geom *g, char *buf, size_t len)
{
    return snprintf(buf, len, "P6\n%d %d\n255\n", (int)g->width, (int)g->height);
}

size_t fb_ppm_size(const struct fb_geom *g)
{
    char hdr[48];
    int n = ppm_header(g, hdr, sizeof(hdr));

    return (size_t)n + (size_t)g->width * (size_t)g->height * 3u;
}

static void pixel_rgb(const uint8_t *p, uint32_t depth, uint8_t *rgb)
{
    if (depth == 16) {
        unsigned v = (unsigned)p[0] | (unsigned)p[1] << 8;

        rgb[0] = (uint8_t)(((v >> 11) & 0x1f) << 3);
        rgb[1] = (uint8_t)(((v >> 5) & 0x3f) << 2);
        rgb[2] = (uint8_t)((v & 0x1f) << 3);
        return;
    }
    rgb[0] = p[2];
    rgb[1] = p[1];
    rgb[2] = p[0];
}

int fb_to_ppm(const struct fb_geom *g, const uint8_t *fb, size_t fb_len, uint8_t *out)
{
    const char *why;
    char hdr[48];
    uint32_t bpp = g->depth / 8u;
    int n;

    if (fb_len > UINT32_MAX || !fb_geom_valid(g, (uint32_t)fb_len, &why))
        return -1;
    n = ppm_header(g, hdr, sizeof(hdr));
    memcpy(out, hdr, (size_t)n);
    out += n;
    for (int32_t y = 0; y < g->height; y++) {
        const uint8_t *line = fb + g->offset + (size_t)y * g->stride;

        for (int32_t x = 0; x < g->width; x++, out += 3)
            pixel_rgb(line + (size_t)x * bpp, g->depth, out);
    }
    return 0;
}
