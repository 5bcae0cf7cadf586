/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The QMP monitor (what libxl asks a PV device model, facts from Xen 4.17's libxl_dm.c and
 * libxl_qmp.c: the greeting, qmp_capabilities, query-status, query-chardev, query-vnc, cont,
 * quit) and the control socket (one command line in, one "ok ..."/"error ..." line out).
 * Connections are non-blocking; a peer that sends more than SERVE_BUF bytes without a complete
 * request is dropped.
 */
#include "serve.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#define LOG(...) (fprintf(stderr, "keel-fbback: " __VA_ARGS__), fputc('\n', stderr))

void serve_control_path(unsigned domid, char *buf, size_t len)
{
    snprintf(buf, len, "/var/run/xen/keel-fbback-%u.sock", domid);
}

void serve_init(struct serve *s, struct fbback *b)
{
    memset(s, 0, sizeof(*s));
    s->b = b;
    for (int i = 0; i < SERVE_MAX_CONN; i++)
        s->conn[i].fd = -1;
}

static int listen_unix(const char *path)
{
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(un.sun_path))
        return -1;
    strcpy(un.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    unlink(path);
    if (bind(fd, (struct sockaddr *)&un, sizeof(un)) || listen(fd, 4)) {
        close(fd);
        return -1;
    }
    return fd;
}

static int add_listener(struct serve *s, int fd, bool qmp)
{
    if (s->nlisten == SERVE_MAX_LISTEN) {
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    s->listen_fd[s->nlisten] = fd;
    s->listen_qmp[s->nlisten++] = qmp;
    return 0;
}

/* The value of key=VALUE in a comma-separated option list, copied into out. */
static bool opt_value(const char *opts, const char *key, char *out, size_t len)
{
    size_t klen = strlen(key);

    for (const char *p = opts; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
        if (!strncmp(p, key, klen) && p[klen] == '=') {
            size_t n = strcspn(p + klen + 1, ",");

            if (n >= len)
                return false;
            memcpy(out, p + klen + 1, n);
            out[n] = 0;
            return true;
        }
    }
    return false;
}

int serve_add_qmp(struct serve *s, const char *chardev)
{
    char v[108], *end;
    long fd;

    if (strncmp(chardev, "socket,", 7) || !opt_value(chardev, "server", v, sizeof(v)) ||
        strcmp(v, "on"))
        return -1;
    if (opt_value(chardev, "fd", v, sizeof(v))) {
        fd = strtol(v, &end, 10);
        if (*end || fd < 3 || fd > 1024)
            return -1;
        return add_listener(s, (int)fd, true);
    }
    if (!opt_value(chardev, "path", v, sizeof(v)))
        return -1;
    fd = listen_unix(v);
    return fd < 0 ? -1 : add_listener(s, (int)fd, true);
}

int serve_add_control(struct serve *s, const char *path)
{
    int fd = listen_unix(path);

    return fd < 0 ? -1 : add_listener(s, fd, false);
}

int serve_pollfds(struct serve *s, struct pollfd *pfd, int max)
{
    int n = 0;

    for (int i = 0; i < s->nlisten && n < max; i++)
        pfd[n++] = (struct pollfd){ .fd = s->listen_fd[i], .events = POLLIN };
    for (int i = 0; i < SERVE_MAX_CONN && n < max; i++)
        pfd[n++] = (struct pollfd){ .fd = s->conn[i].fd, .events = POLLIN };
    return n;
}

static void conn_close(struct serve_conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->len = 0;
}

static void conn_send(struct serve_conn *c, const char *msg)
{
    size_t len = strlen(msg), done = 0;

    /* Replies are small; a peer that does not read them is dropped rather than waited for. */
    while (done < len) {
        ssize_t w = send(c->fd, msg + done, len - done, MSG_NOSIGNAL | MSG_DONTWAIT);

        if (w <= 0) {
            conn_close(c);
            return;
        }
        done += (size_t)w;
    }
}

static void accept_one(struct serve *s, int lfd, bool qmp)
{
    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    int i;

    if (fd < 0)
        return;
    for (i = 0; i < SERVE_MAX_CONN && s->conn[i].fd >= 0; i++)
        ;
    if (i == SERVE_MAX_CONN) {
        close(fd);
        return;
    }
    s->conn[i] = (struct serve_conn){ .fd = fd, .qmp = qmp };
    if (qmp)
        conn_send(&s->conn[i], QMP_GREETING);
}

static void qmp_request(struct serve *s, struct serve_conn *c, const char *obj)
{
    char reply[512];

    qmp_reply(&s->qmp, obj, reply, sizeof(reply));
    conn_send(c, reply);
}

static void control_request(struct serve *s, struct serve_conn *c, char *line)
{
    char reply[300], arg[200];
    const char *why = "unknown command (have: snapshot, key, pos, motion, status)";
    long a, b2;
    int rc = -1;

    reply[0] = 0;
    if (sscanf(line, "snapshot %199s", arg) == 1) {
        rc = backend_snapshot(s->b, arg, &why);
    } else if (sscanf(line, "key %ld %ld", &a, &b2) == 2) {
        rc = (a < 0 || a > 0x2ff) ? (why = "key code outside 0..0x2ff", -1)
                                  : backend_key(s->b, (uint32_t)a, b2 != 0, &why);
    } else if (sscanf(line, "pos %ld %ld", &a, &b2) == 2) {
        rc = (a < 0 || b2 < 0 || a > 65535 || b2 > 65535)
                 ? (why = "position outside 0..65535", -1)
                 : backend_pointer(s->b, true, (int32_t)a, (int32_t)b2, &why);
    } else if (sscanf(line, "motion %ld %ld", &a, &b2) == 2) {
        rc = (a < -65535 || b2 < -65535 || a > 65535 || b2 > 65535)
                 ? (why = "motion outside -65535..65535", -1)
                 : backend_pointer(s->b, false, (int32_t)a, (int32_t)b2, &why);
    } else if (!strcmp(line, "status")) {
        struct fbback *b = s->b;

        snprintf(reply, sizeof(reply), "ok vfb=%s %dx%dx%u updates=%lu bad=%lu vkbd=%s abs=%d\n",
                 b->vfb.connected ? "connected" : "disconnected", b->vfb.geom.width,
                 b->vfb.geom.height, b->vfb.geom.depth, b->vfb.updates, b->vfb.bad_events,
                 b->vkbd.connected ? "connected" : "disconnected", b->vkbd.abs);
    }
    if (!reply[0])
        snprintf(reply, sizeof(reply), rc ? "error %s\n" : "ok\n", why);
    conn_send(c, reply);
}

static void conn_read(struct serve *s, struct serve_conn *c)
{
    ssize_t r = recv(c->fd, c->buf + c->len, SERVE_BUF - 1 - c->len, 0);

    if (r <= 0) {
        if (r == 0 || (errno != EAGAIN && errno != EINTR))
            conn_close(c);
        return;
    }
    c->len += (size_t)r;
    c->buf[c->len] = 0;
    while (c->fd >= 0 && c->len) {
        long n;

        if (c->qmp) {
            n = qmp_object_len(c->buf, c->len);
            if (n > 0) {
                char save = c->buf[n];

                c->buf[n] = 0;
                qmp_request(s, c, c->buf);
                c->buf[n] = save;
            }
        } else {
            char *nl = memchr(c->buf, '\n', c->len);

            n = nl ? nl - c->buf + 1 : 0;
            if (nl) {
                *nl = 0;
                control_request(s, c, c->buf);
            }
        }
        if (n < 0 || (n == 0 && c->len >= SERVE_BUF - 1)) {
            conn_close(c);
            return;
        }
        if (n == 0 || c->fd < 0)
            return;
        memmove(c->buf, c->buf + n, c->len - (size_t)n);
        c->len -= (size_t)n;
        c->buf[c->len] = 0;
    }
}

void serve_handle(struct serve *s, const struct pollfd *pfd, int n)
{
    int k = 0;

    for (int i = 0; i < s->nlisten && k < n; i++, k++)
        if (pfd[k].revents & POLLIN)
            accept_one(s, s->listen_fd[i], s->listen_qmp[i]);
    for (int i = 0; i < SERVE_MAX_CONN && k < n; i++, k++) {
        struct serve_conn *c = &s->conn[i];

        if (c->fd >= 0 && pfd[k].fd == c->fd && (pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
            conn_read(s, c);
    }
}

void serve_fini(struct serve *s)
{
    for (int i = 0; i < SERVE_MAX_CONN; i++)
        conn_close(&s->conn[i]);
    for (int i = 0; i < s->nlisten; i++)
        close(s->listen_fd[i]);
    s->nlisten = 0;
}

int serve_client(unsigned domid, const char *line)
{
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    char reply[512];
    size_t len = 0;
    int fd;

    serve_control_path(domid, un.sun_path, sizeof(un.sun_path));
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&un, sizeof(un))) {
        fprintf(stderr, "keel-fbback: no back end serves domain %u (%s: %s)\n", domid, un.sun_path,
                strerror(errno));
        return 1;
    }
    if (write(fd, line, strlen(line)) < 0 || write(fd, "\n", 1) < 0) {
        fprintf(stderr, "keel-fbback: cannot send to %s: %s\n", un.sun_path, strerror(errno));
        close(fd);
        return 1;
    }
    while (len < sizeof(reply) - 1) {
        ssize_t r = read(fd, reply + len, sizeof(reply) - 1 - len);

        if (r <= 0)
            break;
        len += (size_t)r;
        if (memchr(reply, '\n', len))
            break;
    }
    close(fd);
    reply[len] = 0;
    if (strncmp(reply, "ok", 2)) {
        fprintf(stderr, "keel-fbback: domain %u: %s%s", domid, len ? reply : "no reply\n",
                len && reply[len - 1] != '\n' ? "\n" : "");
        return 1;
    }
    fputs(reply, stdout);
    return 0;
}
