/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CPU pools: the table, built at boot from the device tree ("xen,cpupool" nodes under /chosen,
 * Xen's dom0less binding) and Keel's command line (cpupool=NAME:POLICY:CPULIST, sched=,
 * sched_slice_us=).  Every pCPU that neither names goes to Pool-0, which runs the default
 * policy.  The toolstack changes pools at run time (pool_ctl.c) under the pools lock, which
 * guards the table and the free pCPUs; slots are reused, never freed, so their locks stay
 * valid.  The run loop reads cpu_pool[] without a lock (acquire; writers release).
 */
#include <hyp/bootinfo.h>
#include <hyp/cmdline.h>
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/heap.h>
#include <hyp/percpu.h>
#include <hyp/sched.h>
#include <hyp/smp.h>
#include <hyp/string.h>
#include "sched_internal.h"

#define SLICE_MIN_US 100UL
#define SLICE_MAX_US 1000000UL
#define RATELIMIT_DEFAULT_US 1000UL /* Xen's default */
#define RATELIMIT_MIN_US 100UL
#define RATELIMIT_MAX_US 500000UL

static struct sched_pool pools[MAX_POOLS];
static unsigned nr_pools; /* slots used at boot; later the table may have holes */
static struct sched_pool *cpu_pool[MAX_CPUS];
static struct sched_pool *default_pool;
static struct spinlock pools_lock = SPINLOCK_INIT;
static uint64_t free_cpus; /* atomic: set by the freed pCPU itself, cleared under pools_lock */
uint64_t sched_slice_ns = 10 * NS_PER_MS;
uint64_t sched_ratelimit_ns = RATELIMIT_DEFAULT_US * NS_PER_US;

/* Names a configuration may give a policy.  credit and credit2 are one proportional-share
 * policy; the pool keeps the name's kind, which the toolstack sees (sched_pool_kind). */
static const struct sched_choice choices[] = {
    { "credit", &sched_credit_policy, SCHED_KIND_CREDIT },
    { "credit2", &sched_credit_policy, SCHED_KIND_CREDIT2 },
    { "rtds", &sched_rtds_policy, SCHED_KIND_RTDS },
    { "null", &sched_null_policy, SCHED_KIND_NULL },
};

const struct sched_choice *sched_choice_of_kind(enum sched_kind kind)
{
    for (unsigned i = 0; i < ARRAY_SIZE(choices); i++)
        if (choices[i].kind == kind)
            return &choices[i];
    return NULL;
}

const struct sched_choice *sched_policy_by_name(const char *name, size_t len)
{
    for (unsigned i = 0; i < ARRAY_SIZE(choices); i++)
        if (strlen(choices[i].name) == len && !strncmp(choices[i].name, name, len))
            return &choices[i];
    return NULL;
}

/* --- CPU lists --- */

static size_t span(const char *s, size_t i, size_t len, const char *stops)
{
    while (i < len && !strchr(stops, s[i]))
        i++;
    return i;
}

int sched_parse_cpulist(const char *s, size_t len, uint64_t *mask)
{
    uint64_t m = 0;
    size_t i = 0;
    if (!len)
        return -EINVAL;
    while (i < len) {
        size_t j = span(s, i, len, ",-");
        uint64_t first, last;
        if (parse_u64(s + i, j - i, false, &first))
            return -EINVAL;
        last = first;
        if (j < len && s[j] == '-') {
            size_t k = ++j;
            j = span(s, k, len, ",");
            if (parse_u64(s + k, j - k, false, &last))
                return -EINVAL;
        }
        if (first > last || last >= MAX_CPUS)
            return -EINVAL;
        for (uint64_t c = first; c <= last; c++)
            m |= BIT(c);
        if (j < len && ++j == len)
            return -EINVAL; /* a trailing comma */
        i = j;
    }
    *mask = m;
    return 0;
}

void sched_format_cpulist(uint64_t mask, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = 0;
    if (!mask) {
        strlcpy(buf, "none", size);
        return;
    }
    for (unsigned c = 0; c < MAX_CPUS && n < size; c++) {
        if (!(mask & BIT(c)) || (c && (mask & BIT(c - 1))))
            continue;
        unsigned last = c;
        while (last + 1 < MAX_CPUS && (mask & BIT(last + 1)))
            last++;
        const char *sep = n ? "," : "";
        int w = last == c ? snprintf(buf + n, size - n, "%s%u", sep, c)
                          : snprintf(buf + n, size - n, "%s%u-%u", sep, c, last);
        n += (size_t)w;
    }
}

/* --- the pool table --- */

struct sched_pool *sched_pool_at(unsigned idx)
{
    for (unsigned i = 0; i < MAX_POOLS; i++)
        if (pools[i].used && !idx--)
            return &pools[i];
    return NULL;
}

struct sched_pool *sched_pool_by_id(uint32_t id, bool exact)
{
    struct sched_pool *best = NULL;
    for (unsigned i = 0; i < MAX_POOLS; i++) {
        struct sched_pool *p = &pools[i];
        if (p->used && p->id >= id && (!best || p->id < best->id))
            best = p;
    }
    return best && (!exact || best->id == id) ? best : NULL;
}

struct sched_pool *sched_pool_of_cpu(unsigned cpu)
{
    return cpu < MAX_CPUS ? __atomic_load_n(&cpu_pool[cpu], __ATOMIC_ACQUIRE) : NULL;
}

void sched_pool_set_cpu(unsigned cpu, struct sched_pool *p)
{
    __atomic_store_n(&cpu_pool[cpu], p, __ATOMIC_RELEASE);
}

unsigned long sched_pools_lock(void)
{
    return spin_lock_irqsave(&pools_lock);
}

void sched_pools_unlock(unsigned long flags)
{
    spin_unlock_irqrestore(&pools_lock, flags);
}

uint64_t sched_pool_free_cpus(void)
{
    return __atomic_load_n(&free_cpus, __ATOMIC_ACQUIRE);
}

void sched_pool_cpu_freed(unsigned cpu)
{
    __atomic_fetch_or(&free_cpus, BIT(cpu), __ATOMIC_RELEASE);
}

void sched_pool_cpu_claim(unsigned cpu)
{
    __atomic_fetch_and(&free_cpus, ~BIT(cpu), __ATOMIC_RELAXED);
}

/* A slot set up as an empty pool; NULL without memory for the policy. */
static struct sched_pool *slot_init(struct sched_pool *p, unsigned id,
                                    const struct sched_choice *choice, const char *name)
{
    const struct sched_policy *policy = choice->policy;
    void *priv = policy->pool_size ? heap_zalloc(policy->pool_size) : NULL;
    if (policy->pool_size && !priv)
        return NULL;
    p->id = id;
    p->policy = policy;
    p->kind = choice->kind;
    p->cpus = 0;
    p->timer_cpu = 0;
    p->timer_deadline = 0;
    p->priv = priv;
    strlcpy(p->name, name, sizeof(p->name));
    slist_init(&p->doms);
    timer_init(&p->timer, sched_pool_timer_fired, p);
    if (policy->pool_init && policy->pool_init(p)) {
        heap_free(priv);
        return NULL;
    }
    p->used = true;
    return p;
}

struct sched_pool *sched_pool_new(uint32_t id, const struct sched_choice *choice)
{
    for (unsigned i = 0; i < MAX_POOLS; i++) {
        if (pools[i].used)
            continue;
        char name[SCHED_POOL_NAME_LEN];
        snprintf(name, sizeof(name), "Pool-%u", id);
        return slot_init(&pools[i], id, choice, name);
    }
    return NULL;
}

void sched_pool_release(struct sched_pool *p)
{
    BUG_ON(p->cpus || !slist_empty(&p->doms) || p == default_pool);
    timer_kill(&p->timer);
    p->used = false;
    heap_free(p->priv);
    p->priv = NULL;
}

struct sched_pool *sched_pool_find(const char *name)
{
    if (!name[0])
        return default_pool;
    for (unsigned i = 0; i < MAX_POOLS; i++)
        if (pools[i].used && !strcmp(pools[i].name, name))
            return &pools[i];
    /* Xen's rule: with no CPU left over, the pool holding the boot CPU is Pool-0. */
    if (!strcmp(name, POOL0_NAME))
        return default_pool;
    return NULL;
}

bool sched_pool_exists(const char *name)
{
    return sched_pool_find(name) != NULL;
}

/* A pool as the configuration describes it, before it is created. */
struct pool_spec {
    char name[SCHED_POOL_NAME_LEN];
    const struct sched_choice *policy; /* NULL: the default */
    uint64_t cpus;
};

static struct pool_spec specs[MAX_POOLS];
static unsigned nr_specs;
static uint64_t cpus_claimed;

/* Record a pool; drops CPUs an earlier pool has and says why anything is refused. */
static void spec_add(const char *name, size_t len, const struct sched_choice *policy, uint64_t cpus,
                     const char *from)
{
    if (!len || len >= SCHED_POOL_NAME_LEN) {
        pr_err("cpupool (%s): a name of 1..%d characters is needed; pool ignored\n", from,
               SCHED_POOL_NAME_LEN - 1);
        return;
    }
    char n[SCHED_POOL_NAME_LEN];
    memcpy(n, name, len);
    n[len] = 0;
    bool taken = !strcmp(n, POOL0_NAME);
    for (unsigned i = 0; i < nr_specs; i++)
        taken |= !strcmp(specs[i].name, n);
    if (taken) {
        pr_err("cpupool %s (%s): the name is taken; pool ignored\n", n, from);
        return;
    }
    if (nr_specs == MAX_POOLS - 1) { /* one slot stays for Pool-0 */
        pr_err("cpupool %s (%s): more than %d pools; pool ignored\n", n, from, MAX_POOLS - 1);
        return;
    }
    uint64_t all = nr_cpus >= 64 ? ~0UL : BIT(nr_cpus) - 1;
    if (cpus & ~all)
        pr_warn("cpupool %s (%s): the machine has no pCPU beyond %u; those are left out\n", n, from,
                nr_cpus - 1);
    if (cpus & all & cpus_claimed)
        pr_warn("cpupool %s (%s): a pCPU can be in one pool only; earlier pools keep theirs\n", n,
                from);
    cpus &= all & ~cpus_claimed;
    if (!cpus) {
        pr_err("cpupool %s (%s): no pCPU left for it; pool ignored\n", n, from);
        return;
    }
    struct pool_spec *s = &specs[nr_specs];
    strlcpy(s->name, n, sizeof(s->name));
    s->policy = policy;
    s->cpus = cpus;
    cpus_claimed |= cpus;
    nr_specs++;
}

/* Logical id of the pCPU a /cpus node describes, or -1. */
static int cpu_of_node(const struct fdt *f, int node)
{
    uint64_t hwid;
    if (node < 0 || fdt_reg(f, node, 0, &hwid, NULL))
        return -1;
    for (unsigned i = 0; i < bootinfo.nr_cpus; i++)
        if (bootinfo.cpu_hwid[i] == hwid)
            return (int)i;
    return -1;
}

static void spec_from_node(const struct fdt *f, int node)
{
    const char *name = fdt_name(f, node);
    uint32_t len;
    const uint8_t *cells = fdt_prop(f, node, "cpupool-cpus", &len);
    if (!cells || !len || len % 4) {
        pr_err("cpupool %s: \"cpupool-cpus\" is missing or empty; pool ignored\n", name);
        return;
    }
    uint64_t cpus = 0;
    for (uint32_t i = 0; i < len / 4; i++) {
        uint32_t ph = fdt32(cells + 4 * i);
        int cpu = cpu_of_node(f, fdt_find_phandle(f, ph));
        if (cpu < 0) {
            pr_err("cpupool %s: \"cpupool-cpus\" entry %u (phandle %#x) is not a known CPU; "
                   "pool ignored\n",
                   name, i, ph);
            return;
        }
        cpus |= BIT(cpu);
    }
    const struct sched_choice *policy = NULL;
    const char *sched = fdt_prop(f, node, "cpupool-sched", &len);
    if (sched) {
        size_t n = strnlen(sched, len);
        policy = n < len ? sched_policy_by_name(sched, n) : NULL;
        if (!policy) {
            pr_err("cpupool %s: unknown \"cpupool-sched\" (credit, credit2, rtds or null); "
                   "pool ignored\n",
                   name);
            return;
        }
    }
    spec_add(name, strlen(name), policy, cpus, "device tree");
}

static void specs_from_dt(void)
{
    const struct fdt *f = &bootinfo.fdt;
    if (!f->blob)
        return;
    int chosen = fdt_path(f, "/chosen");
    for (int n = fdt_first_child(f, chosen); chosen >= 0 && n >= 0; n = fdt_next_sibling(f, n))
        if (fdt_compatible(f, n, "xen,cpupool"))
            spec_from_node(f, n);
}

/* One cpupool=NAME:POLICY:CPULIST word (POLICY may be empty: the default). */
static void spec_from_word(const char *w, size_t len)
{
    size_t c1 = span(w, 0, len, ":");
    size_t c2 = c1 < len ? span(w, c1 + 1, len, ":") : len;
    uint64_t cpus;
    if (c2 >= len || sched_parse_cpulist(w + c2 + 1, len - c2 - 1, &cpus)) {
        pr_err("cpupool=%.*s: expected NAME:POLICY:CPULIST such as rt:rtds:1-2; ignored\n",
               (int)len, w);
        return;
    }
    const struct sched_choice *policy = NULL;
    if (c2 > c1 + 1) {
        policy = sched_policy_by_name(w + c1 + 1, c2 - c1 - 1);
        if (!policy) {
            pr_err("cpupool=%.*s: unknown policy (credit, credit2, rtds or null); ignored\n",
                   (int)len, w);
            return;
        }
    }
    spec_add(w, c1, policy, cpus, "command line");
}

static void specs_from_cmdline(void)
{
    const char *pos = NULL, *v;
    size_t len;
    while (cmdline_next(bootinfo.cmdline, "cpupool", &pos, &v, &len))
        spec_from_word(v, len);
}

static const struct sched_choice *default_policy(void)
{
    const char *v;
    size_t len;
    if (!cmdline_get(bootinfo.cmdline, "sched", &v, &len))
        return &choices[0];
    const struct sched_choice *p = sched_policy_by_name(v, len);
    if (!p)
        pr_warn("sched: unknown policy \"%.*s\", using credit\n", (int)len, v);
    return p ? p : &choices[0];
}

uint64_t sched_credit_slice_ns(void)
{
    return READ_ONCE(sched_slice_ns);
}

uint64_t sched_credit_ratelimit_ns(void)
{
    return READ_ONCE(sched_ratelimit_ns);
}

int sched_credit_set(uint64_t slice_ns, uint64_t ratelimit_ns)
{
    if (slice_ns < SLICE_MIN_US * NS_PER_US || slice_ns > SLICE_MAX_US * NS_PER_US ||
        ratelimit_ns > slice_ns)
        return -EINVAL;
    WRITE_ONCE(sched_slice_ns, slice_ns);
    WRITE_ONCE(sched_ratelimit_ns, ratelimit_ns);
    return 0;
}

static void read_slice(void)
{
    uint64_t us = cmdline_u64(bootinfo.cmdline, "sched_slice_us", 10000);
    if (us < SLICE_MIN_US || us > SLICE_MAX_US) {
        pr_warn("sched: sched_slice_us=%lu is outside %lu..%lu, using 10000\n", us, SLICE_MIN_US,
                SLICE_MAX_US);
        us = 10000;
    }
    sched_slice_ns = us * NS_PER_US;
    /* Xen's range: none (0), or 100 us..500 ms and not above the slice. */
    us = cmdline_u64(bootinfo.cmdline, "sched_ratelimit_us", RATELIMIT_DEFAULT_US);
    if (us && (us < RATELIMIT_MIN_US || us > RATELIMIT_MAX_US)) {
        pr_warn("sched: sched_ratelimit_us=%lu is outside %lu..%lu, using %lu\n", us,
                RATELIMIT_MIN_US, RATELIMIT_MAX_US, RATELIMIT_DEFAULT_US);
        us = RATELIMIT_DEFAULT_US;
    }
    sched_ratelimit_ns = MIN(us * NS_PER_US, sched_slice_ns);
}

static void pool_create(const char *name, const struct sched_choice *choice, uint64_t cpus)
{
    const struct sched_policy *policy = choice->policy;
    struct sched_pool *p = slot_init(&pools[nr_pools], nr_pools, choice, name);
    if (!p)
        panic("sched: no memory for pool %s", name);
    p->cpus = cpus;
    uint64_t online = sched_online_mask(cpus);
    p->timer_cpu = online ? (unsigned)__builtin_ctzll(online) : 0;
    for (unsigned c = 0; c < MAX_CPUS; c++)
        if (cpus & BIT(c))
            cpu_pool[c] = p;
    nr_pools++;
    char list[64];
    sched_format_cpulist(cpus, list, sizeof(list));
    pr_info("sched: pool %s: policy %s, pCPUs %s\n", name, policy->name, list);
    if (online != cpus) {
        sched_format_cpulist(cpus & ~online, list, sizeof(list));
        pr_warn("sched: pool %s: pCPUs %s are not online and run nothing\n", name, list);
    }
}

void sched_pools_init(void)
{
    /* Start over (host tests build pools many times; at EL2 this runs once). */
    for (unsigned i = 0; i < MAX_POOLS; i++) {
        heap_free(pools[i].priv);
        pools[i] = (struct sched_pool){ .lock = SPINLOCK_INIT };
    }
    free_cpus = 0;
    nr_pools = nr_specs = 0;
    cpus_claimed = 0;
    default_pool = NULL;
    memset(cpu_pool, 0, sizeof(cpu_pool));

    const struct sched_choice *def = default_policy();
    read_slice();
    specs_from_dt();
    specs_from_cmdline();
    uint64_t all = nr_cpus >= 64 ? ~0UL : BIT(nr_cpus) - 1;
    if (all & ~cpus_claimed)
        pool_create(POOL0_NAME, def, all & ~cpus_claimed);
    for (unsigned i = 0; i < nr_specs; i++)
        pool_create(specs[i].name, specs[i].policy ? specs[i].policy : def, specs[i].cpus);
    /* Domains that name no pool go to Pool-0; with no pCPU left for it, Xen's rule: the pool
     * holding the boot CPU stands in. */
    default_pool = nr_pools && !strcmp(pools[0].name, POOL0_NAME) ? &pools[0] : cpu_pool[0];
    if (default_pool && strcmp(default_pool->name, POOL0_NAME))
        pr_info("sched: every pCPU is in a named pool; %s (it has the boot CPU) is Pool-0\n",
                default_pool->name);
}

enum sched_kind sched_default_kind(void)
{
    return default_pool ? default_pool->kind : SCHED_KIND_CREDIT;
}
