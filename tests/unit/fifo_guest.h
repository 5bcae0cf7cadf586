/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A simulated guest on the FIFO event ABI (fifo_guest.c), for test_evtchn_fifo.c and
 * test_evtchn_fifo_stress.c.  It works its side of the protocol as Linux's events_fifo.c does:
 * its own copy of each queue's head, READY taken with an exchange, LINKED cleared with a
 * compare-and-swap whose LINK is the next head, a pending unmasked port handled (PENDING
 * cleared, then the port counted), and an unmask that clears MASKED itself unless the port is
 * pending or BUSY, else makes EVTCHNOP_unmask.  Array pages are all MASKED before
 * EVTCHNOP_expand_array, as Linux hands them over.
 *
 * Its pages are host memory (a guest frame number is the address >> 12, evtchn_doubles.c),
 * each between two pages poisoned for AddressSanitizer, so that any access Keel makes beyond
 * a page it was given is reported.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include "evtchn_doubles.h"

#define W_PENDING (1U << EVTCHN_FIFO_PENDING)
#define W_MASKED (1U << EVTCHN_FIFO_MASKED)
#define W_LINKED (1U << EVTCHN_FIFO_LINKED)
#define W_BUSY (1U << EVTCHN_FIFO_BUSY)
#define W_LINK EVTCHN_FIFO_LINK_MASK
#define PRIO EVTCHN_FIFO_PRIORITY_DEFAULT
#define WPP EVTCHN_FIFO_EVENT_WORDS_PER_PAGE
#define PAGES 4     /* a domain that is not the control domain has 4096 ports: 4 pages */
#define MAX_PAGES 8 /* of one simulated guest */
#define LOG_MAX 64

/* cmocka's asserts get back to the failing test with a longjmp that works only on the test's
 * own thread.  Code that threads run (senders, the guest's vCPUs) checks with these: on the
 * test's thread they are cmocka's asserts; on another, a failure is printed and ends the
 * run. */
#define CHECK(x) check_true((x), #x, __FILE__, __LINE__)
#define CHECK_EQ(a, b) check_equal((long long)(a), (long long)(b), __FILE__, __LINE__)
void check_true(bool ok, const char *what, const char *file, int line);
void check_equal(long long a, long long b, const char *file, int line);

/* A zeroed page of "guest RAM" between two poisoned ones; its frame number; its release. */
void *guest_page(void);
void guest_page_free(void *page);
uint64_t gfn_of(const void *p);
/* A page of event words as Linux hands it over: every word MASKED. */
uint32_t *masked_page(void);
uint32_t wload(const uint32_t *w);

struct fguest;
/* Called for each event the guest handles, after it cleared PENDING. */
typedef void handler_fn(struct fguest *g, unsigned v, evtchn_port_t port);

struct fguest {
    struct domain *d;
    unsigned npages;
    struct evtchn_fifo_control_block *cb[NVCPU];
    void *cb_page[NVCPU];
    uint32_t *array[MAX_PAGES];
    uint32_t head[NVCPU][EVTCHN_FIFO_MAX_QUEUES]; /* the guest's own copy, 0: read the block */
    unsigned hypercalls;                          /* atomic: EVTCHNOP_unmask by guest_unmask */
    handler_fn *handle;                           /* NULL: ports go to log */
    void *ctx;                                    /* the handler's */
    evtchn_port_t log[LOG_MAX];
    unsigned nlog;
};

/* Port's event word (asserting it has one), and its value. */
uint32_t *fword(struct fguest *g, evtchn_port_t port);
uint32_t word(struct fguest *g, evtchn_port_t port);

/* EVTCHNOP_init_control; asserts link_bits came back whatever the answer. */
int init_control(struct domain *d, uint64_t gfn, uint32_t offset, uint32_t vcpu);
/* vCPU v gets a control block at offset in a page of its own (and, above vCPU 0, a vcpu_info
 * area); asserts success. */
void guest_add_vcpu_at(struct fguest *g, unsigned v, uint32_t offset);
void guest_add_vcpu(struct fguest *g, unsigned v);
/* One more page of words, all MASKED; asserts success. */
void guest_add_page(struct fguest *g);
/* d goes FIFO as Linux takes it: control blocks for vCPUs 0 to ncb - 1, then npages. */
void fifo_on(struct fguest *g, struct domain *d, unsigned ncb, unsigned npages);
/* The pages go (once the domain let go of them: kill or reset). */
void fifo_free(struct fguest *g);

void guest_mask(struct fguest *g, evtchn_port_t port);
void guest_unmask(struct fguest *g, evtchn_port_t port);
/* The handler on vCPU v in pieces: READY taken; one step (the head of the highest-priority
 * queue in *ready consumed, handled if pending and unmasked, READY taken again into *ready);
 * every ready queue to its end. */
uint32_t guest_take_ready(struct fguest *g, unsigned v);
void guest_step(struct fguest *g, unsigned v, uint32_t *ready);
void guest_consume(struct fguest *g, unsigned v);
/* The upcall on vCPU v as Linux takes it: the flag cleared, the queues consumed, again while
 * the flag came back meanwhile.  How many were handled (g->log holds them unless g->handle). */
unsigned guest_upcall(struct fguest *g, unsigned v);
/* vCPU v's upcall handles exactly ports[0..n), in that order. */
void expect_handled(struct fguest *g, unsigned v, const evtchn_port_t *ports, unsigned n);
#define EXPECT(g, v, ...)                                                                          \
    expect_handled((g), (v), (const evtchn_port_t[]){ __VA_ARGS__ },                               \
                   sizeof((const evtchn_port_t[]){ __VA_ARGS__ }) / sizeof(evtchn_port_t))
#define EXPECT_NONE(g, v) assert_int_equal(guest_upcall((g), (v)), 0)
/* vCPU v's upcall flag taken down (its handler has begun). */
void flag_clear(struct domain *d, unsigned v);
/* n channels from a into g's domain (on FIFO, with words for them), the bind's event taken
 * and each port unmasked. */
void channels(struct fguest *g, struct domain *a, evtchn_port_t *pa, evtchn_port_t *pb, unsigned n);

/* A xorshift step, for threads that want their own cheap randomness. */
uint32_t rnd(uint32_t *x);
