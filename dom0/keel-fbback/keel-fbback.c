/* SPDX-License-Identifier: Apache-2.0 */
/*
 * keel-fbback: Keel's back end for PV keyboard, pointer and framebuffer (vkbd, vfb), run in
 * dom0.  Debian ships no qemu-system-xen for arm64, so libxl finds this program where it runs
 * QEMU for a PV domain's device model: it takes the options libxl passes (-xen-domid, the QMP
 * -chardev sockets, -S, -machine xenpv), answers QMP as a QEMU without displays, writes
 * device-model/DOMID/state = "running", serves the vfb and vkbd back ends of that domain until
 * libxl kills it (SIGHUP) or the domain goes, and unmaps everything before it exits.  Started
 * again after it died, with the same options, it takes over the front ends where they are.  The
 * same program is the client of the per-domain control socket (snapshot, key, pointer, status).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "serve.h"
#include "vnc.h"

#define LOG(...) (fprintf(stderr, "keel-fbback: " __VA_ARGS__), fputc('\n', stderr))

static int sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    int saved = errno;

    stop_signal = sig;
    if (write(sig_pipe[1], "x", 1) < 0) {
        /* the pipe is full: a wake-up is pending anyway */
    }
    errno = saved;
}

static int usage(void)
{
    fputs("usage: keel-fbback snapshot DOMAIN FILE.ppm    the framebuffer as a PPM image\n"
          "       keel-fbback key DOMAIN CODE [press|release]  a Linux key code (default: both)\n"
          "       keel-fbback pointer DOMAIN X Y           absolute pointer position, pixels\n"
          "       keel-fbback motion DOMAIN DX DY          relative pointer motion\n"
          "       keel-fbback status DOMAIN\n"
          "       keel-fbback -xen-domid ID [QEMU options]  the back end, as libxl starts it\n",
          stderr);
    return 2;
}

/* Options libxl passes a device model that take a value (the rest are flags). */
static const char *const valued[] = { "-xen-domid", "-chardev", "-mon",      "-name",     "-vnc",
                                      "-display",   "-k",       "-machine",  "-M",        "-m",
                                      "-serial",    "-monitor", "-parallel", "-incoming", "-runas",
                                      "-chroot",    "-device",  "-drive",    "-netdev",   "-smp",
                                      "-boot",      "-append" };

static bool takes_value(const char *opt)
{
    for (size_t i = 0; i < sizeof(valued) / sizeof(valued[0]); i++)
        if (!strcmp(opt, valued[i]))
            return true;
    return false;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    unsigned long v;

    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (*end || errno || v > max)
        return false;
    *out = v;
    return true;
}

static int write_dm_state(struct fbback *b, const char *state)
{
    char path[80];

    snprintf(path, sizeof(path), "/local/domain/0/device-model/%u/state", b->domid);
    if (!xs_write(b->xs, XBT_NULL, path, state, strlen(state))) {
        LOG("cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* libxl stops a domain's device model (xl destroy) by the pid it recorded when it started
 * it.  The back end records its own: the same when libxl started it, and a back end started
 * again by hand after the first one died (it takes over the connected front ends) is then
 * the one stopped. */
static void record_pid(struct fbback *b)
{
    char path[80], pid[24];

    snprintf(path, sizeof(path), "/local/domain/%u/image/device-model-pid", b->domid);
    snprintf(pid, sizeof(pid), "%ld", (long)getpid());
    if (!xs_write(b->xs, XBT_NULL, path, pid, strlen(pid)))
        LOG("cannot write %s: %s", path, strerror(errno));
}

/* Read every queued xenstore watch event; false when the domain has gone. */
static bool drain_watches(struct fbback *b)
{
    char **w;
    bool release = false;

    while ((w = xs_check_watch(b->xs))) {
        if (!strcmp(w[XS_WATCH_TOKEN], "release"))
            release = true;
        free(w);
    }
    backend_reconcile(b);
    return !release || backend_domain_alive(b);
}

static void serve_loop(struct fbback *b, struct serve *s, struct vnc *v)
{
    struct pollfd pfd[5 + SERVE_MAX_LISTEN + SERVE_MAX_CONN];

    while (!stop_signal && !s->qmp.quit) {
        int n;

        pfd[0] = (struct pollfd){ .fd = xs_fileno(b->xs), .events = POLLIN };
        pfd[1] = (struct pollfd){ .fd = xenevtchn_fd(b->xce), .events = POLLIN };
        pfd[2] = (struct pollfd){ .fd = sig_pipe[0], .events = POLLIN };
        vnc_pollfds(v, pfd + 3, 2);
        n = serve_pollfds(s, pfd + 5, SERVE_MAX_LISTEN + SERVE_MAX_CONN);
        if (poll(pfd, (nfds_t)(5 + n), -1) < 0) {
            if (errno == EINTR)
                continue;
            LOG("poll: %s", strerror(errno));
            return;
        }
        if (stop_signal)
            return;
        if ((pfd[0].revents & POLLIN) && !drain_watches(b)) {
            LOG("domain %u is gone", b->domid);
            return;
        }
        if (pfd[1].revents & POLLIN)
            backend_evtchn(b);
        vnc_handle(v, pfd + 3, 2);
        serve_handle(s, pfd + 5, n);
        if (s->qmp.cont_seen) {
            s->qmp.cont_seen = false;
            write_dm_state(b, "running");
        }
    }
}

static int parse_dm_args(int argc, char **argv, struct serve *s, unsigned long *domid,
                         const char **vnc)
{
    bool have_domid = false;

    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

        if (!takes_value(opt)) {
            if (!strcmp(opt, "-S"))
                s->qmp.prelaunch = true;
            continue;
        }
        if (!val) {
            LOG("option %s needs a value", opt);
            return -1;
        }
        i++;
        if (!strcmp(opt, "-xen-domid")) {
            if (!parse_uint(val, 0x7fef, domid)) {
                LOG("-xen-domid %s is not a domain id", val);
                return -1;
            }
            have_domid = true;
        } else if ((!strcmp(opt, "-machine") || !strcmp(opt, "-M")) && strncmp(val, "xenpv", 5)) {
            LOG("only PV domains' devices are served here (machine '%s')", val);
            return -1;
        } else if (!strcmp(opt, "-chardev") && serve_add_qmp(s, val)) {
            LOG("ignored -chardev %s (not a socket server this program can open)", val);
        } else if (!strcmp(opt, "-vnc")) {
            *vnc = val;
        }
    }
    if (!have_domid)
        LOG("no -xen-domid");
    return have_domid ? 0 : -1;
}

static int run_backend(int argc, char **argv)
{
    static struct fbback b;
    static struct serve s;
    static struct vnc v;
    const char *vnc_spec = "none";
    unsigned long domid = 0;
    struct sigaction sa = { .sa_handler = on_signal };
    char ctl[108];
    int rc = 1;

    setvbuf(stderr, NULL, _IOLBF, 0);
    serve_init(&s, &b);
    vnc_init(&v, &b);
    if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) || parse_dm_args(argc, argv, &s, &domid, &vnc_spec))
        goto out;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    LOG("serving vfb and vkbd of domain %lu", domid);
    if (backend_init(&b, (unsigned)domid))
        goto out;
    record_pid(&b);
    serve_control_path(b.domid, ctl, sizeof(ctl));
    if (serve_add_control(&s, ctl))
        LOG("no control socket %s: %s", ctl, strerror(errno));
    if (vnc_listen(&v, vnc_spec))
        LOG("no VNC server for -vnc %s", vnc_spec);
    s.qmp.vnc_port = v.port;
    snprintf(s.qmp.vnc_host, sizeof(s.qmp.vnc_host), "%s", v.host);
    if (!s.qmp.prelaunch && write_dm_state(&b, "running"))
        goto out;
    serve_loop(&b, &s, &v);
    if (stop_signal)
        LOG("signal %d: unmapping domain %u and exiting", (int)stop_signal, b.domid);
    unlink(ctl);
    rc = 0;
out:
    vnc_fini(&v);
    serve_fini(&s);
    backend_fini(&b);
    return rc;
}

/* A domain id, or the id of the domain with that name in xenstore. */
static int find_domain(const char *name, unsigned *domid)
{
    struct xs_handle *xs;
    char **dirs, path[64];
    unsigned int n;
    unsigned long v;
    int rc = -1;

    if (parse_uint(name, 0x7fef, &v)) {
        *domid = (unsigned)v;
        return 0;
    }
    xs = xs_open(XS_OPEN_READONLY);
    dirs = xs ? xs_directory(xs, XBT_NULL, "/local/domain", &n) : NULL;
    for (unsigned int i = 0; dirs && i < n && rc; i++) {
        char *dn;

        snprintf(path, sizeof(path), "/local/domain/%.40s/name", dirs[i]);
        dn = xs_read(xs, XBT_NULL, path, NULL);
        if (dn && !strcmp(dn, name) && parse_uint(dirs[i], 0x7fef, &v)) {
            *domid = (unsigned)v;
            rc = 0;
        }
        free(dn);
    }
    free(dirs);
    if (xs)
        xs_close(xs);
    if (rc)
        fprintf(stderr, "keel-fbback: no domain '%s'\n", name);
    return rc;
}

static int run_client(int argc, char **argv)
{
    char line[300];
    unsigned domid;
    const char *cmd = argv[1];

    if (argc < 3 || find_domain(argv[2], &domid))
        return argc < 3 ? usage() : 1;
    if (!strcmp(cmd, "snapshot") && argc == 4) {
        char abs[256];

        if (argv[3][0] != '/' && getcwd(abs, sizeof(abs)))
            snprintf(line, sizeof(line), "snapshot %.150s/%.100s", abs, argv[3]);
        else
            snprintf(line, sizeof(line), "snapshot %.250s", argv[3]);
        return serve_client(domid, line);
    }
    if (!strcmp(cmd, "key") && (argc == 4 || argc == 5)) {
        const char *how = argc == 5 ? argv[4] : "tap";
        int rc = 0;

        if (strcmp(how, "press") && strcmp(how, "release") && strcmp(how, "tap"))
            return usage();
        if (strcmp(how, "release")) {
            snprintf(line, sizeof(line), "key %.20s 1", argv[3]);
            rc = serve_client(domid, line);
        }
        if (!rc && strcmp(how, "press")) {
            snprintf(line, sizeof(line), "key %.20s 0", argv[3]);
            rc = serve_client(domid, line);
        }
        return rc;
    }
    if ((!strcmp(cmd, "pointer") || !strcmp(cmd, "motion")) && argc == 5) {
        snprintf(line, sizeof(line), "%s %.20s %.20s", !strcmp(cmd, "pointer") ? "pos" : "motion",
                 argv[3], argv[4]);
        return serve_client(domid, line);
    }
    if (!strcmp(cmd, "status") && argc == 3)
        return serve_client(domid, "status");
    return usage();
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-xen-domid"))
            return run_backend(argc, argv);
    if (argc < 2)
        return usage();
    return run_client(argc, argv);
}
