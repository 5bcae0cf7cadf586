/* SPDX-License-Identifier: Apache-2.0 */
/* The simulated FIFO guest of the event-channel tests (see fifo_guest.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <hyp/evtchn.h>
#include <hyp/shared_info.h>
#include <sanitizer/asan_interface.h>
#include <sys/syscall.h>

#include "fifo_guest.h"

static bool on_test_thread(void)
{
    return syscall(SYS_gettid) == getpid(); /* cmocka runs the tests on the main thread */
}

void check_true(bool ok, const char *what, const char *file, int line)
{
    if (on_test_thread())
        _assert_true(ok, what, file, line);
    else if (!ok) {
        fprintf(stderr, "%s:%d: %s is false (on a thread)\n", file, line, what);
        abort();
    }
}

void check_equal(long long a, long long b, const char *file, int line)
{
    if (on_test_thread())
        _assert_int_equal((LargestIntegralType)a, (LargestIntegralType)b, file, line);
    else if (a != b) {
        fprintf(stderr, "%s:%d: %lld != %lld (on a thread)\n", file, line, a, b);
        abort();
    }
}

void *guest_page(void)
{
    uint8_t *p = aligned_alloc(PAGE_SIZE, 3 * PAGE_SIZE);
    CHECK(p != NULL);
    memset(p, 0, 3 * PAGE_SIZE);
    ASAN_POISON_MEMORY_REGION(p, PAGE_SIZE);
    ASAN_POISON_MEMORY_REGION(p + 2 * PAGE_SIZE, PAGE_SIZE);
    return p + PAGE_SIZE;
}

void guest_page_free(void *page)
{
    if (!page)
        return;
    uint8_t *p = (uint8_t *)page - PAGE_SIZE;
    ASAN_UNPOISON_MEMORY_REGION(p, 3 * PAGE_SIZE);
    free(p);
}

uint64_t gfn_of(const void *p)
{
    return (uintptr_t)p >> PAGE_SHIFT;
}

uint32_t *masked_page(void)
{
    uint32_t *w = guest_page();
    for (unsigned i = 0; i < WPP; i++)
        w[i] = W_MASKED;
    return w;
}

uint32_t wload(const uint32_t *w)
{
    return __atomic_load_n(w, __ATOMIC_ACQUIRE);
}

uint32_t *fword(struct fguest *g, evtchn_port_t port)
{
    CHECK(port / WPP < g->npages);
    return &g->array[port / WPP][port % WPP];
}

uint32_t word(struct fguest *g, evtchn_port_t port)
{
    return wload(fword(g, port));
}

int init_control(struct domain *d, uint64_t gfn, uint32_t offset, uint32_t vcpu)
{
    struct evtchn_init_control c = {
        .control_gfn = gfn, .offset = offset, .vcpu = vcpu, .link_bits = 0xab
    };
    int rc = evtchn_init_control(d, &c);
    CHECK_EQ(c.link_bits, EVTCHN_FIFO_LINK_BITS); /* whatever the answer */
    return rc;
}

void guest_add_vcpu_at(struct fguest *g, unsigned v, uint32_t offset)
{
    g->cb_page[v] = guest_page();
    g->cb[v] = (void *)((uint8_t *)g->cb_page[v] + offset);
    CHECK_EQ(init_control(g->d, gfn_of(g->cb_page[v]), offset, v), 0);
    if (v) /* published as vcpu_info_register does: senders may be reading it */
        __atomic_store_n(&tdom_of(g->d)->v[v].vcpu_info, &tdom_of(g->d)->vi[v], __ATOMIC_RELEASE);
}

void guest_add_vcpu(struct fguest *g, unsigned v)
{
    guest_add_vcpu_at(g, v, 0);
}

void guest_add_page(struct fguest *g)
{
    CHECK(g->npages < MAX_PAGES);
    g->array[g->npages] = masked_page();
    CHECK_EQ(evtchn_expand_array(g->d, gfn_of(g->array[g->npages])), 0);
    g->npages++;
}

void fifo_on(struct fguest *g, struct domain *d, unsigned ncb, unsigned npages)
{
    *g = (struct fguest){ .d = d };
    for (unsigned v = 0; v < ncb; v++)
        guest_add_vcpu(g, v);
    for (unsigned i = 0; i < npages; i++)
        guest_add_page(g);
}

void fifo_free(struct fguest *g)
{
    for (unsigned v = 0; v < NVCPU; v++)
        guest_page_free(g->cb_page[v]);
    for (unsigned i = 0; i < g->npages; i++)
        guest_page_free(g->array[i]);
    *g = (struct fguest){ 0 };
}

void guest_mask(struct fguest *g, evtchn_port_t port)
{
    __atomic_fetch_or(fword(g, port), W_MASKED, __ATOMIC_SEQ_CST);
}

/* Linux's unmask: clear MASKED by compare-and-swap while the port is neither pending nor BUSY;
 * if it is pending, EVTCHNOP_unmask. */
void guest_unmask(struct fguest *g, evtchn_port_t port)
{
    uint32_t *w = fword(g, port), cur = wload(w);
    for (;;) {
        if (!(cur & W_MASKED))
            return;
        if (cur & W_PENDING) {
            struct evtchn_unmask u = { port };
            __atomic_fetch_add(&g->hypercalls, 1, __ATOMIC_RELAXED); /* vCPUs are threads */
            CHECK_EQ(op(g->d, EVTCHNOP_unmask, &u), 0);
            return;
        }
        uint32_t expect = cur & ~W_BUSY; /* fails, and is tried again, while BUSY */
        if (__atomic_compare_exchange_n(w, &expect, expect & ~W_MASKED, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_ACQUIRE))
            return;
        cur = expect;
    }
}

uint32_t guest_take_ready(struct fguest *g, unsigned v)
{
    return __atomic_exchange_n(&g->cb[v]->ready, 0, __ATOMIC_SEQ_CST);
}

/* As Linux's consume_one_event, then the exchange its loop makes each time round. */
void guest_step(struct fguest *g, unsigned v, uint32_t *ready)
{
    struct evtchn_fifo_control_block *cb = g->cb[v];
    unsigned q = (unsigned)__builtin_ctz(*ready);
    evtchn_port_t port = g->head[v][q];
    if (!port)
        port = __atomic_load_n(&cb->head[q], __ATOMIC_ACQUIRE);
    CHECK(port > 0); /* and fword checks it has a word */
    uint32_t *w = fword(g, port), old = wload(w);
    while (!__atomic_compare_exchange_n(w, &old, old & ~(W_LINKED | W_LINK), false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE))
        ;
    evtchn_port_t next = old & W_LINK;
    if (!next)
        *ready &= ~(1U << q);
    uint32_t now = wload(w);
    if ((now & W_PENDING) && !(now & W_MASKED) &&
        (__atomic_fetch_and(w, ~W_PENDING, __ATOMIC_SEQ_CST) & W_PENDING)) {
        if (g->handle)
            g->handle(g, v, port);
        else if (g->nlog < LOG_MAX)
            g->log[g->nlog++] = port;
    }
    g->head[v][q] = next;
    *ready |= guest_take_ready(g, v);
}

void guest_consume(struct fguest *g, unsigned v)
{
    unsigned steps = 0;
    uint32_t ready = guest_take_ready(g, v);
    while (ready) {
        CHECK(++steps < 10000000); /* a queue that never ends: Keel's bug */
        guest_step(g, v, &ready);
    }
}

/* Linux clears the flag before it looks, and looks again while the flag came back. */
unsigned guest_upcall(struct fguest *g, unsigned v)
{
    struct vcpu_info *vi = vcpu_info_of(g->d->vcpus[v]);
    g->nlog = 0;
    while (__atomic_exchange_n(&vi->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST))
        guest_consume(g, v);
    return g->nlog;
}

void expect_handled(struct fguest *g, unsigned v, const evtchn_port_t *ports, unsigned n)
{
    CHECK_EQ(guest_upcall(g, v), n);
    for (unsigned i = 0; i < n; i++)
        CHECK_EQ(g->log[i], ports[i]);
}

void flag_clear(struct domain *d, unsigned v)
{
    vcpu_info_of(d->vcpus[v])->evtchn_upcall_pending = 0;
}

void channels(struct fguest *g, struct domain *a, evtchn_port_t *pa, evtchn_port_t *pb, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        channel(a, g->d, &pa[i], &pb[i]);
        /* Under FIFO the bind left the port pending in its word: taken as Linux would. */
        __atomic_fetch_and(fword(g, pb[i]), ~W_PENDING, __ATOMIC_SEQ_CST);
        guest_unmask(g, pb[i]);
    }
    flag_clear(g->d, 0);
}

uint32_t rnd(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}
