/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xl configuration keys: after the syntax pass (xlcfg_syntax.c) has collected the settings,
 * check and convert the keys Keel knows (types, ranges, defaults, relations such as cap <=
 * 100 * vcpus) and warn about the others, as xl does.  Owns the parsed struct xlcfg.
 */
#include "xlcfg_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE_SIZE (1u << 20)

/* static_evtchn is read by keel-cfg (dom0less static event channels for the launcher). */
static const char *const known_keys[] = {
    "name",         "memory",        "vcpus",          "kernel",    "ramdisk",  "extra",
    "cmdline",      "root",          "on_poweroff",    "on_reboot", "on_crash", "type",
    "cpu_weight",   "cap",           "pool",           "budget",    "period",   "cpus",
    "xen_enhanced", "static_evtchn", "control_domain", "irqs",      "iomem",
};

static const char *const action_names[] = {
    [XLCFG_DESTROY] = "destroy",
    [XLCFG_RESTART] = "restart",
    [XLCFG_PRESERVE] = "preserve",
    [XLCFG_RENAME_RESTART] = "rename-restart",
    [XLCFG_COREDUMP_DESTROY] = "coredump-destroy",
    [XLCFG_COREDUMP_RESTART] = "coredump-restart",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const char *xlcfg_action_name(enum xlcfg_action action)
{
    return (unsigned)action < ARRAY_SIZE(action_names) ? action_names[action] : "?";
}

static int fail_nomem(struct parser *p)
{
    return xlcfg_fail_at(p, 0, NULL, "out of memory");
}

/* The setting for key if it is a single value; NULL if absent; error if it is a list. */
static int get_atom(struct parser *p, const char *key, const char *want,
                    const struct xlcfg_setting **out)
{
    const struct xlcfg_setting *s = xlcfg_find(p->cfg, key);
    *out = NULL;
    if (s && s->value.is_list)
        return xlcfg_fail_at(p, s->line, key, "expected %s, not a list", want);
    *out = s;
    return 0;
}

static int get_string(struct parser *p, const char *key, bool required, char **out)
{
    const struct xlcfg_setting *s;
    if (get_atom(p, key, "a string", &s))
        return -1;
    if (!s)
        return required ? xlcfg_fail_at(p, 0, key, "required but not set") : 0;
    if (!s->value.text[0])
        return xlcfg_fail_at(p, s->line, key, "must not be empty");
    *out = xlcfg_strdup(s->value.text);
    return *out ? 0 : fail_nomem(p);
}

enum int_parse { INT_OK, INT_NOT_AN_INTEGER, INT_TOO_BIG };

/* Optional sign, then decimal or 0x-hex digits, nothing else. */
static enum int_parse parse_integer(const char *text, long long *out)
{
    const char *s = text;
    bool neg = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s[2]) {
        base = 16;
        s += 2;
    }
    if (!*s)
        return INT_NOT_AN_INTEGER;
    unsigned long long v = 0;
    bool too_big = false;
    for (; *s; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = (unsigned)(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            d = (unsigned)(*s - 'A' + 10);
        else
            return INT_NOT_AN_INTEGER;
        if (v > ((unsigned long long)LLONG_MAX - d) / base)
            too_big = true;
        else
            v = v * base + d;
    }
    if (too_big)
        return INT_TOO_BIG;
    *out = neg ? -(long long)v : (long long)v;
    return INT_OK;
}

/* *present (if given) says whether the key was set; *out keeps its default otherwise. */
static int get_int(struct parser *p, const char *key, long long min, long long max, long long *out,
                   bool *present)
{
    const struct xlcfg_setting *s;
    if (get_atom(p, key, "an integer", &s))
        return -1;
    if (present)
        *present = s != NULL;
    if (!s)
        return 0;
    long long v = 0;
    enum int_parse r = parse_integer(s->value.text, &v);
    if (r == INT_NOT_AN_INTEGER)
        return xlcfg_fail_at(p, s->line, key, "expected an integer");
    if (r == INT_TOO_BIG || v < min || v > max)
        return xlcfg_fail_at(p, s->line, key, "must be between %lld and %lld", min, max);
    *out = v;
    return 0;
}

static int get_action(struct parser *p, const char *key, enum xlcfg_action dflt,
                      enum xlcfg_action *out)
{
    const struct xlcfg_setting *s;
    *out = dflt;
    if (get_atom(p, key, "an action", &s))
        return -1;
    if (!s)
        return 0;
    for (unsigned i = 0; i < ARRAY_SIZE(action_names); i++)
        if (!strcmp(s->value.text, action_names[i])) {
            *out = (enum xlcfg_action)i;
            return 0;
        }
    return xlcfg_fail_at(
        p, s->line, key,
        "unknown action '%s' (expected destroy, restart, preserve, rename-restart, "
        "coredump-destroy or coredump-restart)",
        s->value.text);
}

/* Keel's xen_enhanced (the dom0less "xen,enhanced" property): whether the domain gets Xen's
 * PV interfaces.  NULL when not given (Keel's default: enabled). */
static int get_enhanced(struct parser *p)
{
    static const char *const values[] = { "enabled", "no-xenstore", "disabled" };
    struct xlcfg *cfg = p->cfg;
    if (get_string(p, "xen_enhanced", false, &cfg->xen_enhanced))
        return -1;
    if (!cfg->xen_enhanced)
        return 0;
    for (unsigned i = 0; i < ARRAY_SIZE(values); i++)
        if (!strcmp(cfg->xen_enhanced, values[i]))
            return 0;
    return xlcfg_fail_at(p, xlcfg_find(cfg, "xen_enhanced")->line, "xen_enhanced",
                         "'%s' is not \"enabled\", \"no-xenstore\" or \"disabled\"",
                         cfg->xen_enhanced);
}

/* Relative paths are relative to the directory holding the configuration file. */
static int resolve_path(struct parser *p, const char *cfg_path, char **path)
{
    const char *slash = cfg_path ? strrchr(cfg_path, '/') : NULL;
    if (!*path || (*path)[0] == '/' || !slash)
        return 0;
    size_t dir = (size_t)(slash - cfg_path) + 1, n = strlen(*path);
    char *full = malloc(dir + n + 1);
    if (!full)
        return fail_nomem(p);
    memcpy(full, cfg_path, dir);
    memcpy(full + dir, *path, n + 1);
    free(*path);
    *path = full;
    return 0;
}

/* "all", or a comma list of CPU numbers and ranges, each optionally '^' (excluded). */
static int check_cpus(struct parser *p, unsigned line, const char *s)
{
    if (!strcmp(s, "all"))
        return 0;
    if (!strncmp(s, "nodes:", 6) || !strncmp(s, "node:", 5))
        return xlcfg_fail_at(p, line, "cpus", "NUMA node affinity is not supported");
    const char *c = s;
    for (;;) {
        if (*c == '^')
            c++;
        char *end;
        if (*c < '0' || *c > '9')
            return xlcfg_fail_at(p, line, "cpus", "bad CPU list '%s' (expected e.g. \"0-3,5\")", s);
        unsigned long lo = strtoul(c, &end, 10), hi = lo;
        c = end;
        if (*c == '-') {
            c++;
            if (*c < '0' || *c > '9')
                return xlcfg_fail_at(p, line, "cpus", "bad CPU list '%s' (expected e.g. \"0-3,5\")",
                                     s);
            hi = strtoul(c, &end, 10);
            c = end;
        }
        if (lo > 65535 || hi > 65535 || hi < lo)
            return xlcfg_fail_at(p, line, "cpus", "bad CPU range in '%s'", s);
        if (!*c)
            return 0;
        if (*c++ != ',')
            return xlcfg_fail_at(p, line, "cpus", "bad CPU list '%s' (expected e.g. \"0-3,5\")", s);
    }
}

static int join_bootargs(struct parser *p)
{
    struct xlcfg *cfg = p->cfg;
    const struct xlcfg_setting *cmdline = xlcfg_find(cfg, "cmdline");
    const struct xlcfg_setting *extra = xlcfg_find(cfg, "extra");
    const struct xlcfg_setting *root = xlcfg_find(cfg, "root");
    if (cmdline) {
        if (extra)
            xlcfg_warn_at(p, extra->line, "extra", "ignored because cmdline is set");
        if (root)
            xlcfg_warn_at(p, root->line, "root", "ignored because cmdline is set");
        free(cfg->extra);
        cfg->extra = xlcfg_strdup(cmdline->value.text);
        cfg->bootargs = xlcfg_strdup(cmdline->value.text);
        return cfg->extra && cfg->bootargs ? 0 : fail_nomem(p);
    }
    const char *r = cfg->root, *e = cfg->extra ? cfg->extra : "";
    size_t n = (r ? strlen(r) + 6 : 0) + strlen(e) + 1;
    cfg->bootargs = malloc(n);
    if (!cfg->bootargs)
        return fail_nomem(p);
    if (r)
        snprintf(cfg->bootargs, n, "root=%s%s%s", r, *e ? " " : "", e);
    else
        snprintf(cfg->bootargs, n, "%s", e);
    return 0;
}

static int interpret_basics(struct parser *p, const char *path)
{
    struct xlcfg *cfg = p->cfg;
    long long v = 0;
    bool present;
    if (get_string(p, "name", true, &cfg->name))
        return -1;
    if (get_int(p, "memory", 1, (long long)XLCFG_MAX_MEMORY_MIB, &v, &present))
        return -1;
    if (!present)
        return xlcfg_fail_at(p, 0, "memory", "required but not set");
    cfg->memory_mib = (uint64_t)v;
    v = 1;
    if (get_int(p, "vcpus", 1, XLCFG_MAX_VCPUS, &v, NULL))
        return -1;
    cfg->vcpus = (unsigned)v;
    if (get_string(p, "kernel", true, &cfg->kernel) ||
        get_string(p, "ramdisk", false, &cfg->ramdisk))
        return -1;
    if (resolve_path(p, path, &cfg->kernel) || resolve_path(p, path, &cfg->ramdisk))
        return -1;
    const struct xlcfg_setting *s;
    if (get_atom(p, "cmdline", "a string", &s) || get_atom(p, "extra", "a string", &s))
        return -1;
    if (xlcfg_find(cfg, "extra") &&
        !(cfg->extra = xlcfg_strdup(xlcfg_find(cfg, "extra")->value.text)))
        return fail_nomem(p);
    if (get_string(p, "root", false, &cfg->root) || join_bootargs(p))
        return -1;
    if (get_action(p, "on_poweroff", XLCFG_DESTROY, &cfg->on_poweroff) ||
        get_action(p, "on_reboot", XLCFG_RESTART, &cfg->on_reboot) ||
        get_action(p, "on_crash", XLCFG_DESTROY, &cfg->on_crash))
        return -1;
    if (get_string(p, "type", false, &cfg->type))
        return -1;
    if (!cfg->type && !(cfg->type = xlcfg_strdup("pvh")))
        return fail_nomem(p);
    if (strcmp(cfg->type, "pvh"))
        return xlcfg_fail_at(p, xlcfg_find(cfg, "type")->line, "type",
                             "'%s' is not available on Arm (only \"pvh\")", cfg->type);
    if (get_enhanced(p))
        return -1;
    /* Keel's control_domain: the domain may make the toolstack's calls (the dom0less
     * "capabilities" property, bit 0). */
    v = 0;
    if (get_int(p, "control_domain", 0, 1, &v, NULL))
        return -1;
    cfg->control_domain = v != 0;
    return 0;
}

static int interpret_sched(struct parser *p)
{
    struct xlcfg *cfg = p->cfg;
    long long v = XLCFG_DEFAULT_WEIGHT;
    if (get_int(p, "cpu_weight", 1, 65535, &v, &cfg->has_cpu_weight))
        return -1;
    cfg->cpu_weight = (unsigned)v;
    v = 0;
    if (get_int(p, "cap", 0, 100LL * cfg->vcpus, &v, &cfg->has_cap))
        return -1;
    cfg->cap = (unsigned)v;
    if (get_string(p, "pool", false, &cfg->pool))
        return -1;
    v = XLCFG_RTDS_DEFAULT_PERIOD;
    if (get_int(p, "period", 1, UINT32_MAX, &v, &cfg->has_period))
        return -1;
    cfg->period_us = (uint32_t)v;
    v = XLCFG_RTDS_DEFAULT_BUDGET;
    if (get_int(p, "budget", 1, UINT32_MAX, &v, &cfg->has_budget))
        return -1;
    cfg->budget_us = (uint32_t)v;
    if (cfg->budget_us > cfg->period_us) {
        const struct xlcfg_setting *b = xlcfg_find(cfg, "budget"), *per = xlcfg_find(cfg, "period");
        const struct xlcfg_setting *at = b && (!per || b->line >= per->line) ? b : per;
        return xlcfg_fail_at(p, at->line, at->key, "budget (%u us) must not exceed period (%u us)",
                             cfg->budget_us, cfg->period_us);
    }
    const struct xlcfg_setting *s = xlcfg_find(cfg, "cpus");
    if (s && s->value.is_list)
        return xlcfg_fail_at(p, s->line, "cpus",
                             "per-vCPU lists are not supported; give one string such as \"0-3\"");
    if (get_string(p, "cpus", false, &cfg->cpus))
        return -1;
    return cfg->cpus ? check_cpus(p, s->line, cfg->cpus) : 0;
}

/* A hexadecimal number at *s (an optional "0x" first, as xl's sscanf takes it), *s moved past
 * it.  False if there are no digits or it does not fit 64 bits. */
static bool parse_hex(const char **s, uint64_t *out)
{
    const char *c = *s;
    if (c[0] == '0' && (c[1] == 'x' || c[1] == 'X'))
        c += 2;
    uint64_t v = 0;
    const char *first = c;
    for (;; c++) {
        unsigned d;
        if (*c >= '0' && *c <= '9')
            d = (unsigned)(*c - '0');
        else if (*c >= 'a' && *c <= 'f')
            d = (unsigned)(*c - 'a' + 10);
        else if (*c >= 'A' && *c <= 'F')
            d = (unsigned)(*c - 'A' + 10);
        else
            break;
        if (v >> 60)
            return false;
        v = v << 4 | d;
    }
    *out = v;
    *s = c;
    return c != first;
}

/* One iomem item, "START,PAGES[@GFN]" (xl.cfg(5)): page numbers in hexadecimal, PAGES at
 * least 1, the byte addresses of both ranges within 64 bits. */
static bool parse_iomem(const char *item, struct xlcfg_iomem *r)
{
    const char *c = item;
    if (!parse_hex(&c, &r->start) || *c++ != ',' || !parse_hex(&c, &r->pages))
        return false;
    r->gfn = r->start;
    if (*c == '@' && (c++, !parse_hex(&c, &r->gfn)))
        return false;
    const uint64_t max_pages = UINT64_MAX >> 12;
    return !*c && r->pages && r->start <= max_pages - r->pages && r->gfn <= max_pages - r->pages;
}

static int interpret_devices(struct parser *p)
{
    struct xlcfg *cfg = p->cfg;
    const struct xlcfg_setting *s = xlcfg_find(cfg, "irqs");
    if (s && !s->value.is_list)
        return xlcfg_fail_at(p, s->line, "irqs", "wants a list [ NUMBER, ... ]");
    if (s && s->value.nr_items > XLCFG_MAX_IRQS)
        return xlcfg_fail_at(p, s->line, "irqs", "at most %u interrupts", XLCFG_MAX_IRQS);
    if (s && s->value.nr_items) {
        cfg->irqs = calloc(s->value.nr_items, sizeof(*cfg->irqs));
        if (!cfg->irqs)
            return fail_nomem(p);
        for (size_t i = 0; i < s->value.nr_items; i++) {
            long long v;
            if (parse_integer(s->value.items[i], &v) != INT_OK || v < 0 || v > UINT32_MAX)
                return xlcfg_fail_at(p, s->line, "irqs", "'%s' is not an interrupt number",
                                     s->value.items[i]);
            cfg->irqs[cfg->nr_irqs++] = (uint32_t)v;
        }
    }
    s = xlcfg_find(cfg, "iomem");
    if (s && !s->value.is_list)
        return xlcfg_fail_at(p, s->line, "iomem", "wants a list [ \"START,PAGES[@GFN]\", ... ]");
    if (s && s->value.nr_items > XLCFG_MAX_IOMEM)
        return xlcfg_fail_at(p, s->line, "iomem", "at most %u ranges", XLCFG_MAX_IOMEM);
    if (s && s->value.nr_items) {
        cfg->iomem = calloc(s->value.nr_items, sizeof(*cfg->iomem));
        if (!cfg->iomem)
            return fail_nomem(p);
        for (size_t i = 0; i < s->value.nr_items; i++) {
            if (!parse_iomem(s->value.items[i], &cfg->iomem[cfg->nr_iomem++]))
                return xlcfg_fail_at(p, s->line, "iomem",
                                     "'%s' is not \"START,PAGES[@GFN]\" (page numbers in "
                                     "hexadecimal, at least one page)",
                                     s->value.items[i]);
        }
    }
    return 0;
}

static void warn_unknown(struct parser *p)
{
    for (size_t i = 0; i < p->cfg->nr_settings; i++) {
        const struct xlcfg_setting *s = &p->cfg->settings[i];
        bool known = false;
        for (size_t k = 0; k < ARRAY_SIZE(known_keys); k++)
            known |= !strcmp(s->key, known_keys[k]);
        if (!known)
            xlcfg_warn_at(p, s->line, s->key, "unknown key, ignored");
    }
}

int xlcfg_parse_text(struct xlcfg *cfg, const char *text, size_t len, const char *path,
                     struct xlcfg_diag *diag)
{
    memset(cfg, 0, sizeof(*cfg));
    diag->error[0] = 0;
    struct parser p = { text, text + len, 1, path ? path : "<config>", NULL, cfg, diag };
    cfg->file = xlcfg_strdup(p.file);
    if (!cfg->file)
        return fail_nomem(&p);
    if (xlcfg_parse_syntax(&p))
        goto fail;
    warn_unknown(&p);
    if (interpret_basics(&p, path) || interpret_sched(&p) || interpret_devices(&p))
        goto fail;
    return 0;
fail:
    xlcfg_free(cfg);
    return -1;
}

int xlcfg_parse_file(struct xlcfg *cfg, const char *path, struct xlcfg_diag *diag)
{
    memset(cfg, 0, sizeof(*cfg));
    diag->error[0] = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(diag->error, sizeof(diag->error), "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    char *text = malloc(MAX_FILE_SIZE + 1);
    size_t len = text ? fread(text, 1, MAX_FILE_SIZE + 1, f) : 0;
    int err = text ? ferror(f) : 1;
    fclose(f);
    int rc = -1;
    if (!text)
        snprintf(diag->error, sizeof(diag->error), "%s: out of memory", path);
    else if (err)
        snprintf(diag->error, sizeof(diag->error), "%s: read error", path);
    else if (len > MAX_FILE_SIZE)
        snprintf(diag->error, sizeof(diag->error), "%s: larger than %u bytes", path, MAX_FILE_SIZE);
    else
        rc = xlcfg_parse_text(cfg, text, len, path, diag);
    free(text);
    return rc;
}

void xlcfg_free(struct xlcfg *cfg)
{
    for (size_t i = 0; i < cfg->nr_settings; i++) {
        free(cfg->settings[i].key);
        xlcfg_value_free(&cfg->settings[i].value);
    }
    free(cfg->settings);
    char *owned[] = { cfg->file,  cfg->name, cfg->kernel,      cfg->ramdisk,
                      cfg->extra, cfg->root, cfg->bootargs,    cfg->type,
                      cfg->pool,  cfg->cpus, cfg->xen_enhanced };
    for (size_t i = 0; i < ARRAY_SIZE(owned); i++)
        free(owned[i]);
    free(cfg->irqs);
    free(cfg->iomem);
    memset(cfg, 0, sizeof(*cfg));
}

const struct xlcfg_setting *xlcfg_find(const struct xlcfg *cfg, const char *key)
{
    for (size_t i = 0; i < cfg->nr_settings; i++)
        if (!strcmp(cfg->settings[i].key, key))
            return &cfg->settings[i];
    return NULL;
}

int xlcfg_get_bool(const struct xlcfg *cfg, const char *key, bool dflt, bool *out,
                   struct xlcfg_diag *diag)
{
    struct parser p = { NULL, NULL, 0, cfg->file, NULL, (struct xlcfg *)cfg, diag };
    long long v = dflt;
    diag->error[0] = 0;
    if (get_int(&p, key, 0, 1, &v, NULL)) {
        const struct xlcfg_setting *s = xlcfg_find(cfg, key);
        return xlcfg_fail_at(&p, s->line, key, "expected 0 or 1");
    }
    *out = v != 0;
    return 0;
}
