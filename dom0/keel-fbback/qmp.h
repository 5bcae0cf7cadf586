/* SPDX-License-Identifier: Apache-2.0 */
/*
 * QMP for libxl: request framing and replies (qmp_capabilities, query-status, query-chardev,
 * query-vnc, cont, quit; CommandNotFound for the rest).  No I/O.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The greeting a monitor sends when a client connects. */
#define QMP_GREETING                                                                               \
    "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, "              \
    "\"package\": \"keel-fbback\"}, \"capabilities\": []}}\r\n"

struct qmp_state {
    bool prelaunch;    /* started with -S: "cont" has not come yet */
    bool cont_seen;    /* "cont" arrived: the caller writes the state key */
    bool quit;         /* "quit" arrived */
    unsigned vnc_port; /* the VNC server's TCP port, 0 if there is none */
    char vnc_host[64]; /* and its address */
    char answer[160];  /* room for a reply built at run time */
};

/* Length of the first complete JSON object at the start of buf (whitespace before it allowed):
 * 0 if it is not complete yet, -1 if buf does not start with one. */
long qmp_object_len(const char *buf, size_t len);

/* The reply (with "\r\n") to one request object obj (NUL-terminated) into out, len bytes;
 * "cont" and "quit" update st. */
void qmp_reply(struct qmp_state *st, const char *obj, char *out, size_t len);
