/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PV framebuffer (vfb) and keyboard/pointer (vkbd) shared pages, as Linux's xen-fbfront and
 * xen-kbdfront lay them out: written for Keel from the facts of Xen's public headers io/fbif.h
 * and io/kbdif.h (Xen 4.17) and Linux 6.1's drivers/video/fbdev/xen-fbfront.c and
 * drivers/input/misc/xen-kbdfront.c.  Each page starts with the ring indices, then the rings at
 * fixed offsets; every event is a 40-byte slot whose first byte is its type.  Keel domains are
 * 64-bit, so a page-directory entry (an `unsigned long` in the frontend) is 8 bytes.
 */
#pragma once

#include <stdint.h>

#define FBIF_PAGE_SIZE 4096u
#define FBIF_EVENT_SIZE 40u

/* vfb: frontend-to-backend ("out") events. */
#define FBIF_TYPE_UPDATE 2 /* a rectangle changed */
#define FBIF_TYPE_RESIZE 3 /* new geometry (only if the backend offers feature-resize) */
/* vfb: backend-to-frontend ("in") events. */
#define FBIF_TYPE_REFRESH_PERIOD 1

struct fbif_update {
    uint8_t type;
    int32_t x, y, width, height;
};

struct fbif_resize {
    uint8_t type;
    int32_t width, height;
    int32_t stride; /* bytes per line */
    int32_t depth;  /* bits per pixel */
    int32_t offset; /* of the first line in the framebuffer, bytes */
};

union fbif_out_event {
    uint8_t type;
    struct fbif_update update;
    struct fbif_resize resize;
    uint8_t pad[FBIF_EVENT_SIZE];
};

#define FBIF_IN_RING_OFFS 1024u
#define FBIF_IN_RING_SIZE 1024u
#define FBIF_IN_RING_LEN (FBIF_IN_RING_SIZE / FBIF_EVENT_SIZE)
#define FBIF_OUT_RING_OFFS (FBIF_IN_RING_OFFS + FBIF_IN_RING_SIZE)
#define FBIF_OUT_RING_SIZE 2048u
#define FBIF_OUT_RING_LEN (FBIF_OUT_RING_SIZE / FBIF_EVENT_SIZE)

/*
 * The header of the vfb page.  pd[] lists the frames of the page-directory pages; each of those
 * holds the frame numbers of FBIF_PD_ENTRIES framebuffer pages.  fbif.h declares 256 entries,
 * but with 8-byte entries only those below the "in" ring at 1024 do not overlap a ring, so a
 * backend reads at most FBIF_PD_MAX of them (a 246 MiB framebuffer).
 */
struct fbif_page {
    uint32_t in_cons, in_prod;
    uint32_t out_cons, out_prod;
    int32_t width, height;
    uint32_t line_length; /* bytes per line */
    uint32_t mem_length;  /* bytes of framebuffer memory */
    uint8_t depth;        /* bits per pixel */
    uint8_t pad_[7];
    uint64_t pd[];
};

#define FBIF_PD_OFFS 40u
#define FBIF_PD_MAX ((FBIF_IN_RING_OFFS - FBIF_PD_OFFS) / 8u)
#define FBIF_PD_ENTRIES (FBIF_PAGE_SIZE / 8u)

/* vkbd: backend-to-frontend ("in") events. */
#define KBDIF_TYPE_MOTION 1 /* relative pointer motion */
#define KBDIF_TYPE_KEY 3    /* a key or button, Linux KEY_* / BTN_* code */
#define KBDIF_TYPE_POS 4    /* absolute pointer position, in framebuffer pixels */

struct kbdif_motion {
    uint8_t type;
    int32_t rel_x, rel_y, rel_z;
};

struct kbdif_key {
    uint8_t type;
    uint8_t pressed;
    uint32_t keycode;
};

struct kbdif_position {
    uint8_t type;
    int32_t abs_x, abs_y, rel_z;
};

union kbdif_in_event {
    uint8_t type;
    struct kbdif_motion motion;
    struct kbdif_key key;
    struct kbdif_position pos;
    uint8_t pad[FBIF_EVENT_SIZE];
};

#define KBDIF_IN_RING_OFFS 1024u
#define KBDIF_IN_RING_SIZE 2048u
#define KBDIF_IN_RING_LEN (KBDIF_IN_RING_SIZE / FBIF_EVENT_SIZE)

struct kbdif_page {
    uint32_t in_cons, in_prod;
    uint32_t out_cons, out_prod;
};

/* xenstore keys (kbdif.h's XENKBD_FIELD_* and the vfb keys xen-fbfront reads and writes). */
#define XSK_PAGE_REF "page-ref"   /* frame number of the shared page (both) */
#define XSK_PAGE_GREF "page-gref" /* grant reference of the vkbd page */
#define XSK_EVTCHN "event-channel"
#define XSK_PROTOCOL "protocol"
#define XSK_REQUEST_UPDATE "request-update"        /* backend: send update events */
#define XSK_FEAT_ABS_POINTER "feature-abs-pointer" /* backend offers absolute pointing */
#define XSK_REQ_ABS_POINTER "request-abs-pointer"  /* frontend takes it */

/* XenbusState values (Xen's io/xenbus.h). */
enum xenbus_state_value {
    XB_UNKNOWN = 0,
    XB_INITIALISING = 1,
    XB_INITWAIT = 2,
    XB_INITIALISED = 3,
    XB_CONNECTED = 4,
    XB_CLOSING = 5,
    XB_CLOSED = 6,
};

_Static_assert(sizeof(union fbif_out_event) == FBIF_EVENT_SIZE, "vfb event slot");
_Static_assert(sizeof(union kbdif_in_event) == FBIF_EVENT_SIZE, "vkbd event slot");
_Static_assert(sizeof(struct fbif_page) == FBIF_PD_OFFS, "vfb page header");
