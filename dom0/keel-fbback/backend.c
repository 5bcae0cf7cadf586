/* SPDX-License-Identifier: Apache-2.0 */
/*
 * keel-fbback's vfb and vkbd back ends for one domain.  Owns the xenstore watches, the mappings
 * of the frontend's pages (the vfb page and framebuffer by frame number through
 * libxenforeignmemory, as xen-fbfront gives frame numbers; the vkbd page by grant) and the
 * interdomain event channels.  Single-threaded: the main loop calls in here.  Everything read
 * from a shared page is copied once and checked (fbcheck.h) before use; a frontend that writes
 * something refused gets its device closed and a log line, nothing more.
 */
#include "backend.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "fbif.h"

#define LOG(...) (fprintf(stderr, "keel-fbback: " __VA_ARGS__), fputc('\n', stderr))

static const char *kind_name(enum dev_kind k)
{
    return k == DEV_VFB ? "vfb" : "vkbd";
}

/* A decimal xenstore value no larger than max. */
static bool xs_read_ulong(struct xs_handle *xs, const char *dir, const char *key, unsigned long max,
                          unsigned long *out)
{
    char path[160], *v, *end;
    unsigned int len;
    unsigned long n;

    snprintf(path, sizeof(path), "%s/%s", dir, key);
    v = xs_read(xs, XBT_NULL, path, &len);
    if (!v)
        return false;
    errno = 0;
    n = strtoul(v, &end, 10);
    if (len == 0 || len > 20 || v[0] < '0' || v[0] > '9' || *end || errno || n > max) {
        free(v);
        return false;
    }
    free(v);
    *out = n;
    return true;
}

static void xs_put(struct xs_handle *xs, const char *dir, const char *key, const char *val)
{
    char path[160];

    snprintf(path, sizeof(path), "%s/%s", dir, key);
    if (!xs_write(xs, XBT_NULL, path, val, strlen(val)))
        LOG("cannot write %s: %s", path, strerror(errno));
}

static void set_state(struct fbback *b, struct pvdev *d, int state)
{
    unsigned long cur;
    char v[4];

    if (xs_read_ulong(b->xs, d->be, "state", 9, &cur) && cur == (unsigned long)state)
        return;
    snprintf(v, sizeof(v), "%d", state);
    xs_put(b->xs, d->be, "state", v);
}

static void disconnect(struct fbback *b, struct pvdev *d)
{
    if (d->port) {
        xenevtchn_unbind(b->xce, d->port);
        d->port = 0;
    }
    if (d->fb) {
        xenforeignmemory_unmap(b->xfm, d->fb, d->fb_pages);
        d->fb = NULL;
    }
    if (d->page) {
        if (d->page_granted)
            xengnttab_unmap(b->xgt, d->page, 1);
        else
            xenforeignmemory_unmap(b->xfm, d->page, 1);
        d->page = NULL;
    }
    if (d->connected)
        LOG("%s of domain %u disconnected", kind_name(d->kind), b->domid);
    d->connected = false;
}

static void *map_frame(struct fbback *b, uint64_t frame, int prot)
{
    xen_pfn_t pfn = frame;
    int err = 0;
    void *p = xenforeignmemory_map(b->xfm, b->domid, prot, 1, &pfn, &err);

    if (p && err) {
        xenforeignmemory_unmap(b->xfm, p, 1);
        return NULL;
    }
    return p;
}

/* The frame numbers of the framebuffer's pages, from the page directory: 0 or -1. */
static int read_directory(struct fbback *b, const volatile uint8_t *page, unsigned nr_pd,
                          unsigned nr_pages, xen_pfn_t *frames)
{
    unsigned done = 0;

    for (unsigned i = 0; i < nr_pd; i++) {
        uint64_t pd_frame, entry;
        const uint8_t *dir;
        unsigned n = nr_pages - done < FBIF_PD_ENTRIES ? nr_pages - done : FBIF_PD_ENTRIES;

        memcpy(&pd_frame, (const uint8_t *)page + FBIF_PD_OFFS + i * 8u, 8);
        dir = map_frame(b, pd_frame, PROT_READ);
        if (!dir) {
            LOG("vfb of domain %u: page directory %u (frame %#llx) cannot be mapped", b->domid, i,
                (unsigned long long)pd_frame);
            return -1;
        }
        for (unsigned j = 0; j < n; j++) {
            memcpy(&entry, dir + j * 8u, 8);
            frames[done + j] = entry;
        }
        xenforeignmemory_unmap(b->xfm, (void *)dir, 1);
        done += n;
    }
    return 0;
}

static int map_framebuffer(struct fbback *b, struct pvdev *d)
{
    struct fbif_page hdr;
    const char *why;
    unsigned nr_pages, nr_pd;
    xen_pfn_t *frames;
    int *errs, rc = -1;

    memcpy(&hdr, d->page, sizeof(hdr));
    if (fb_page_counts(hdr.mem_length, FBIF_PD_MAX, &nr_pages, &nr_pd)) {
        LOG("vfb of domain %u: refused: mem_length %u is 0, above %u or needs more than %u "
            "page-directory entries",
            b->domid, hdr.mem_length, FB_MAX_MEM, FBIF_PD_MAX);
        return -1;
    }
    d->geom = (struct fb_geom){
        .width = hdr.width, .height = hdr.height, .stride = hdr.line_length, .depth = hdr.depth
    };
    if (!fb_geom_valid(&d->geom, hdr.mem_length, &why)) {
        LOG("vfb of domain %u: refused: %dx%d, %u bytes a line, %u bits: %s", b->domid, hdr.width,
            hdr.height, hdr.line_length, hdr.depth, why);
        return -1;
    }
    frames = calloc(nr_pages, sizeof(*frames));
    errs = calloc(nr_pages, sizeof(*errs));
    if (!frames || !errs)
        goto out;
    if (read_directory(b, d->page, nr_pd, nr_pages, frames))
        goto out;
    d->fb = xenforeignmemory_map(b->xfm, b->domid, PROT_READ, nr_pages, frames, errs);
    if (!d->fb) {
        LOG("vfb of domain %u: cannot map its %u framebuffer pages: %s", b->domid, nr_pages,
            strerror(errno));
        goto out;
    }
    d->fb_pages = nr_pages;
    for (unsigned i = 0; i < nr_pages; i++) {
        if (errs[i]) {
            LOG("vfb of domain %u: refused: framebuffer page %u (frame %#llx) is not the "
                "domain's",
                b->domid, i, (unsigned long long)frames[i]);
            goto out;
        }
    }
    d->fb_mem = hdr.mem_length;
    rc = 0;
out:
    free(frames);
    free(errs);
    return rc;
}

static int connect_dev(struct fbback *b, struct pvdev *d)
{
    unsigned long ref, port, flag;
    int rc;

    if (!xs_read_ulong(b->xs, d->fe, XSK_EVTCHN, 0xfffff, &port)) {
        LOG("%s of domain %u: refused: no valid %s", kind_name(d->kind), b->domid, XSK_EVTCHN);
        return -1;
    }
    if (d->kind == DEV_VKBD && xs_read_ulong(b->xs, d->fe, XSK_PAGE_GREF, UINT32_MAX, &ref)) {
        d->page = xengnttab_map_grant_ref(b->xgt, b->domid, (uint32_t)ref, PROT_READ | PROT_WRITE);
        d->page_granted = true;
    } else if (xs_read_ulong(b->xs, d->fe, XSK_PAGE_REF, (1ul << 52) - 1, &ref)) {
        d->page = map_frame(b, ref, PROT_READ | PROT_WRITE);
        d->page_granted = false;
    } else {
        LOG("%s of domain %u: refused: no valid page reference", kind_name(d->kind), b->domid);
        return -1;
    }
    if (!d->page) {
        LOG("%s of domain %u: refused: its page (%lu) cannot be mapped", kind_name(d->kind),
            b->domid, ref);
        return -1;
    }
    if (d->kind == DEV_VFB) {
        if (map_framebuffer(b, d))
            goto fail;
        d->ring_idx = ((volatile struct fbif_page *)d->page)->out_cons;
    } else {
        volatile struct kbdif_page *kp = d->page;

        d->ring_idx = kp->in_prod;
        if (ring_space(d->ring_idx, kp->in_cons, KBDIF_IN_RING_LEN) < 0) {
            LOG("vkbd of domain %u: refused: in_cons %u is not within the ring behind in_prod %u",
                b->domid, kp->in_cons, d->ring_idx);
            goto fail;
        }
        d->abs = xs_read_ulong(b->xs, d->fe, XSK_REQ_ABS_POINTER, 1, &flag) && flag == 1;
    }
    rc = xenevtchn_bind_interdomain(b->xce, b->domid, (evtchn_port_t)port);
    if (rc < 0) {
        LOG("%s of domain %u: refused: cannot bind its event channel %lu: %s", kind_name(d->kind),
            b->domid, port, strerror(errno));
        goto fail;
    }
    d->port = (evtchn_port_t)rc;
    d->connected = true;
    if (d->kind == DEV_VFB)
        LOG("vfb of domain %u connected: %dx%d, %u bits, %u bytes a line, %u pages", b->domid,
            d->geom.width, d->geom.height, d->geom.depth, d->geom.stride, d->fb_pages);
    else
        LOG("vkbd of domain %u connected (absolute pointer %s)", b->domid, d->abs ? "on" : "off");
    return 0;
fail:
    disconnect(b, d);
    return -1;
}

/* What the back end offers, written before the frontend probes (the domain is still paused). */
static void announce(struct fbback *b, struct pvdev *d)
{
    if (d->kind == DEV_VFB)
        xs_put(b->xs, d->be, XSK_REQUEST_UPDATE, "1");
    else
        xs_put(b->xs, d->be, XSK_FEAT_ABS_POINTER, "1");
    set_state(b, d, XB_INITWAIT);
}

static void reconcile_dev(struct fbback *b, struct pvdev *d)
{
    char path[160], *fe;
    unsigned long fe_state = XB_UNKNOWN;

    snprintf(path, sizeof(path), "%s/frontend", d->be);
    fe = xs_read(b->xs, XBT_NULL, path, NULL);
    if (!fe) {
        if (d->present)
            LOG("%s of domain %u: back end removed", kind_name(d->kind), b->domid);
        disconnect(b, d);
        d->present = d->broken = false;
        return;
    }
    if (strcmp(fe, d->fe)) {
        if (d->present || !d->broken)
            LOG("%s of domain %u: refused: frontend path '%s' is not %s", kind_name(d->kind),
                b->domid, fe, d->fe);
        free(fe);
        d->broken = true;
        return;
    }
    free(fe);
    if (!d->present) {
        d->present = true;
        announce(b, d);
    }
    xs_read_ulong(b->xs, d->fe, "state", 9, &fe_state);
    switch (fe_state) {
    case XB_INITIALISED:
    case XB_CONNECTED:
        if (d->connected || d->broken)
            break;
        if (connect_dev(b, d) == 0) {
            set_state(b, d, XB_CONNECTED);
        } else {
            d->broken = true;
            set_state(b, d, XB_CLOSING);
        }
        break;
    case XB_CLOSING:
    case XB_CLOSED:
        disconnect(b, d);
        set_state(b, d, fe_state == XB_CLOSED ? XB_CLOSED : XB_CLOSING);
        break;
    default: /* the frontend (re)starts: offer the device again */
        disconnect(b, d);
        d->broken = false;
        set_state(b, d, XB_INITWAIT);
        break;
    }
}

static void dev_setup(struct fbback *b, struct pvdev *d, enum dev_kind kind)
{
    memset(d, 0, sizeof(*d));
    d->kind = kind;
    snprintf(d->be, sizeof(d->be), "/local/domain/0/backend/%s/%u/0", kind_name(kind), b->domid);
    snprintf(d->fe, sizeof(d->fe), "/local/domain/%u/device/%s/0", b->domid, kind_name(kind));
}

int backend_init(struct fbback *b, unsigned domid)
{
    b->domid = domid;
    dev_setup(b, &b->vfb, DEV_VFB);
    dev_setup(b, &b->vkbd, DEV_VKBD);
    b->xs = xs_open(0);
    b->xce = xenevtchn_open(NULL, 0);
    b->xgt = xengnttab_open(NULL, 0);
    b->xfm = xenforeignmemory_open(NULL, 0);
    if (!b->xs || !b->xce || !b->xgt || !b->xfm) {
        LOG("cannot open xenstore, evtchn, gntdev or privcmd: %s", strerror(errno));
        return -1;
    }
    if (!xs_watch(b->xs, b->vfb.be, "be") || !xs_watch(b->xs, b->vfb.fe, "fe") ||
        !xs_watch(b->xs, b->vkbd.be, "be") || !xs_watch(b->xs, b->vkbd.fe, "fe") ||
        !xs_watch(b->xs, "@releaseDomain", "release")) {
        LOG("cannot watch xenstore: %s", strerror(errno));
        return -1;
    }
    backend_reconcile(b);
    return 0;
}

void backend_reconcile(struct fbback *b)
{
    reconcile_dev(b, &b->vfb);
    reconcile_dev(b, &b->vkbd);
}

bool backend_domain_alive(struct fbback *b)
{
    char path[64], *v;

    snprintf(path, sizeof(path), "/local/domain/%u/domid", b->domid);
    v = xs_read(b->xs, XBT_NULL, path, NULL);
    free(v);
    return v != NULL;
}

/* A frontend that broke its ring loses its device. */
static void refuse(struct fbback *b, struct pvdev *d)
{
    disconnect(b, d);
    d->broken = true;
    set_state(b, d, XB_CLOSING);
}

static void vfb_event(struct fbback *b, struct pvdev *d, const union fbif_out_event *ev)
{
    const char *why;

    if (ev->type == FBIF_TYPE_UPDATE) {
        struct fbif_update u = ev->update;

        if (fb_rect_clip(&u.x, &u.y, &u.width, &u.height, d->geom.width, d->geom.height)) {
            d->updates++;
            return;
        }
        why = "an update rectangle outside the screen";
    } else if (ev->type == FBIF_TYPE_RESIZE) {
        struct fb_geom g = { ev->resize.width, ev->resize.height, (uint32_t)ev->resize.stride,
                             (uint32_t)ev->resize.depth, (uint32_t)ev->resize.offset };

        if (ev->resize.stride >= 0 && ev->resize.offset >= 0 && ev->resize.depth >= 0 &&
            fb_geom_valid(&g, d->fb_mem, &why)) {
            d->geom = g;
            LOG("vfb of domain %u: resized to %dx%d, %u bits", b->domid, g.width, g.height,
                g.depth);
            return;
        }
    } else {
        why = "an unknown event type";
    }
    if (d->bad_events++ < 8)
        LOG("vfb of domain %u: ignored %s (type %u)", b->domid, why, ev->type);
}

static void vfb_out_ring(struct fbback *b, struct pvdev *d)
{
    volatile struct fbif_page *pg = d->page;
    uint32_t prod = pg->out_prod, cons = d->ring_idx;
    int n = ring_pending(prod, cons, FBIF_OUT_RING_LEN);

    if (n < 0) {
        LOG("vfb of domain %u: refused: out_prod %u is more than %u events ahead of out_cons %u",
            b->domid, prod, FBIF_OUT_RING_LEN, cons);
        refuse(b, d);
        return;
    }
    __atomic_thread_fence(__ATOMIC_ACQUIRE); /* read the events after the index */
    for (; cons != prod; cons++) {
        union fbif_out_event ev;

        memcpy(&ev,
               (const uint8_t *)d->page + FBIF_OUT_RING_OFFS +
                   (cons % FBIF_OUT_RING_LEN) * FBIF_EVENT_SIZE,
               sizeof(ev));
        vfb_event(b, d, &ev);
    }
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    pg->out_cons = d->ring_idx = prod;
    xenevtchn_notify(b->xce, d->port);
}

void backend_evtchn(struct fbback *b)
{
    xenevtchn_port_or_error_t port = xenevtchn_pending(b->xce);

    if (port < 0)
        return;
    xenevtchn_unmask(b->xce, (evtchn_port_t)port);
    if (b->vfb.connected && (evtchn_port_t)port == b->vfb.port)
        vfb_out_ring(b, &b->vfb);
}

void backend_fini(struct fbback *b)
{
    disconnect(b, &b->vfb);
    disconnect(b, &b->vkbd);
    if (b->xfm)
        xenforeignmemory_close(b->xfm);
    if (b->xgt)
        xengnttab_close(b->xgt);
    if (b->xce)
        xenevtchn_close(b->xce);
    if (b->xs)
        xs_close(b->xs);
}

int backend_snapshot(struct fbback *b, const char *path, const char **why)
{
    struct pvdev *d = &b->vfb;
    char tmp[256];
    size_t size;
    uint8_t *img;
    FILE *f;
    bool written;
    int rc = -1;

    if (!d->connected) {
        *why = "the framebuffer is not connected";
        return -1;
    }
    size = fb_ppm_size(&d->geom);
    img = malloc(size);
    if (!img) {
        *why = "out of memory";
        return -1;
    }
    if (fb_to_ppm(&d->geom, d->fb, (size_t)d->fb_pages * FBIF_PAGE_SIZE, img)) {
        *why = "the geometry does not fit the mapped framebuffer";
        goto out;
    }
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    f = fopen(tmp, "wb");
    if (!f) {
        *why = "cannot create the image";
        goto out;
    }
    written = fwrite(img, 1, size, f) == size;
    if (fclose(f) || !written) {
        unlink(tmp);
        *why = "cannot write the image";
        goto out;
    }
    if (rename(tmp, path)) {
        *why = "cannot rename the image into place";
        goto out;
    }
    rc = 0;
out:
    free(img);
    return rc;
}

static int kbd_send(struct fbback *b, const union kbdif_in_event *ev, const char **why)
{
    struct pvdev *d = &b->vkbd;
    volatile struct kbdif_page *pg = d->page;
    int space;

    if (!d->connected) {
        *why = "the keyboard is not connected";
        return -1;
    }
    space = ring_space(d->ring_idx, pg->in_cons, KBDIF_IN_RING_LEN);
    if (space < 0) {
        LOG("vkbd of domain %u: refused: in_cons %u is not within the ring behind in_prod %u",
            b->domid, pg->in_cons, d->ring_idx);
        refuse(b, d);
        *why = "the frontend broke its ring";
        return -1;
    }
    if (space == 0) {
        *why = "the ring is full (the domain does not read its input)";
        return -1;
    }
    memcpy((uint8_t *)d->page + KBDIF_IN_RING_OFFS +
               (d->ring_idx % KBDIF_IN_RING_LEN) * FBIF_EVENT_SIZE,
           ev, sizeof(*ev));
    __atomic_thread_fence(__ATOMIC_RELEASE); /* the event before the index */
    pg->in_prod = ++d->ring_idx;
    xenevtchn_notify(b->xce, d->port);
    return 0;
}

int backend_key(struct fbback *b, uint32_t code, bool pressed, const char **why)
{
    union kbdif_in_event ev;

    memset(&ev, 0, sizeof(ev));
    ev.key.type = KBDIF_TYPE_KEY;
    ev.key.pressed = pressed;
    ev.key.keycode = code;
    return kbd_send(b, &ev, why);
}

int backend_pointer(struct fbback *b, bool absolute, int32_t x, int32_t y, const char **why)
{
    union kbdif_in_event ev;

    if (absolute && b->vkbd.connected && !b->vkbd.abs) {
        *why = "the frontend did not take the absolute pointer";
        return -1;
    }
    memset(&ev, 0, sizeof(ev));
    if (absolute) {
        ev.pos.type = KBDIF_TYPE_POS;
        ev.pos.abs_x = x;
        ev.pos.abs_y = y;
    } else {
        ev.motion.type = KBDIF_TYPE_MOTION;
        ev.motion.rel_x = x;
        ev.motion.rel_y = y;
    }
    return kbd_send(b, &ev, why);
}
