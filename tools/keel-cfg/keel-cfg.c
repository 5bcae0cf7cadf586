/* SPDX-License-Identifier: Apache-2.0 */
/*
 * keel-cfg: read xl domain configuration files and print, for scripts/keel-qemu, one block of
 * "key value" lines per domain.  Checks what only the host can check (files exist, names are
 * usable as device-tree node names and unique, pinned CPUs exist) on top of the parser's own
 * checks.  Errors go to stderr as "FILE:LINE: KEY: message" and give exit status 1.
 *
 * Output (one line each, values run to the end of the line; optional lines only when set):
 *   keel-cfg 1                      format version, once
 *   domain NAME                     starts a block
 *   cfg PATH                        absolute path of the file
 *   memory_kib N
 *   vcpus N
 *   kernel PATH SIZE                absolute path, size in bytes
 *   ramdisk PATH SIZE               optional
 *   bootargs TEXT                   TEXT may be empty
 *   on_poweroff|on_reboot|on_crash ACTION
 *   cpu_weight N, cap N, pool NAME, budget_us N, period_us N, cpus LIST   optional
 *   xen_enhanced VALUE              optional: enabled, no-xenstore or disabled
 *   control_domain 1                optional: a control domain (key control_domain = 1)
 *   evtchn PORT PEER PEER_PORT      one per static event channel (dom0less), from the key
 *                                   static_evtchn = [ "PORT:PEER:PEER_PORT", ... ]: this
 *                                   domain's PORT is connected to PEER's PEER_PORT at boot
 *   irq N                           one per host interrupt given (xl's irqs), decimal
 *   iomem START PAGES GFN           one per host page range given (xl's iomem), hexadecimal
 *                                   page numbers, GFN = START when the file gives no @GFN
 *   end                             closes the block
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "xlcfg.h"

#define DT_NAME_MAX 31

static void usage(FILE *f)
{
    fprintf(f, "usage: keel-cfg [--host-cpus N] DOMAIN.cfg...\n"
               "Checks xl domain configuration files and describes them for scripts/keel-qemu.\n"
               "  --host-cpus N   also check that pinned CPUs exist on an N-CPU machine\n");
}

static void print_warning(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "warning: %s\n", msg);
}

static unsigned key_line(const struct xlcfg *cfg, const char *key)
{
    const struct xlcfg_setting *s = xlcfg_find(cfg, key);
    return s ? s->line : 0;
}

static int fail(const struct xlcfg *cfg, const char *key, const char *fmt, const char *arg)
{
    unsigned line = key_line(cfg, key);
    if (line)
        fprintf(stderr, "%s:%u: %s: ", cfg->file, line, key);
    else
        fprintf(stderr, "%s: %s: ", cfg->file, key);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return -1;
}

/* Device-tree node names (DTSpec 2.2.1): letters, digits and ",._+-", at most 31 characters.
 * The name also appears in console lines that scripts match, so no spaces either. */
static int check_name(const struct xlcfg *cfg)
{
    const char *n = cfg->name;
    if (strlen(n) > DT_NAME_MAX)
        return fail(cfg, "name", "'%s' is longer than 31 characters (it names a device-tree node)",
                    n);
    for (const char *c = n; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              strchr(",._+-", *c)))
            return fail(
                cfg, "name",
                "'%s' may only use letters, digits and \",._+-\" (it names a device-tree node)", n);
    return 0;
}

/* Values are printed one per line, so they may not hold control characters. */
static int check_printable(const struct xlcfg *cfg, const char *key, const char *value)
{
    for (const unsigned char *c = (const unsigned char *)value; value && *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            return fail(cfg, key, "%s", "contains a control character");
    return 0;
}

/* Replace *path by its absolute form and find its size; the file must be a readable regular
 * file that is not empty. */
static int check_file(const struct xlcfg *cfg, const char *key, char **path, long long *size)
{
    char *abs = realpath(*path, NULL);
    struct stat st;
    if (!abs || stat(abs, &st)) {
        char msg[PATH_MAX + 64];
        snprintf(msg, sizeof(msg), "cannot find %s: %s", *path, strerror(errno));
        free(abs);
        return fail(cfg, key, "%s", msg);
    }
    free(*path);
    *path = abs;
    if (!S_ISREG(st.st_mode) || st.st_size == 0)
        return fail(cfg, key, "%s is not a regular, non-empty file", abs);
    FILE *f = fopen(abs, "rb");
    if (!f)
        return fail(cfg, key, "%s is not readable", abs);
    fclose(f);
    *size = (long long)st.st_size;
    return 0;
}

/* Highest CPU number named by a pin string the parser accepted ("all" gives -1). */
static long highest_cpu(const char *pins)
{
    long max = -1;
    if (!strcmp(pins, "all"))
        return -1;
    for (const char *c = pins; *c;) {
        if (*c == '^' || *c == ',' || *c == '-') {
            c++;
            continue;
        }
        char *end;
        long v = strtol(c, &end, 10);
        max = v > max ? v : max;
        c = end;
    }
    return max;
}

static int check_domain(struct xlcfg *cfg, long host_cpus, long long *ksize, long long *rsize)
{
    if (check_name(cfg) || check_printable(cfg, "extra", cfg->bootargs) ||
        check_printable(cfg, "pool", cfg->pool))
        return -1;
    if (check_file(cfg, "kernel", &cfg->kernel, ksize))
        return -1;
    if (cfg->ramdisk && check_file(cfg, "ramdisk", &cfg->ramdisk, rsize))
        return -1;
    if (cfg->cpus && host_cpus > 0 && highest_cpu(cfg->cpus) >= host_cpus) {
        char msg[96];
        snprintf(msg, sizeof(msg), "CPU %ld does not exist (the machine has %ld)",
                 highest_cpu(cfg->cpus), host_cpus);
        return fail(cfg, "cpus", "%s", msg);
    }
    return 0;
}

/* One static_evtchn item, "PORT:PEER:PEER_PORT": 0 with the fields, or -1.  Ports are those
 * of the 2-level ABI, 1..4095 (port 0 is never a channel). */
static int parse_evtchn(const char *item, unsigned *port, char *peer, size_t peer_size,
                        unsigned *peer_port)
{
    char *end;
    unsigned long p = strtoul(item, &end, 10);
    const char *name = end + 1, *colon = *end == ':' ? strchr(name, ':') : NULL;
    if (end == item || !colon || colon == name || (size_t)(colon - name) >= peer_size)
        return -1;
    unsigned long q = strtoul(colon + 1, &end, 10);
    if (end == colon + 1 || *end || p < 1 || p > 4095 || q < 1 || q > 4095)
        return -1;
    memcpy(peer, name, (size_t)(colon - name));
    peer[colon - name] = 0;
    *port = (unsigned)p;
    *peer_port = (unsigned)q;
    return 0;
}

/* Every static_evtchn item well formed and naming a domain among the n given. */
static int check_evtchn(const struct xlcfg *cfg, const struct xlcfg *all, int n)
{
    const struct xlcfg_setting *s = xlcfg_find(cfg, "static_evtchn");
    if (!s)
        return 0;
    if (!s->value.is_list)
        return fail(cfg, "static_evtchn", "%s", "wants a list [ \"PORT:PEER:PEER_PORT\", ... ]");
    for (size_t i = 0; i < s->value.nr_items; i++) {
        char peer[DT_NAME_MAX + 1];
        unsigned port, peer_port;
        const char *item = s->value.items[i];
        if (parse_evtchn(item, &port, peer, sizeof(peer), &peer_port))
            return fail(cfg, "static_evtchn", "'%s' is not PORT:PEER:PEER_PORT with ports 1..4095",
                        item);
        int found = 0;
        for (int j = 0; j < n; j++)
            found |= !strcmp(all[j].name, peer);
        if (!found)
            return fail(cfg, "static_evtchn", "'%s' names a domain that is not given", item);
    }
    return 0;
}

static void describe(const struct xlcfg *cfg, long long ksize, long long rsize)
{
    char *abs = realpath(cfg->file, NULL);
    printf("domain %s\n", cfg->name);
    printf("cfg %s\n", abs ? abs : cfg->file);
    free(abs);
    printf("memory_kib %llu\n", (unsigned long long)cfg->memory_mib * 1024);
    printf("vcpus %u\n", cfg->vcpus);
    printf("kernel %s %lld\n", cfg->kernel, ksize);
    if (cfg->ramdisk)
        printf("ramdisk %s %lld\n", cfg->ramdisk, rsize);
    printf("bootargs %s\n", cfg->bootargs);
    printf("on_poweroff %s\n", xlcfg_action_name(cfg->on_poweroff));
    printf("on_reboot %s\n", xlcfg_action_name(cfg->on_reboot));
    printf("on_crash %s\n", xlcfg_action_name(cfg->on_crash));
    if (cfg->has_cpu_weight)
        printf("cpu_weight %u\n", cfg->cpu_weight);
    if (cfg->has_cap)
        printf("cap %u\n", cfg->cap);
    if (cfg->pool)
        printf("pool %s\n", cfg->pool);
    if (cfg->has_budget)
        printf("budget_us %u\n", (unsigned)cfg->budget_us);
    if (cfg->has_period)
        printf("period_us %u\n", (unsigned)cfg->period_us);
    if (cfg->cpus)
        printf("cpus %s\n", cfg->cpus);
    if (cfg->xen_enhanced)
        printf("xen_enhanced %s\n", cfg->xen_enhanced);
    if (cfg->control_domain)
        printf("control_domain 1\n");
    const struct xlcfg_setting *ec = xlcfg_find(cfg, "static_evtchn");
    for (size_t i = 0; ec && i < ec->value.nr_items; i++) {
        char peer[DT_NAME_MAX + 1];
        unsigned port, peer_port;
        if (!parse_evtchn(ec->value.items[i], &port, peer, sizeof(peer), &peer_port))
            printf("evtchn %u %s %u\n", port, peer, peer_port);
    }
    for (size_t i = 0; i < cfg->nr_irqs; i++)
        printf("irq %u\n", (unsigned)cfg->irqs[i]);
    for (size_t i = 0; i < cfg->nr_iomem; i++)
        printf("iomem %llx %llx %llx\n", (unsigned long long)cfg->iomem[i].start,
               (unsigned long long)cfg->iomem[i].pages, (unsigned long long)cfg->iomem[i].gfn);
    printf("end\n");
}

int main(int argc, char **argv)
{
    long host_cpus = 0;
    int first = 1;
    while (first < argc && argv[first][0] == '-') {
        if (!strcmp(argv[first], "--help") || !strcmp(argv[first], "-h")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(argv[first], "--host-cpus") && first + 1 < argc) {
            char *end;
            host_cpus = strtol(argv[first + 1], &end, 10);
            if (*end || host_cpus < 1) {
                fprintf(stderr, "keel-cfg: bad --host-cpus '%s'\n", argv[first + 1]);
                return 1;
            }
            first += 2;
            continue;
        }
        usage(stderr);
        return 1;
    }
    int n = argc - first;
    if (n < 1) {
        usage(stderr);
        return 1;
    }
    struct xlcfg *cfgs = calloc((size_t)n, sizeof(*cfgs));
    long long *sizes = calloc((size_t)n * 2, sizeof(*sizes));
    if (!cfgs || !sizes) {
        fprintf(stderr, "keel-cfg: out of memory\n");
        return 1;
    }
    struct xlcfg_diag diag = { .warn = print_warning };
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        if (xlcfg_parse_file(&cfgs[i], argv[first + i], &diag)) {
            fprintf(stderr, "%s\n", diag.error);
            rc = 1;
            break;
        }
        if (check_domain(&cfgs[i], host_cpus, &sizes[2 * i], &sizes[2 * i + 1]))
            rc = 1;
        for (int j = 0; j < i && !rc; j++)
            if (!strcmp(cfgs[i].name, cfgs[j].name)) {
                char msg[PATH_MAX + 64];
                snprintf(msg, sizeof(msg), "domain '%s' is already defined in %s", cfgs[i].name,
                         cfgs[j].file);
                rc = -fail(&cfgs[i], "name", "%s", msg);
            }
    }
    for (int i = 0; i < n && !rc; i++)
        if (check_evtchn(&cfgs[i], cfgs, n))
            rc = 1;
    if (!rc) {
        printf("keel-cfg 1\n");
        for (int i = 0; i < n; i++)
            describe(&cfgs[i], sizes[2 * i], sizes[2 * i + 1]);
    }
    for (int i = 0; i < n; i++)
        xlcfg_free(&cfgs[i]);
    free(cfgs);
    free(sizes);
    if (!rc && fflush(stdout)) {
        fprintf(stderr, "keel-cfg: cannot write the description: %s\n", strerror(errno));
        rc = 1;
    }
    return rc;
}
