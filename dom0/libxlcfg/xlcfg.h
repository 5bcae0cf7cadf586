/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xl-style domain configuration files: the syntax (key = value statements, quoted strings,
 * integers, [lists]) and the keys Keel understands, with xl's defaults and range checks.
 * Portable C11 with only the standard library, so the same code serves the host launcher and
 * the toolstack in dom0.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What to do when a domain shuts down for a given reason (xl's on_poweroff/on_reboot/on_crash). */
enum xlcfg_action {
    XLCFG_DESTROY,
    XLCFG_RESTART,
    XLCFG_PRESERVE,
    XLCFG_RENAME_RESTART,
    XLCFG_COREDUMP_DESTROY,
    XLCFG_COREDUMP_RESTART,
};

/* A value as written.  Numbers and strings are both kept as text (xl does the same), so a
 * number may be used where a string is expected and a quoted number where an integer is. */
struct xlcfg_value {
    bool is_list;
    bool quoted;  /* an atom written as a string literal */
    char *text;   /* atoms */
    char **items; /* lists: each item's text */
    size_t nr_items;
};

/* One "key = value" statement; a key given twice keeps only the last (or the "+=" sum). */
struct xlcfg_setting {
    char *key;
    unsigned line;
    struct xlcfg_value value;
};

/* RTDS defaults used when only one of budget and period is given (microseconds). */
#define XLCFG_RTDS_DEFAULT_PERIOD 10000u
#define XLCFG_RTDS_DEFAULT_BUDGET 4000u
#define XLCFG_DEFAULT_WEIGHT 256u
#define XLCFG_MAX_VCPUS 128u
#define XLCFG_MAX_MEMORY_MIB (16ull << 20) /* 16 TiB */
#define XLCFG_MAX_IRQS 32                  /* irqs = [...] items (Keel's DOMAIN_MAX_IRQS) */
#define XLCFG_MAX_IOMEM 16                 /* iomem = [...] items (Keel's DOMAIN_MAX_IOMEM) */

/* One iomem item: host pages [start, start + pages) seen by the guest from frame gfn. */
struct xlcfg_iomem {
    uint64_t start, pages, gfn;
};

struct xlcfg {
    char *file; /* the path given to the parser (for messages) */
    struct xlcfg_setting *settings;
    size_t nr_settings;

    char *name;
    uint64_t memory_mib; /* > 0 */
    unsigned vcpus;      /* 1..XLCFG_MAX_VCPUS, default 1 */
    char *kernel;        /* resolved against the file's directory */
    char *ramdisk;       /* likewise; NULL if none */
    char *extra;         /* "cmdline" if given, else "extra"; NULL if neither */
    char *root;          /* NULL if not given */
    char *bootargs;      /* what the guest kernel gets: cmdline, or "root=ROOT EXTRA" */
    enum xlcfg_action on_poweroff, on_reboot, on_crash;
    char *type; /* "pvh" */
    /* Keel's key for Xen's PV interfaces (the /hypervisor node): "enabled", "no-xenstore" or
     * "disabled" (a plain Arm VM); NULL if not given, which means enabled. */
    char *xen_enhanced;
    /* Keel's key for a control domain (0 or 1, default 0): one that may make the toolstack's
     * domctl and sysctl calls, as dom0 does; the dom0less "capabilities" property, bit 0. */
    bool control_domain;

    /* Scheduling.  The has_* flags say whether the file set the value. */
    bool has_cpu_weight, has_cap, has_budget, has_period;
    unsigned cpu_weight; /* 1..65535, default 256 */
    unsigned cap;        /* percent of one CPU, 0..100*vcpus; 0 = no cap */
    uint32_t budget_us;  /* RTDS, <= period_us */
    uint32_t period_us;
    char *pool; /* NULL if not given */
    char *cpus; /* hard-affinity string such as "0-3,5" or "all"; NULL if none */

    /* Host devices passed through (Arm): irqs = [ NUMBER, ... ], host interrupts (INTIDs),
     * and iomem = [ "START,PAGES[@GFN]", ... ], host page ranges in hexadecimal, the guest
     * seeing them from GFN (from START when no @GFN is given, a 1:1 mapping). */
    uint32_t *irqs;
    size_t nr_irqs;
    struct xlcfg_iomem *iomem;
    size_t nr_iomem;
};

#define XLCFG_ERROR_MAX 512

/* Where diagnostics go.  error holds the first error as "FILE:LINE: KEY: what is wrong".
 * warn, if set, is called for each warning (unknown keys, ignored settings) with a message in
 * the same format. */
struct xlcfg_diag {
    void (*warn)(void *ctx, const char *msg);
    void *ctx;
    char error[XLCFG_ERROR_MAX];
};

/*
 * Parse the file at path into cfg.  Returns 0, or -1 with diag->error set and cfg left empty
 * (xlcfg_free on it is harmless).  The file is read whole; limit 1 MiB.
 */
int xlcfg_parse_file(struct xlcfg *cfg, const char *path, struct xlcfg_diag *diag);

/*
 * Parse text (len bytes, need not be NUL-terminated) as if read from path, which names the
 * file in messages and is the base for relative kernel/ramdisk paths; path may be NULL.
 * Same results as xlcfg_parse_file.
 */
int xlcfg_parse_text(struct xlcfg *cfg, const char *text, size_t len, const char *path,
                     struct xlcfg_diag *diag);

/* Free everything cfg owns and zero it. */
void xlcfg_free(struct xlcfg *cfg);

/* The setting for key, or NULL if the file does not set it. */
const struct xlcfg_setting *xlcfg_find(const struct xlcfg *cfg, const char *key);

/*
 * Read key as a boolean (0 or 1) for keys this library does not interpret.  Returns 0 with
 * *out set (dflt if the key is absent), or -1 with diag->error set.
 */
int xlcfg_get_bool(const struct xlcfg *cfg, const char *key, bool dflt, bool *out,
                   struct xlcfg_diag *diag);

/* xl's spelling of an action ("destroy", "rename-restart", ...). */
const char *xlcfg_action_name(enum xlcfg_action action);
