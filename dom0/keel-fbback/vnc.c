/* SPDX-License-Identifier: Apache-2.0 */
/*
 * keel-fbback's VNC server: RFB 3.8 (RFC 6143) with security type None and raw encoding, for
 * one client at a time.  The protocol state of the client is a phase (version, security,
 * client-init, messages); its input is parsed from a small buffer (long messages are skipped
 * byte-counted, not buffered); a frame is built whole and written as the socket takes it, and
 * the next one only once the client asked and the frontend reported an update.  A client that
 * breaks the protocol or asks for a pixel format other than 32-bit true colour is dropped.
 */
#include "vnc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "fbif.h"
#include "keysym.h"

#define LOG(...) (fprintf(stderr, "keel-fbback: " __VA_ARGS__), fputc('\n', stderr))
#define VNC_NAME "keel-fbback"

void vnc_init(struct vnc *v, struct fbback *b)
{
    memset(v, 0, sizeof(*v));
    v->lfd = -1;
    v->c.fd = -1;
    v->b = b;
}

int vnc_listen(struct vnc *v, const char *spec)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    const char *colon = strchr(spec, ':'), *to = strstr(spec, ",to=");
    unsigned long display, last;
    size_t hlen;
    char *end;
    int one = 1;

    if (!strcmp(spec, "none"))
        return 0;
    if (!colon || (hlen = (size_t)(colon - spec)) >= sizeof(v->host))
        return -1;
    memcpy(v->host, spec, hlen);
    v->host[hlen] = 0;
    if (!hlen)
        strcpy(v->host, "127.0.0.1");
    display = strtoul(colon + 1, &end, 10);
    last = to ? strtoul(to + 4, NULL, 10) : display;
    if (end == colon + 1 || display > 99 || last < display || last > 99 ||
        inet_pton(AF_INET, v->host, &sa.sin_addr) != 1)
        return -1;
    for (; display <= last; display++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

        if (fd < 0)
            return -1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        sa.sin_port = htons((uint16_t)(5900 + display));
        if (!bind(fd, (struct sockaddr *)&sa, sizeof(sa)) && !listen(fd, 2)) {
            v->lfd = fd;
            v->port = 5900 + (unsigned)display;
            LOG("VNC server on %s:%u", v->host, v->port);
            return 0;
        }
        close(fd);
    }
    return -1;
}

int vnc_pollfds(struct vnc *v, struct pollfd *pfd, int max)
{
    int n = 0;

    if (n < max)
        pfd[n++] = (struct pollfd){ .fd = v->lfd, .events = POLLIN };
    if (n < max)
        pfd[n++] = (struct pollfd){ .fd = v->c.fd,
                                    .events = POLLIN | (v->c.outoff < v->c.outlen ? POLLOUT : 0) };
    return n;
}

static void client_close(struct vnc *v, const char *why)
{
    struct vnc_client *c = &v->c;

    if (c->fd >= 0) {
        if (why)
            LOG("VNC client dropped: %s", why);
        close(c->fd);
    }
    free(c->out);
    memset(c, 0, sizeof(*c));
    c->fd = -1;
}

/* Queue bytes to send (only when nothing else is queued, as replies are in order). */
static void queue(struct vnc_client *c, const void *data, size_t len)
{
    uint8_t *p = realloc(c->out, c->outlen + len);

    if (!p)
        return;
    memcpy(p + c->outlen, data, len);
    c->out = p;
    c->outlen += len;
}

static void flush(struct vnc *v)
{
    struct vnc_client *c = &v->c;

    while (c->outoff < c->outlen) {
        ssize_t w = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);

        if (w < 0) {
            if (errno != EAGAIN && errno != EINTR)
                client_close(v, strerror(errno));
            return;
        }
        c->outoff += (size_t)w;
    }
    free(c->out);
    c->out = NULL;
    c->outlen = c->outoff = 0;
}

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v & 0xffff);
}

static unsigned get16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* The whole screen as one raw rectangle in the client's pixel format. */
static void send_frame(struct vnc *v)
{
    struct vnc_client *c = &v->c;
    struct pvdev *d = &v->b->vfb;
    size_t ppm_len, hdr_len, npix;
    uint8_t *ppm, *msg, *px;

    if (!d->connected || c->outlen)
        return;
    ppm_len = fb_ppm_size(&d->geom);
    npix = (size_t)d->geom.width * (size_t)d->geom.height;
    hdr_len = ppm_len - npix * 3;
    ppm = malloc(ppm_len);
    msg = malloc(16 + npix * 4);
    if (!ppm || !msg || fb_to_ppm(&d->geom, d->fb, (size_t)d->fb_pages * FBIF_PAGE_SIZE, ppm)) {
        free(ppm);
        free(msg);
        return;
    }
    memset(msg, 0, 16);
    put16(msg + 2, 1); /* FramebufferUpdate, one rectangle at (0, 0), raw */
    put16(msg + 8, (unsigned)d->geom.width);
    put16(msg + 10, (unsigned)d->geom.height);
    px = msg + 16;
    for (size_t i = 0; i < npix; i++, px += 4) {
        const uint8_t *rgb = ppm + hdr_len + i * 3;
        uint32_t val = (uint32_t)rgb[0] << c->shift[0] | (uint32_t)rgb[1] << c->shift[1] |
                       (uint32_t)rgb[2] << c->shift[2];

        if (c->big_endian)
            put32(px, val);
        else
            for (int k = 0; k < 4; k++)
                px[k] = (uint8_t)(val >> (8 * k));
    }
    free(ppm);
    c->out = msg;
    c->outlen = 16 + npix * 4;
    c->outoff = 0;
    c->want_update = false;
    c->sent_updates = d->updates;
}

static void server_init(struct vnc *v)
{
    struct pvdev *d = &v->b->vfb;
    uint8_t m[24 + sizeof(VNC_NAME) - 1];

    memset(m, 0, sizeof(m));
    put16(m, d->connected ? (unsigned)d->geom.width : 0);
    put16(m + 2, d->connected ? (unsigned)d->geom.height : 0);
    /* 32 bits a pixel, depth 24, little-endian, true colour, 8 bits each, red highest. */
    m[4] = 32;
    m[5] = 24;
    m[7] = 1;
    put16(m + 8, 255);
    put16(m + 10, 255);
    put16(m + 12, 255);
    m[14] = 16;
    m[15] = 8;
    m[16] = 0;
    put32(m + 20, sizeof(VNC_NAME) - 1);
    memcpy(m + 24, VNC_NAME, sizeof(VNC_NAME) - 1);
    queue(&v->c, m, sizeof(m));
    v->c.shift[0] = 16;
    v->c.shift[1] = 8;
    v->c.shift[2] = 0;
}

static bool set_pixel_format(struct vnc_client *c, const uint8_t *m)
{
    /* m[4..19]: bpp, depth, big-endian, true-colour, maxima, shifts */
    if (m[4] != 32 || !m[7] || get16(m + 8) != 255 || get16(m + 10) != 255 ||
        get16(m + 12) != 255 || m[14] > 24 || m[15] > 24 || m[16] > 24)
        return false;
    c->big_endian = m[6] != 0;
    c->shift[0] = m[14];
    c->shift[1] = m[15];
    c->shift[2] = m[16];
    return true;
}

static void pointer_event(struct vnc *v, const uint8_t *m)
{
    static const uint32_t buttons[3] = { 0x110, 0x112, 0x111 }; /* left, middle, right */
    struct vnc_client *c = &v->c;
    int32_t x = (int32_t)get16(m + 2), y = (int32_t)get16(m + 4);
    const char *why;

    if (x != c->x || y != c->y)
        backend_pointer(v->b, true, x, y, &why);
    c->x = x;
    c->y = y;
    for (int i = 0; i < 3; i++)
        if ((m[1] ^ c->buttons) & (1u << i))
            backend_key(v->b, buttons[i], (m[1] >> i) & 1, &why);
    c->buttons = m[1];
}

/* Bytes the message at c->in needs in all (known once its header is in), 0 if unknown type. */
static size_t message_len(const struct vnc_client *c)
{
    switch (c->in[0]) {
    case 0:
        return 20; /* SetPixelFormat */
    case 2:
        return 4; /* SetEncodings header; its list is skipped */
    case 3:
        return 10; /* FramebufferUpdateRequest */
    case 4:
        return 8; /* KeyEvent */
    case 5:
        return 6; /* PointerEvent */
    case 6:
        return 8; /* ClientCutText header; its text is skipped */
    default:
        return 0;
    }
}

static void message(struct vnc *v)
{
    struct vnc_client *c = &v->c;
    const char *why;
    uint32_t key;

    switch (c->in[0]) {
    case 0:
        if (!set_pixel_format(c, c->in))
            client_close(v, "pixel format other than 32-bit true colour");
        break;
    case 2:
        c->discard = 4u * get16(c->in + 2);
        break;
    case 3:
        c->want_update = true;
        if (!c->in[1]) /* not incremental: send now, changed or not */
            c->sent_updates = v->b->vfb.updates - 1;
        break;
    case 4:
        key = keysym_to_key(get32(c->in + 4));
        if (key)
            backend_key(v->b, key, c->in[1] != 0, &why);
        break;
    case 5:
        pointer_event(v, c->in);
        break;
    default:
        c->discard = get32(c->in + 4);
        break;
    }
}

/* Consume c->in: how many bytes were used (0 if a message is not complete yet). */
static size_t consume(struct vnc *v)
{
    struct vnc_client *c = &v->c;
    static const uint8_t none[2] = { 1, 1 }, ok[4] = { 0 };
    size_t need;

    switch (c->phase) {
    case 0: /* the client's version, "RFB 003.00x\n" */
        if (c->inlen < 12)
            return 0;
        if (memcmp(c->in, "RFB 003.", 8)) {
            client_close(v, "not an RFB client");
            return 0;
        }
        queue(c, none, sizeof(none));
        c->phase = 1;
        return 12;
    case 1: /* the security type it chose */
        if (c->in[0] != 1) {
            client_close(v, "security type other than None");
            return 0;
        }
        queue(c, ok, sizeof(ok));
        c->phase = 2;
        return 1;
    case 2: /* ClientInit */
        server_init(v);
        c->phase = 3;
        return 1;
    default:
        need = message_len(c);
        if (!need) {
            client_close(v, "unknown message type");
            return 0;
        }
        if (c->inlen < need)
            return 0;
        message(v);
        return need;
    }
}

static void client_read(struct vnc *v)
{
    struct vnc_client *c = &v->c;
    uint8_t buf[4096];
    ssize_t r = recv(c->fd, buf, sizeof(buf), 0);
    size_t off = 0;

    if (r <= 0) {
        if (r == 0 || (errno != EAGAIN && errno != EINTR))
            client_close(v, NULL);
        return;
    }
    while (off < (size_t)r && c->fd >= 0) {
        size_t take, used;

        if (c->discard) {
            take = (size_t)r - off < c->discard ? (size_t)r - off : c->discard;
            c->discard -= take;
            off += take;
            continue;
        }
        take = sizeof(c->in) - c->inlen;
        if (take > (size_t)r - off)
            take = (size_t)r - off;
        memcpy(c->in + c->inlen, buf + off, take);
        c->inlen += take;
        off += take;
        while (c->fd >= 0 && c->inlen && !c->discard && (used = consume(v))) {
            memmove(c->in, c->in + used, c->inlen - used);
            c->inlen -= used;
        }
        /* what is left in c->in after a skipped message's header belongs to the skip */
        while (c->fd >= 0 && c->discard && c->inlen) {
            take = c->inlen < c->discard ? c->inlen : c->discard;
            memmove(c->in, c->in + take, c->inlen - take);
            c->inlen -= take;
            c->discard -= take;
            while (c->fd >= 0 && c->inlen && !c->discard && (used = consume(v))) {
                memmove(c->in, c->in + used, c->inlen - used);
                c->inlen -= used;
            }
        }
    }
}

void vnc_refresh(struct vnc *v)
{
    struct vnc_client *c = &v->c;

    if (c->fd >= 0 && c->outlen)
        flush(v); /* the handshake's replies first: a frame waits for an empty queue */
    if (c->fd >= 0 && c->phase == 3 && c->want_update && !c->outlen &&
        c->sent_updates != v->b->vfb.updates)
        send_frame(v);
    if (c->fd >= 0 && c->outlen)
        flush(v);
}

void vnc_handle(struct vnc *v, const struct pollfd *pfd, int n)
{
    if (n > 0 && v->lfd >= 0 && (pfd[0].revents & POLLIN)) {
        int fd = accept4(v->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (fd >= 0 && v->c.fd >= 0) {
            close(fd); /* one client at a time */
        } else if (fd >= 0) {
            v->c.fd = fd;
            queue(&v->c, "RFB 003.008\n", 12);
        }
    }
    if (n > 1 && v->c.fd >= 0 && pfd[1].fd == v->c.fd && (pfd[1].revents & (POLLIN | POLLHUP)))
        client_read(v);
    vnc_refresh(v);
}

void vnc_fini(struct vnc *v)
{
    client_close(v, NULL);
    if (v->lfd >= 0)
        close(v->lfd);
    v->lfd = -1;
}
