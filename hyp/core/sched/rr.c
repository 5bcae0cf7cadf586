/*
 * Round-robin policy: each vCPU has a home pCPU (spread at creation), each pCPU a FIFO of its
 * runnable vCPUs and a 10 ms time slice when more than one is waiting.  Called with sched_lock
 * held.  Interim policy: the credit and RTDS policies replace it as the default.
 */
#include <hyp/config.h>
#include <hyp/errno.h>
#include <hyp/heap.h>
#include <hyp/sched.h>
#include <hyp/smp.h>

#define RR_SLICE_NS 10000000UL

struct rr_vcpu {
    struct vcpu *v;
    struct rr_vcpu *next;
    bool queued;
};

struct rr_queue {
    struct rr_vcpu *head, *tail;
};

static struct rr_queue queues[MAX_CPUS];
static unsigned next_home;

static int rr_vcpu_init(struct vcpu *v)
{
    struct rr_vcpu *r = heap_zalloc(sizeof(*r));
    if (!r)
        return -ENOMEM;
    r->v = v;
    v->sched_priv = r;
    unsigned n = cpus_online();
    unsigned cpu = next_home++ % (n ? n : 1);
    v->cpu = cpu;
    return 0;
}

static void rr_vcpu_destroy(struct vcpu *v)
{
    heap_free(v->sched_priv);
    v->sched_priv = NULL;
}

static void rr_wake(struct vcpu *v)
{
    struct rr_vcpu *r = v->sched_priv;
    if (r->queued)
        return;
    struct rr_queue *q = &queues[v->cpu];
    r->next = NULL;
    if (q->tail)
        q->tail->next = r;
    else
        q->head = r;
    q->tail = r;
    r->queued = true;
    sched_kick_cpu(v->cpu);
}

static void rr_sleep(struct vcpu *v)
{
    struct rr_vcpu *r = v->sched_priv;
    if (!r->queued)
        return;
    struct rr_queue *q = &queues[v->cpu];
    struct rr_vcpu **pp = &q->head, *prev = NULL;
    while (*pp && *pp != r) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (*pp) {
        *pp = r->next;
        if (q->tail == r)
            q->tail = prev;
    }
    r->queued = false;
}

static struct vcpu *rr_pick(unsigned cpu, uint64_t now, uint64_t *slice_ns)
{
    struct rr_queue *q = &queues[cpu];
    struct rr_vcpu *r = q->head;
    if (!r)
        return NULL;
    q->head = r->next;
    if (!q->head)
        q->tail = NULL;
    r->queued = false;
    *slice_ns = q->head ? RR_SLICE_NS : 0;
    return r->v;
}

const struct sched_policy sched_rr_policy = {
    .name = "rr",
    .vcpu_init = rr_vcpu_init,
    .vcpu_destroy = rr_vcpu_destroy,
    .wake = rr_wake,
    .sleep = rr_sleep,
    .pick = rr_pick,
};
