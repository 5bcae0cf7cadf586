/* SPDX-License-Identifier: Apache-2.0 */
/*
 * keel-fbback's sockets: the QMP monitors libxl gives a device model on its command line
 * (answered as a QEMU without displays would answer) and the per-domain control socket of the
 * `keel-fbback snapshot|key|pointer|...` commands.  Non-blocking, driven by the main poll loop.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <poll.h>

#include "backend.h"
#include "qmp.h"

#define SERVE_MAX_LISTEN 4
#define SERVE_MAX_CONN 8
#define SERVE_BUF 4096

struct serve_conn {
    int fd; /* -1 when free */
    bool qmp;
    size_t len;
    char buf[SERVE_BUF];
};

struct serve {
    int listen_fd[SERVE_MAX_LISTEN];
    bool listen_qmp[SERVE_MAX_LISTEN];
    int nlisten;
    struct serve_conn conn[SERVE_MAX_CONN];
    struct qmp_state qmp;
    struct fbback *b;
};

/* The control socket of a domain's daemon. */
void serve_control_path(unsigned domid, char *buf, size_t len);

void serve_init(struct serve *s, struct fbback *b);

/* Listen for QMP on a QEMU -chardev socket spec ("socket,id=..,path=P,server=on,..." or
 * "...,fd=N,..."): 0, or -1 if it is not a socket server or cannot be made. */
int serve_add_qmp(struct serve *s, const char *chardev);

/* Listen on path for control commands: 0 or -1. */
int serve_add_control(struct serve *s, const char *path);

/* Add the sockets to poll: how many were written at pfd (at most max). */
int serve_pollfds(struct serve *s, struct pollfd *pfd, int max);

/* Handle what poll reported for the n entries serve_pollfds wrote. */
void serve_handle(struct serve *s, const struct pollfd *pfd, int n);

void serve_fini(struct serve *s);

/* The client side: send one control command line to domid's daemon, print the reply; the
 * process exit status (0 if the reply is "ok"). */
int serve_client(unsigned domid, const char *line);
