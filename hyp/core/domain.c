/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Domain lifecycle, references and guest memory.  domain_list_lock guards the domain table
 * and the taking of references through it; d->refs counts them (the table holds one while d is
 * listed).  A domain dies in two steps: domain_kill (off the table, every timer and vCPU
 * stopped, guest memory returned) and, on the last domain_put, the free of what is left, which
 * runs later from the reclaim timer so that a put is safe under any lock.  Guest memory is the
 * domain's memory map (core/mm/physmap.c).  Loading kernels and building the domain from the device tree is in domain_build.c;
 * shutdown actions in domain_shutdown.c.
 */
#include <hyp/arch/boot.h>
#include <hyp/arch/domain.h>
#include <hyp/arch/mm.h>
#include <hyp/console.h>
#include <hyp/console_switch.h>
#include <hyp/domain.h>
#include <hyp/errno.h>
#include <hyp/evtchn.h>
#include <hyp/gnttab.h>
#include <hyp/heap.h>
#include <hyp/hvm_param.h>
#include <hyp/page_alloc.h>
#include <hyp/percpu.h>
#include <hyp/physmap.h>
#include <hyp/rng.h>
#include <hyp/sched.h>
#include <hyp/shared_info.h>
#include <hyp/string.h>
#include <hyp/vpl011.h>
#include <hyp/watchdog.h>

static struct domain *domains[MAX_DOMAINS];
static struct spinlock domain_list_lock = SPINLOCK_INIT;

/* The toolstack's last id given out (Xen's rover): the next search starts after it, so a
 * destroyed domain's id is not reused at once. */
static unsigned rover;

/* domain_list_lock held: the toolstack's id for d, as Xen's createdomain picks it. */
static int alloc_toolstack_id(struct domain *d)
{
    unsigned id = d->cfg.domid;
    if (id) {
        /* A valid Xen id beyond Keel's table: taken, as far as the caller can tell (libxl's
         * random domid policy tries another on -EEXIST, and fails on anything else). */
        if (id >= MAX_DOMAINS)
            return -EEXIST;
        if (domains[id])
            return -EEXIST;
    } else {
        id = rover;
        unsigned n = 0;
        do /* 1 .. MAX_DOMAINS - 1, from the one after rover */
            id = id % (MAX_DOMAINS - 1) + 1;
        while (domains[id] && ++n < MAX_DOMAINS - 1);
        if (domains[id])
            return -ENOSPC;
        rover = id;
    }
    domains[id] = d;
    d->id = id;
    return 0;
}

static int alloc_domain_id(struct domain *d)
{
    unsigned long flags = spin_lock_irqsave(&domain_list_lock);
    if (d->cfg.toolstack) {
        int rc = alloc_toolstack_id(d);
        spin_unlock_irqrestore(&domain_list_lock, flags);
        if (!rc)
            snprintf(d->name, sizeof(d->name), "d%u", d->id);
        return rc;
    }
    /* Domain 0 is dom0's, the hardware domain's (direct-mapped); dom0less domains start at 1
     * as in Xen. */
    for (unsigned id = d->cfg.direct_map ? 0 : 1; id < MAX_DOMAINS; id++) {
        if (!domains[id]) {
            domains[id] = d;
            d->id = id;
            spin_unlock_irqrestore(&domain_list_lock, flags);
            return 0;
        }
    }
    spin_unlock_irqrestore(&domain_list_lock, flags);
    return -ENOSPC;
}

/* domain_list_lock held: take a reference on a listed domain; unless building is true, only
 * on one that is built.  A domain is listed from the start of domain_create, so that its id is
 * taken, but until domain_start or createdomain publishes it (state, release; acquire here)
 * its parts may be missing or half made: no hypercall may reach it (event channels, grant
 * tables, shutdown), only its builder, which holds it already. */
static struct domain *get_locked(unsigned id, bool building)
{
    struct domain *d = domains[id];
    if (d && !building && __atomic_load_n(&d->state, __ATOMIC_ACQUIRE) == DOM_BUILDING)
        d = NULL;
    if (d)
        __atomic_fetch_add(&d->refs, 1, __ATOMIC_RELAXED);
    return d;
}

struct domain *domain_get(unsigned id)
{
    if (id >= MAX_DOMAINS)
        return NULL;
    unsigned long flags = spin_lock_irqsave(&domain_list_lock);
    struct domain *d = get_locked(id, false);
    spin_unlock_irqrestore(&domain_list_lock, flags);
    return d;
}

struct domain *domain_get_any(struct domain *self, unsigned id)
{
    if (id == DOMID_SELF) {
        domain_ref(self);
        return self;
    }
    return id < DOMID_FIRST_RESERVED ? domain_get(id) : NULL;
}

static struct domain *get_next(int after, bool building)
{
    struct domain *d = NULL;
    unsigned long flags = spin_lock_irqsave(&domain_list_lock);
    for (int id = MAX(after + 1, 0); !d && id < MAX_DOMAINS; id++)
        d = get_locked((unsigned)id, building);
    spin_unlock_irqrestore(&domain_list_lock, flags);
    return d;
}

struct domain *domain_get_next(int after)
{
    return get_next(after, false);
}

struct domain *domain_get_next_listed(int after)
{
    return get_next(after, true);
}

unsigned long domain_lock_pair(struct domain *a, struct domain *b)
{
    struct domain *first = a->id <= b->id ? a : b, *second = first == a ? b : a;
    unsigned long flags = spin_lock_irqsave(&first->lock);
    if (second != first)
        spin_lock(&second->lock);
    return flags;
}

void domain_unlock_pair(struct domain *a, struct domain *b, unsigned long flags)
{
    if (a != b)
        spin_unlock(&b->lock);
    spin_unlock_irqrestore(&a->lock, flags);
}

/* --- the last reference: freeing what domain_kill left --- */

static struct spinlock reclaim_lock = SPINLOCK_INIT;
static struct domain *reclaim_list; /* linked through reclaim_next */
static struct timer reclaim_timer;
static unsigned unfreed; /* domains allocated and not yet freed */
static bool end_waiting; /* domain_end_if_none_left waits for the last of them */

static void domain_free(struct domain *d)
{
    /* The UART first: its flush timer (on another pCPU) looks at the vCPU that wrote last,
     * until the device is off its list. */
    if (d->vuart)
        vpl011_destroy(d);
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        struct vcpu *v = d->vcpus[i];
        if (!v)
            continue;
        sched_vcpu_destroy(v);
        arch_vcpu_destroy(v);
        heap_free(v);
        d->vcpus[i] = NULL;
    }
    sched_domain_destroy(d);
    evtchn_domain_free(d);
    shared_info_domain_free(d);
    gnttab_domain_free(d);
    arch_domain_destroy(d);
    heap_free(d->loader); /* ended while it was being loaded */
    heap_free(d);
    __atomic_fetch_sub(&unfreed, 1, __ATOMIC_SEQ_CST);
}

static void reclaim(struct timer *t, void *ctx)
{
    unsigned long flags = spin_lock_irqsave(&reclaim_lock);
    struct domain *list = reclaim_list;
    reclaim_list = NULL;
    spin_unlock_irqrestore(&reclaim_lock, flags);
    bool freed = list;
    while (list) {
        struct domain *d = list;
        list = d->reclaim_next;
        domain_free(d);
    }
    /* The end of the system waited for this one (domain_all_freed): ordered after the count. */
    if (freed && __atomic_load_n(&end_waiting, __ATOMIC_SEQ_CST) &&
        !__atomic_load_n(&unfreed, __ATOMIC_SEQ_CST))
        domain_end_if_none_left();
}

bool domain_all_freed(void)
{
    __atomic_store_n(&end_waiting, true, __ATOMIC_SEQ_CST);
    return !__atomic_load_n(&unfreed, __ATOMIC_SEQ_CST);
}

void domain_reclaim_now(void)
{
    reclaim(&reclaim_timer, NULL);
}

void domain_ref(struct domain *d)
{
    __atomic_fetch_add(&d->refs, 1, __ATOMIC_RELAXED);
}

void domain_put(struct domain *d)
{
    if (__atomic_sub_fetch(&d->refs, 1, __ATOMIC_ACQ_REL))
        return;
    /* Whoever drops the last reference may hold any lock (the console's, a vGIC's): the free
     * runs from a timer on this pCPU, with none held. */
    unsigned long flags = spin_lock_irqsave(&reclaim_lock);
    d->reclaim_next = reclaim_list;
    reclaim_list = d;
    if (!reclaim_timer.fn)
        timer_init(&reclaim_timer, reclaim, NULL);
    timer_set(&reclaim_timer, 0, cpu_id());
    spin_unlock_irqrestore(&reclaim_lock, flags);
}

unsigned domain_count(void)
{
    unsigned n = 0;
    for (unsigned id = 0; id < MAX_DOMAINS; id++)
        n += READ_ONCE(domains[id]) != NULL;
    return n;
}

static int create_vcpus(struct domain *d)
{
    for (unsigned i = 0; i < d->cfg.nr_vcpus; i++) {
        struct vcpu *v = heap_zalloc(sizeof(*v));
        if (!v)
            return -ENOMEM;
        v->id = i;
        v->dom = d;
        v->state = VCPU_OFFLINE;
        d->vcpus[i] = v;
        d->nr_vcpus = i + 1;
        int rc = arch_vcpu_init(v);
        if (!rc)
            rc = sched_vcpu_init(v);
        if (rc)
            return rc;
    }
    return 0;
}

static int check_config(const struct domain_config *cfg)
{
    if (cfg->toolstack ? cfg->direct_map || cfg->domid >= DOMID_FIRST_RESERVED
                       : !cfg->name[0] || !cfg->mem_bytes)
        return -EINVAL;
    if (!IS_ALIGNED(cfg->mem_bytes, MiB(2)))
        return -EINVAL;
    if (!cfg->nr_vcpus || cfg->nr_vcpus > MAX_VCPUS_PER_DOMAIN)
        return -EINVAL;
    struct guest_layout l;
    arch_guest_layout(&l);
    if (cfg->mem_bytes > l.ram_size[0] + l.ram_size[1])
        return -EINVAL;
    return 0;
}

struct domain *domain_create(const struct domain_config *cfg, int *err)
{
    int rc = check_config(cfg);
    if (rc) {
        *err = rc;
        return NULL;
    }
    struct domain *d = heap_zalloc(sizeof(*d));
    if (!d) {
        *err = -ENOMEM;
        return NULL;
    }
    __atomic_fetch_add(&unfreed, 1, __ATOMIC_SEQ_CST);
    d->cfg = *cfg;
    d->is_control = cfg->is_control;
    strlcpy(d->name, cfg->name, sizeof(d->name));
    d->lock = SPINLOCK_INIT;
    d->state = DOM_BUILDING;
    d->refs = 1; /* the domain table's */
    d->p2m_lock = SPINLOCK_INIT;
    d->max_pages = cfg->mem_bytes >> PAGE_SHIFT;
    d->paging_mempool_pages = 16; /* what Xen 4.17 gives an Arm domain at creation */
    /* A random (version 4) UUID until a toolstack names the domain. */
    rng_bytes(d->handle, sizeof(d->handle));
    d->handle[6] = (uint8_t)((d->handle[6] & 0x0f) | 0x40);
    d->handle[8] = (uint8_t)((d->handle[8] & 0x3f) | 0x80);
    watchdog_domain_init(d);
    hvm_param_domain_init(d);
    rc = alloc_domain_id(d);
    if (rc)
        goto fail;
    rc = arch_domain_init(d);
    if (rc)
        goto fail;
    if (cfg->vpl011) {
        struct guest_layout l;
        arch_guest_layout(&l);
        rc = vpl011_init(d, l.uart_base, l.uart_irq);
        if (rc)
            goto fail;
    }
    rc = sched_domain_init(d);
    if (rc)
        goto fail;
    rc = shared_info_domain_init(d);
    if (rc)
        goto fail;
    rc = gnttab_domain_init(d);
    if (rc)
        goto fail;
    rc = create_vcpus(d);
    if (rc)
        goto fail;
    rc = evtchn_domain_init(d);
    if (rc)
        goto fail;
    return d;
fail:
    if (d->id)
        domain_kill(d);
    else
        domain_free(d); /* never listed: no one else can hold a reference */
    *err = rc;
    return NULL;
}

bool domain_kill_start(struct domain *d)
{
    unsigned long flags = spin_lock_irqsave(&d->lock);
    bool dead = d->state == DOM_DYING;
    d->state = DOM_DYING;
    spin_unlock_irqrestore(&d->lock, flags);
    if (dead)
        return false;
    flags = spin_lock_irqsave(&domain_list_lock);
    if (d->id && domains[d->id] == d)
        domains[d->id] = NULL;
    spin_unlock_irqrestore(&domain_list_lock, flags);
    console_switch_domain_gone(d);
    /* No event reaches d from now on: its channels close first (their peers' ends wait for it
     * again), before its vCPUs and vcpu_info areas go. */
    evtchn_domain_kill(d);
    /* Nothing may fire into d from now on.  A handler still running elsewhere may reach a
     * vCPU (vgic_set_level, vcpu_kick): vCPUs stay allocated, stopped, until the free. */
    watchdog_domain_kill(d);
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        if (!d->vcpus[i])
            continue;
        arch_vcpu_kill(d->vcpus[i]);
        if (d->vcpus[i]->sched_priv)
            sched_vcpu_set_state(d->vcpus[i], VCPU_OFFLINE);
    }
    /* Others' pages d maps through grants are unpinned (their granters may take them back);
     * the mappings go with the rest of the map below. */
    gnttab_domain_kill(d);
    shared_info_domain_kill(d);
    return true;
}

int domain_kill_release(struct domain *d)
{
    /* Every frame the map held goes back (or waits for its last other holder). */
    return physmap_release(d);
}

void domain_kill_end(struct domain *d)
{
    /* The address space itself, its tables emptied. */
    arch_domain_relinquish(d);
    /* Whoever watches domains (xenstored) looks again. */
    evtchn_send_global_virq(VIRQ_DOM_EXC);
    domain_put(d); /* the table's reference */
}

void domain_kill(struct domain *d)
{
    if (!domain_kill_start(d))
        return;
    while (domain_kill_release(d) == -ERESTART)
        ;
    domain_kill_end(d);
}

void domain_mark_built(struct domain *d)
{
    /* Release: whoever reads a listed domain's state without its lock (the toolstack's
     * calls) and sees it built also sees everything that was set up. */
    __atomic_store_n(&d->state, DOM_RUNNING, __ATOMIC_RELEASE);
}

void domain_start(struct domain *d)
{
    domain_mark_built(d);
    sched_vcpu_set_state(d->vcpus[0], VCPU_RUNNABLE);
}
