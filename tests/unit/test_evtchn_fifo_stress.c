/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the FIFO event ABI (core/event/evtchn_fifo.c) under stress: a guest that
 * writes nonsense into its words and control blocks, alone and from threads, and threads
 * standing in for pCPUs that send while the guest's vCPUs (threads too, fifo_guest.c's
 * simulated guest) handle, mask and unmask, move ports between queues, or switch from
 * 2-level to FIFO.  Whatever the guest does Keel must finish every call, touch nothing beyond
 * the pages it was given (each has a poisoned page on either side) and lose no event.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <hyp/errno.h>
#include <hyp/evtchn.h>
#include <hyp/shared_info.h>

#include "fifo_guest.h"

/* --- a hostile guest --- */

/* Whatever the guest writes into its words and control blocks, Keel only ever writes the
 * tail's LINK, a word's own flags, HEAD and READY, all inside the pages it was given (whose
 * neighbours are poisoned), and never follows a LINK or reads a HEAD. */
static void hostile_words(void **state)
{
    struct domain *a = D(1), *b = D(2);
    struct fguest g = { .d = b };
    evtchn_port_t pa[3], pb[3];
    /* The control block in the last 72 bytes of its page: HEAD[15] is the page's last word. */
    guest_add_vcpu_at(&g, 0, PAGE_SIZE - 72);
    guest_add_page(&g);
    channels(&g, a, pa, pb, 3);
    assert_int_equal(evtchn_set_priority(b, pb[2], EVTCHN_FIFO_PRIORITY_MIN), 0);
    assert_int_equal(evtchn_send(a, pa[2]), 0);
    assert_int_equal(g.cb[0]->head[EVTCHN_FIFO_PRIORITY_MIN], pb[2]);
    EXPECT(&g, 0, pb[2]);
    /* The tail's word with every LINK bit and BUSY set by the guest, garbage in the block: the
     * next event is linked behind it all the same, and BUSY is Keel's to clear. */
    assert_int_equal(evtchn_send(a, pa[0]), 0);
    __atomic_fetch_or(fword(&g, pb[0]), W_BUSY | W_LINK, __ATOMIC_SEQ_CST);
    for (unsigned q = 0; q < EVTCHN_FIFO_MAX_QUEUES; q++)
        g.cb[0]->head[q] = 0xffffffff;
    g.cb[0]->ready = 0xffff0000;
    assert_int_equal(evtchn_send(a, pa[1]), 0);
    assert_int_equal(word(&g, pb[0]), W_PENDING | W_LINKED | pb[1]);
    /* LINKED set by the guest on a word Keel did not link: the port is taken as queued. */
    __atomic_store_n(fword(&g, pb[2]), W_LINKED | W_LINK, __ATOMIC_SEQ_CST);
    assert_int_equal(evtchn_send(a, pa[2]), 0);
    assert_int_equal(word(&g, pb[2]), W_PENDING | W_LINKED | W_LINK);
    assert_int_equal(word(&g, pb[1]), W_PENDING | W_LINKED);

    /* Every word and the block all ones, then links to themselves, to ports beyond the
     * array and to port 0; every operation on every kind of port still returns. */
    uint32_t x = 12345;
    for (unsigned round = 0; round < 4; round++) {
        for (unsigned j = 0; j < WPP; j++) {
            const uint32_t v[4] = { 0xffffffff, W_LINKED | j, W_LINKED | W_LINK, rnd(&x) };
            g.array[0][j] = v[round];
        }
        memset(g.cb[0], round == 3 ? 0 : 0xff, sizeof(*g.cb[0]));
        for (unsigned i = 0; i < 3; i++) {
            assert_int_equal(evtchn_send(a, pa[i]), 0);
            assert_int_equal(evtchn_unmask(b, pb[i]), 0);
            assert_int_equal(evtchn_set_priority(b, pb[i], rnd(&x) % 16), 0);
            assert_int_equal(evtchn_send(a, pa[i]), 0);
            assert_true(evtchn_poll_pending(b, pb[i]) >= 0);
        }
        for (evtchn_port_t port = 0; port < 1100; port += 7) { /* -EINVAL: no bucket yet */
            long rc = evtchn_unmask(b, port);
            assert_true(rc == 0 || (rc == -EINVAL && port >= 64));
        }
    }
    /* A port closed and bound again amid that. */
    assert_int_equal(evtchn_close(b, pb[1]), 0);
    evtchn_port_t again;
    assert_int_equal(bind(b, 1, pa[1], &again), 0);
    assert_int_equal(evtchn_send(a, pa[1]), 0);
    /* The guest starts over (EVTCHNOP_reset) and FIFO works again. */
    assert_int_equal(evtchn_reset(b, DOMID_SELF), 0);
    fifo_free(&g);
    fifo_on(&g, b, 1, 1);
    channels(&g, a, pa, pb, 2);
    assert_int_equal(evtchn_send(a, pa[1]), 0);
    assert_int_equal(evtchn_send(a, pa[0]), 0);
    EXPECT(&g, 0, pb[1], pb[0]);
    killdom(b);
    fifo_free(&g);
}

/* The same with the guest's vCPUs as threads: one scribbles over the words (most often those
 * of the ports in use) and the control block, one makes every FIFO call with nonsense, while
 * two pCPUs send.  Keel must finish every call, hold on to the pages it took until the guest
 * lets them go, and serve the guest as ever once it starts over. */
#define HOSTILE_ROUNDS 20000

struct hostile {
    struct fguest g;
    struct domain *a;
    evtchn_port_t pa[3], pb[3];
    uint32_t *spare[PAGES];
    bool stop;
};

static void *hostile_sender(void *arg)
{
    struct hostile *h = arg;
    for (unsigned i = 0; i < HOSTILE_ROUNDS; i++)
        CHECK_EQ(evtchn_send(h->a, h->pa[i % 3]), 0);
    return NULL;
}

static void *hostile_scribbler(void *arg)
{
    struct hostile *h = arg;
    uint32_t x = 777;
    while (!__atomic_load_n(&h->stop, __ATOMIC_ACQUIRE)) {
        uint32_t r = rnd(&x), v = rnd(&x);
        uint32_t *w;
        if (r % 10 < 5)
            w = fword(&h->g, h->pb[r % 3] + (r >> 8) % 3 - 1); /* a port in use or beside it */
        else if (r % 10 < 9)
            w = &h->g.array[0][(r >> 8) % WPP];
        else
            w = (uint32_t *)h->g.cb[0] + (r >> 8) % (sizeof(*h->g.cb[0]) / 4);
        switch (v % 4) {
        case 0:
            __atomic_store_n(w, rnd(&x), __ATOMIC_RELAXED);
            break;
        case 1:
            __atomic_fetch_xor(w, 1U << (rnd(&x) % 32), __ATOMIC_RELAXED);
            break;
        case 2:
            __atomic_fetch_or(w, W_BUSY | W_LINKED, __ATOMIC_RELAXED);
            break;
        default:
            __atomic_fetch_and(w, ~(W_LINKED | W_BUSY | W_MASKED), __ATOMIC_RELAXED);
            break;
        }
    }
    return NULL;
}

static void *hostile_caller(void *arg)
{
    struct hostile *h = arg;
    struct domain *b = h->g.d;
    uint32_t x = 4242;
    unsigned pages = 0;
    for (unsigned i = 0; i < HOSTILE_ROUNDS / 4; i++) {
        uint32_t r = rnd(&x);
        evtchn_port_t port = r % 8 ? h->pb[r % 3] : rnd(&x) % 5000;
        switch ((r >> 4) % 6) {
        case 0:
            evtchn_unmask(b, port);
            break;
        case 1:
            evtchn_set_priority(b, port, rnd(&x) % 20);
            break;
        case 2:
            evtchn_bind_vcpu(b, port, rnd(&x) % (NVCPU + 1));
            break;
        case 3:
            evtchn_poll_pending(b, port);
            break;
        case 4:
            if (pages < PAGES - 1 && evtchn_expand_array(b, gfn_of(h->spare[pages])) == 0)
                pages++;
            break;
        default:
            if (!h->g.cb[1] && i > HOSTILE_ROUNDS / 8)
                guest_add_vcpu(&h->g, 1); /* another vCPU's block, amid the mess */
            else
                CHECK_EQ(init_control(b, gfn_of(h->spare[0]), 0, 0), -EINVAL);
            break;
        }
    }
    return NULL;
}

static void hostile_threads(void **state)
{
    static struct hostile h;
    struct domain *b = D(2);
    long refs = frame_refs;
    h = (struct hostile){ .a = D(1), .g = { .d = b } };
    guest_add_vcpu_at(&h.g, 0, PAGE_SIZE - 72);
    guest_add_page(&h.g);
    channels(&h.g, h.a, h.pa, h.pb, 3);
    for (unsigned i = 0; i < PAGES - 1; i++)
        h.spare[i] = masked_page();
    pthread_t t[4];
    pthread_create(&t[0], NULL, hostile_scribbler, &h);
    pthread_create(&t[1], NULL, hostile_caller, &h);
    pthread_create(&t[2], NULL, hostile_sender, &h);
    pthread_create(&t[3], NULL, hostile_sender, &h);
    for (unsigned i = 1; i < 4; i++)
        pthread_join(t[i], NULL);
    __atomic_store_n(&h.stop, true, __ATOMIC_RELEASE);
    pthread_join(t[0], NULL);
    /* Every page Keel took is still held, and let go by the reset. */
    assert_true(frame_refs > refs);
    assert_int_equal(evtchn_reset(b, DOMID_SELF), 0);
    assert_int_equal(frame_refs, refs);
    fifo_free(&h.g);
    for (unsigned i = 0; i < PAGES - 1; i++)
        guest_page_free(h.spare[i]);
    /* A well-behaved guest afterwards is served as ever. */
    struct fguest g;
    evtchn_port_t pa[2], pb[2];
    fifo_on(&g, b, 1, 1);
    channels(&g, h.a, pa, pb, 2);
    assert_int_equal(evtchn_send(h.a, pa[0]), 0);
    assert_int_equal(evtchn_send(h.a, pa[1]), 0);
    EXPECT(&g, 0, pb[0], pb[1]);
    killdom(b);
    fifo_free(&g);
}

/* --- threads as pCPUs --- */

/* Senders on several channels into a FIFO domain whose vCPUs (threads) take their upcalls as
 * Linux does, masking and unmasking now and then.  Each sender counts a port's send before
 * making it; the guest, having cleared PENDING, reads the count.  An event is lost if its
 * port is never handled after it was sent: then the count the guest last read is short. */
#define SENDS 20000
#define NPORTS 5

struct load {
    struct fguest g;
    struct domain *from[NPORTS];
    evtchn_port_t src[NPORTS], dst[NPORTS];
    unsigned nports;            /* the last one is never sent to */
    unsigned long sent[NPORTS]; /* atomic */
    unsigned long seen[NPORTS]; /* atomic: sent[] as the guest read it when it last handled */
    unsigned long handled[NPORTS];
    bool stop;               /* the senders are done: the other threads stop */
    bool drain;              /* and so are they: the vCPUs end once their flag is down */
    bool two_level;          /* the guest starts on 2-level and switches under load */
    unsigned sends;          /* by each sender */
    unsigned long switch_at; /* events sent by all, when the guest switches */
};

struct sender {
    struct load *l;
    unsigned first, count; /* ports first .. first + count - 1, in turn */
};

static void *load_sender(void *arg)
{
    struct sender *s = arg;
    struct load *l = s->l;
    for (unsigned k = 0; k < l->sends; k++) {
        unsigned i = s->first + k % s->count;
        __atomic_fetch_add(&l->sent[i], 1, __ATOMIC_SEQ_CST);
        CHECK_EQ(evtchn_send(l->from[i], l->src[i]), 0);
        /* Let the guest's vCPUs in (the host may have fewer CPUs than threads), so that
         * sends meet the guest at every step of its handler, not only a coalesced few. */
        if (k % 4 == 3)
            sched_yield();
    }
    return NULL;
}

static void load_handle(struct fguest *g, unsigned v, evtchn_port_t port)
{
    struct load *l = g->ctx;
    unsigned i = 0;
    while (i < l->nports - 1 && l->dst[i] != port)
        i++;
    CHECK(i < l->nports - 1); /* one of the ports sent to */
    unsigned long n = __atomic_load_n(&l->sent[i], __ATOMIC_SEQ_CST);
    CHECK(n > 0);
    unsigned long was = __atomic_load_n(&l->seen[i], __ATOMIC_RELAXED);
    while (was < n && !__atomic_compare_exchange_n(&l->seen[i], &was, n, false, __ATOMIC_RELAXED,
                                                   __ATOMIC_RELAXED))
        ;
    if ((__atomic_add_fetch(&l->handled[i], 1, __ATOMIC_RELAXED) & 7) == 0 && g->npages) {
        guest_mask(g, port); /* as a driver's disable_irq and enable_irq would */
        guest_unmask(g, port);
    }
}

/* A 2-level guest's upcall on vCPU 0 (Linux's, much simplified): the selector taken, each
 * pending unmasked bit cleared and handled. */
static void guest_upcall_2l(struct fguest *g)
{
    struct shared_info *s = g->d->shared_info;
    struct vcpu_info *vi = vcpu_info_of(g->d->vcpus[0]);
    while (__atomic_exchange_n(&vi->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST)) {
        xen_ulong_t sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
        for (; sel; sel &= sel - 1) {
            unsigned w = (unsigned)__builtin_ctzl(sel);
            xen_ulong_t bits = __atomic_load_n(&s->evtchn_pending[w], __ATOMIC_SEQ_CST) &
                               ~__atomic_load_n(&s->evtchn_mask[w], __ATOMIC_RELAXED);
            for (; bits; bits &= bits - 1) {
                xen_ulong_t bit = bits & -bits;
                if (__atomic_fetch_and(&s->evtchn_pending[w], ~bit, __ATOMIC_SEQ_CST) & bit)
                    g->handle(g, 0, w * 64 + (unsigned)__builtin_ctzl(bit));
            }
        }
    }
}

/* Linux moving to FIFO: a control block, words all masked, then each port unmasked. */
static void guest_switch(struct load *l)
{
    guest_add_vcpu(&l->g, 0);
    guest_add_page(&l->g);
    for (unsigned i = 0; i < l->nports; i++)
        guest_unmask(&l->g, l->dst[i]);
}

struct vcpu_thread {
    struct load *l;
    unsigned v;
};

/* vCPU v: an upcall whenever its flag is up, until every other thread is done and it is
 * down. */
static void *load_vcpu(void *arg)
{
    struct vcpu_thread *t = arg;
    struct load *l = t->l;
    struct vcpu_info *vi = vcpu_info_of(l->g.d->vcpus[t->v]);
    for (;;) {
        bool stop = __atomic_load_n(&l->drain, __ATOMIC_ACQUIRE);
        if (l->two_level) {
            guest_upcall_2l(&l->g);
            /* Part way through (or at the end, on a host that ran the senders first). */
            unsigned long sent = 0;
            for (unsigned i = 0; i < l->nports; i++)
                sent += __atomic_load_n(&l->sent[i], __ATOMIC_RELAXED);
            if (sent >= l->switch_at || stop) {
                guest_switch(l);
                l->two_level = false;
            }
            sched_yield();
            continue;
        }
        if (__atomic_exchange_n(&vi->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST)) {
            guest_consume(&l->g, t->v);
            continue;
        }
        if (stop)
            return NULL;
        sched_yield();
    }
}

/* nports channels into b (from D(1) and D(3) in turn), with the given priorities. */
static void load_ports(struct load *l, struct domain *b, const unsigned *prio)
{
    l->g.ctx = l;
    l->g.handle = load_handle;
    for (unsigned i = 0; i < l->nports; i++) {
        l->from[i] = D(i % 2 ? 3 : 1);
        if (l->g.npages)
            channels(&l->g, l->from[i], &l->src[i], &l->dst[i], 1);
        else
            channel(l->from[i], b, &l->src[i], &l->dst[i]);
        if (prio && !l->two_level)
            assert_int_equal(evtchn_set_priority(b, l->dst[i], prio[i]), 0);
    }
}

/* After the run: every port handled after its last send, the idle one never, and nothing left
 * in the words or the blocks. */
static void load_check(struct load *l, unsigned nvcpus)
{
    for (unsigned i = 0; i < l->nports; i++) {
        assert_int_equal(l->seen[i], l->sent[i]);
        assert_int_equal(word(&l->g, l->dst[i]), 0);
    }
    assert_int_equal(l->handled[l->nports - 1], 0);
    for (unsigned v = 0; v < nvcpus; v++)
        assert_int_equal(l->g.cb[v]->ready, 0);
}

static void run_load(struct load *l, struct sender *s, unsigned nsenders, unsigned nvcpus,
                     void *(*extra)(void *))
{
    pthread_t ts[4], tv[NVCPU], tx;
    struct vcpu_thread vt[NVCPU];
    for (unsigned v = 0; v < nvcpus; v++) {
        vt[v] = (struct vcpu_thread){ l, v };
        pthread_create(&tv[v], NULL, load_vcpu, &vt[v]);
    }
    if (extra)
        pthread_create(&tx, NULL, extra, l);
    for (unsigned i = 0; i < nsenders; i++)
        pthread_create(&ts[i], NULL, load_sender, &s[i]);
    for (unsigned i = 0; i < nsenders; i++)
        pthread_join(ts[i], NULL);
    __atomic_store_n(&l->stop, true, __ATOMIC_RELEASE);
    if (extra)
        pthread_join(tx, NULL); /* its last unmask may queue an event: the vCPUs still run */
    __atomic_store_n(&l->drain, true, __ATOMIC_RELEASE);
    for (unsigned v = 0; v < nvcpus; v++)
        pthread_join(tv[v], NULL);
}

/* Another vCPU's driver masking and unmasking the ports (disable_irq, enable_irq) whatever
 * state they are in, queued ones too: Keel's link behind a tail must not be upset by it. */
static void *masker(void *arg)
{
    struct load *l = arg;
    uint32_t x = 31337;
    while (!__atomic_load_n(&l->stop, __ATOMIC_ACQUIRE)) {
        evtchn_port_t port = l->dst[rnd(&x) % (l->nports - 1)];
        guest_mask(&l->g, port);
        if (rnd(&x) % 4 == 0)
            sched_yield();
        guest_unmask(&l->g, port);
    }
    return NULL;
}

/* Three pCPUs: one on port 0, one on port 1, one on ports 0 to 3 in turn (two senders on one
 * port meet on its word), queues of three priorities, one vCPU handling them and another
 * masking and unmasking them. */
static void concurrent_senders(void **state)
{
    static struct load l;
    struct domain *b = D(2);
    const unsigned prio[NPORTS] = { PRIO, 3, PRIO, 0, PRIO };
    l = (struct load){ .nports = NPORTS, .sends = SENDS };
    fifo_on(&l.g, b, 1, 1);
    load_ports(&l, b, prio);
    struct sender s[3] = { { &l, 0, 1 }, { &l, 1, 1 }, { &l, 0, NPORTS - 1 } };
    run_load(&l, s, 3, 1, masker);
    load_check(&l, 1);
    killdom(b);
    fifo_free(&l.g);
}

/* Ports moving between two vCPUs and among priorities while events flow: the queues' tails
 * must follow, or events are linked into the wrong queue or behind a consumed tail. */
static void *mover(void *arg)
{
    struct load *l = arg;
    uint32_t x = 99;
    while (!__atomic_load_n(&l->stop, __ATOMIC_ACQUIRE)) {
        unsigned i = rnd(&x) % l->nports;
        CHECK_EQ(evtchn_bind_vcpu(l->g.d, l->dst[i], rnd(&x) % 2), 0);
        CHECK_EQ(evtchn_set_priority(l->g.d, l->dst[i], rnd(&x) % 16), 0);
        sched_yield();
    }
    return NULL;
}

static void concurrent_moves(void **state)
{
    static struct load l;
    struct domain *b = D(2);
    l = (struct load){ .nports = NPORTS, .sends = SENDS / 2 }; /* five threads: slower */
    fifo_on(&l.g, b, 2, 1);
    load_ports(&l, b, NULL);
    struct sender s[2] = { { &l, 0, 2 }, { &l, 1, NPORTS - 2 } };
    run_load(&l, s, 2, 2, mover);
    load_check(&l, 2);
    killdom(b);
    fifo_free(&l.g);
}

/* The guest moves from 2-level to FIFO while the senders send: events pending in the bitmap,
 * and those that meet the switch, are carried over.  The moment an event meets the switch is
 * short, so the guest does it again and again (EVTCHNOP_reset in between). */
#define SWITCHES 10

static void concurrent_switch(void **state)
{
    static struct load l;
    struct domain *b = D(2);
    for (unsigned k = 0; k < SWITCHES; k++) {
        l = (struct load){ .nports = NPORTS,
                           .two_level = true,
                           .g = { .d = b },
                           .sends = SENDS / SWITCHES * 4,
                           .switch_at = SENDS / SWITCHES * (k % 8 + 1) };
        load_ports(&l, b, NULL);
        struct sender s[2] = { { &l, 0, 2 }, { &l, 2, NPORTS - 3 } };
        run_load(&l, s, 2, 1, NULL);
        load_check(&l, 1);
        assert_int_equal(evtchn_reset(b, DOMID_SELF), 0);
        for (unsigned i = 0; i < NPORTS; i++)
            assert_int_equal(evtchn_close(l.from[i], l.src[i]), 0);
        fifo_free(&l.g);
    }
}

/* One event on each of two ports from another pCPU, at the very moment the guest's
 * init_control moves it to FIFO, over and over at staggered instants: each event is in the
 * 2-level bitmap before the switch reads it, or meets FIFO, or is handed over by
 * evtchn_2l_deliver; none may stay behind in the bitmap, which the guest reads no more. */
#define RACES 3000

struct switch_race {
    struct domain *a;
    evtchn_port_t pa[2];
    unsigned arrived, round; /* atomic: a barrier that spins, so both leave it together */
};

static void race_barrier(struct switch_race *r)
{
    unsigned round = __atomic_load_n(&r->round, __ATOMIC_ACQUIRE);
    if (__atomic_add_fetch(&r->arrived, 1, __ATOMIC_ACQ_REL) == 2) {
        __atomic_store_n(&r->arrived, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&r->round, round + 1, __ATOMIC_RELEASE);
        return;
    }
    for (unsigned n = 1; __atomic_load_n(&r->round, __ATOMIC_ACQUIRE) == round; n++)
        if (n % 4096 == 0)
            sched_yield(); /* the other thread may be waiting for a CPU */
}

static void spin(uint32_t n)
{
    for (volatile uint32_t i = 0; i < n; i++)
        ;
}

static void *race_sender(void *arg)
{
    struct switch_race *r = arg;
    uint32_t x = 5;
    for (unsigned k = 0; k < RACES; k++) {
        race_barrier(r);
        spin(rnd(&x) % 64);
        CHECK_EQ(evtchn_send(r->a, r->pa[0]), 0);
        CHECK_EQ(evtchn_send(r->a, r->pa[1]), 0);
        race_barrier(r);
    }
    return NULL;
}

static void switch_race(void **state)
{
    static struct switch_race r;
    struct domain *b = D(2);
    struct fguest g = { .d = b };
    evtchn_port_t pb[2];
    uint32_t *cb = guest_page(), *words = guest_page(), x = 7;
    r.a = D(1);
    for (unsigned i = 0; i < 2; i++)
        channel(r.a, b, &r.pa[i], &pb[i]);
    pthread_t t;
    pthread_create(&t, NULL, race_sender, &r);
    for (unsigned k = 0; k < RACES; k++) {
        memset(cb, 0, PAGE_SIZE);
        for (unsigned j = 0; j < WPP; j++)
            words[j] = W_MASKED;
        race_barrier(&r);
        spin(rnd(&x) % 1536);
        assert_int_equal(init_control(b, gfn_of(cb), 0, 0), 0);
        race_barrier(&r);
        g = (struct fguest){ .d = b, .npages = 1, .cb = { (void *)cb }, .array = { words } };
        assert_int_equal(evtchn_expand_array(b, gfn_of(words)), 0);
        guest_unmask(&g, pb[0]);
        guest_unmask(&g, pb[1]);
        assert_int_equal(guest_upcall(&g, 0), 2);
        assert_true(g.log[0] != g.log[1]);
        /* Back to 2-level with the same ports, their bind's event taken. */
        assert_int_equal(evtchn_reset(b, DOMID_SELF), 0);
        for (unsigned i = 0; i < 2; i++) {
            assert_int_equal(bind(b, 1, r.pa[i], &pb[i]), 0);
            clear_pending(b, pb[i]);
        }
        guest_ack(b, 0);
    }
    pthread_join(t, NULL);
    guest_page_free(cb);
    guest_page_free(words);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(hostile_words, setup, teardown),
        cmocka_unit_test_setup_teardown(hostile_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(concurrent_senders, setup, teardown),
        cmocka_unit_test_setup_teardown(concurrent_moves, setup, teardown),
        cmocka_unit_test_setup_teardown(concurrent_switch, setup, teardown),
        cmocka_unit_test_setup_teardown(switch_race, setup, teardown),
    };
    /* Keel looping on guest memory, or a lost wakeup the guest waits for, would hang the
     * run: end it instead. */
    alarm(120);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
