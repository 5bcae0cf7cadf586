/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The vfb and vkbd back ends of one domain: their xenstore state machines, the mappings of the
 * frontend's pages, the event channels, and what the control socket asks of them.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xengnttab.h>
#include <xenstore.h>

#include "fbcheck.h"

enum dev_kind { DEV_VFB, DEV_VKBD };

struct pvdev {
    enum dev_kind kind;
    char be[96];  /* /local/domain/0/backend/KIND/DOMID/0 */
    char fe[96];  /* /local/domain/DOMID/device/KIND/0 */
    bool present; /* the back-end directory exists */
    bool connected;
    bool broken; /* the frontend wrote something refused; wait for it to start over */
    void *page;  /* the shared page */
    bool page_granted;
    evtchn_port_t port;
    /* vfb */
    void *fb;
    unsigned fb_pages;
    uint32_t fb_mem;
    struct fb_geom geom;
    unsigned long updates, bad_events;
    /* vkbd */
    uint32_t ring_idx; /* our index, kept here: vfb out_cons, vkbd in_prod */
    bool abs;
};

struct fbback {
    unsigned domid;
    struct xs_handle *xs;
    xenevtchn_handle *xce;
    xengnttab_handle *xgt;
    xenforeignmemory_handle *xfm;
    struct pvdev vfb, vkbd;
};

/* Open the Xen handles and announce both back ends (features, InitWait): 0 or -1. */
int backend_init(struct fbback *b, unsigned domid);

/* React to any xenstore change: connect or disconnect each device as the states say. */
void backend_reconcile(struct fbback *b);

/* Handle a notification on the event-channel file descriptor. */
void backend_evtchn(struct fbback *b);

/* Whether the domain's xenstore directory is still there. */
bool backend_domain_alive(struct fbback *b);

/* Unmap and unbind everything and close the handles. */
void backend_fini(struct fbback *b);

/* Control requests: 0, or -1 with *why set. */
int backend_snapshot(struct fbback *b, const char *path, const char **why);
int backend_key(struct fbback *b, uint32_t code, bool pressed, const char **why);
/* An absolute position (pixels) or a relative motion of the pointer. */
int backend_pointer(struct fbback *b, bool absolute, int32_t x, int32_t y, const char **why);
