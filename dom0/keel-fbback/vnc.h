/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A minimal VNC (RFB 3.8, RFC 6143) server for one domain's framebuffer: no authentication,
 * raw encoding, 32-bit true-colour clients, one client at a time; key and pointer events go to
 * the domain's vkbd.  Listens where libxl's -vnc option says (host:display, ",to=N" for the
 * next free display).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <poll.h>

#include "backend.h"

struct vnc_client {
    int fd; /* -1 when none */
    int phase;
    size_t inlen, discard;
    uint8_t in[64];
    uint8_t *out;
    size_t outlen, outoff;
    bool want_update;
    unsigned long sent_updates; /* the vfb's update count when the last frame was built */
    uint8_t shift[3];           /* red, green, blue shifts of the client's pixels */
    bool big_endian;
    uint8_t buttons;
    int32_t x, y;
};

struct vnc {
    int lfd; /* -1 when not serving */
    char host[64];
    unsigned port;
    struct vnc_client c;
    struct fbback *b;
};

void vnc_init(struct vnc *v, struct fbback *b);

/* Listen as -vnc SPEC says ("HOST:DISPLAY[,to=N][,...]"; "none" serves nothing): 0 or -1. */
int vnc_listen(struct vnc *v, const char *spec);

int vnc_pollfds(struct vnc *v, struct pollfd *pfd, int max);
void vnc_handle(struct vnc *v, const struct pollfd *pfd, int n);

/* Send a frame a waiting client asked for if the framebuffer changed since its last one. */
void vnc_refresh(struct vnc *v);

void vnc_fini(struct vnc *v);
