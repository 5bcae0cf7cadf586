/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The three roles of tests/multi grant-pass, domain ids given on the command line (grant.a,
 * grant.b, grant.c; the grants stand in for Xen 4.17's dom0less configuration):
 *   granter (a)  grants a page to b (ref 8) and another (ref 9), and a page to c (ref 12);
 *                passes a message to b and waits for the reply in the page; cannot end the
 *                grant while b maps it, can once b unmapped it; ends while b still maps ref 9.
 *   mapper (b)   maps refs 8 and 9, answers, unmaps 8, sees the revoked grant refused, waits
 *                for a to be gone and finds ref 9's page still there, then unmaps it.
 *   intruder (c) maps its own ref 12, then is refused b's grants (GNTST_general_error) and
 *                says so through ref 12's page.
 * The pages carry sequence words polled with generous safety-net timeouts (WAIT_EVENT), not
 * event channels.  grant.mode=idle ends each at once: the runner's baseline for free memory.
 */
#include "arm.h"
#include "bootargs.h"
#include "console.h"
#include "grant.h"
#include "test.h"
#include "timer.h"

#define REF_PASS 8 /* a -> b: the message page */
#define REF_KEEP 9 /* a -> b: still mapped when a ends */
#define REF_C 12   /* a -> c: c's own page */
#define PATTERN 0x5a
#define KEEP_SEEN 4088 /* in ref 9's page: b saw the revoked grant refused (the rest: PATTERN) */

struct pass_page {
    uint32_t seq; /* 1 a's message is there, 2 b's reply is, 3 b may unmap */
    char msg[60];
    char reply[60];
};
struct c_page {
    uint32_t ready; /* a has granted everything */
    uint32_t done;  /* c has made its checks */
};

static domid_t dom_a, dom_b, dom_c;

static uint32_t seq_of(volatile const uint32_t *w)
{
    return __atomic_load_n(w, __ATOMIC_ACQUIRE);
}

static void seq_set(uint32_t *w, uint32_t v)
{
    __atomic_store_n(w, v, __ATOMIC_RELEASE);
}

/* The ids from the command line, and that this domain is the one it should be. */
static bool start(const char *role, domid_t *me)
{
    dom_a = (domid_t)bootarg_u64("grant.a", 1);
    dom_b = (domid_t)bootarg_u64("grant.b", 2);
    dom_c = (domid_t)bootarg_u64("grant.c", 3);
    if (bootarg_is("grant.mode", "idle")) {
        note("grant %s: idle run, nothing granted", role);
        return false;
    }
    long rc = table_init();
    if (rc == -XEN_ENOSYS) {
        note("memory_op has no XENMAPSPACE_grant_table here: nothing to pass");
        return false;
    }
    domid_t id = own_domid();
    return check(rc == 0 && id == *me, "gnt_pass_start", "%s: table %ld, domain %u (want %u)", role,
                 rc, id, *me);
}

static bool same_text(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static void copy_text(char *dst, const char *src)
{
    while ((*dst++ = *src++))
        ;
}

void role_granter(void)
{
    if (!start("granter", &dom_a))
        return;
    struct pass_page *p = (struct pass_page *)gpages[0];
    struct c_page *cp = (struct c_page *)gpages[1];
    for (unsigned i = 0; i < KEEP_SEEN; i++)
        gpages[2][i] = PATTERN;
    copy_text(p->msg, "through a granted page");
    grant_access(REF_PASS, dom_b, GFN_OF(gpages[0]), false);
    grant_access(REF_KEEP, dom_b, GFN_OF(gpages[2]), false);
    grant_access(REF_C, dom_c, GFN_OF(gpages[1]), false);
    seq_set(&p->seq, 1);
    seq_set(&cp->ready, 1);
    bool ok = WAIT_EVENT(seq_of(&p->seq) == 2);
    check(ok && same_text(p->reply, "and back"), "gnt_pass_reply", "seq %u reply \"%s\"",
          seq_of(&p->seq), ok ? p->reply : "");
    check(!grant_revoke(REF_PASS), "gnt_pass_revoke_refused_while_mapped", "flags %#x",
          entry(REF_PASS)->flags);
    seq_set(&p->seq, 3);
    ok = WAIT_EVENT(grant_revoke(REF_PASS));
    check(ok, "gnt_pass_revoke_after_unmap", "flags %#x", entry(REF_PASS)->flags);
    ok = WAIT_EVENT(seq_of(&cp->done) == 1);
    check(ok, "gnt_pass_intruder_done", "the intruder made its checks");
    /* b must see the ended grant refused while a still exists (after, it is bad_domain). */
    ok = WAIT_EVENT(seq_of((uint32_t *)(gpages[2] + KEEP_SEEN)) == 1);
    check(ok, "gnt_pass_mapper_saw_revoke", "b says so in ref %u's page", REF_KEEP);
    check(entry(REF_KEEP)->flags & GTF_reading, "gnt_pass_ends_while_mapped",
          "flags %#x: b still maps ref %u as a ends", entry(REF_KEEP)->flags, REF_KEEP);
}

/* b: whether a's ref still answers a one-byte copy (it does until a revokes it). */
static bool revoked(void)
{
    static uint8_t byte[8];
    delay_us(500); /* leave a room between pins to end the grant */
    return grant_copy(NULL, REF_PASS, dom_a, byte, 0, DOMID_SELF, 1) == GNTST_general_error;
}

static bool granter_gone(void)
{
    static struct gnttab_query_size q;
    q = (struct gnttab_query_size){ .dom = dom_a, .status = 1 };
    gnttab_op(GNTTABOP_query_size, &q, 1);
    return q.status == GNTST_bad_domain;
}

void role_mapper(void)
{
    if (!start("mapper", &dom_b))
        return;
    grant_handle_t h, hk;
    bool ok = WAIT_EVENT(grant_map(dom_a, REF_PASS, MAP_AT(0), false, &h, 0) == GNTST_okay);
    ok = ok && WAIT_EVENT(grant_map(dom_a, REF_KEEP, MAP_AT(1), false, &hk, 0) == GNTST_okay);
    if (!check(ok, "gnt_pass_map", "refs %u and %u of domain %u", REF_PASS, REF_KEEP, dom_a))
        return;
    struct pass_page *p = (struct pass_page *)mmu_scratch_map(SLOT_MAP(0), MAP_AT(0), true);
    ok = WAIT_EVENT(seq_of(&p->seq) == 1);
    check(ok && same_text(p->msg, "through a granted page"), "gnt_pass_message",
          "seq %u msg \"%s\"", seq_of(&p->seq), ok ? p->msg : "");
    copy_text(p->reply, "and back");
    seq_set(&p->seq, 2);
    ok = WAIT_EVENT(seq_of(&p->seq) == 3);
    mmu_scratch_unmap(SLOT_MAP(0));
    int16_t st = grant_unmap(MAP_AT(0), 0, h);
    check(ok && st == GNTST_okay, "gnt_pass_unmap", "status %d", st);
    ok = WAIT_EVENT(revoked());
    check(ok, "gnt_pass_revoked_refused", "a copy from the ended grant is refused");
    volatile uint8_t *k = (volatile uint8_t *)mmu_scratch_map(SLOT_MAP(1), MAP_AT(1), true);
    seq_set((uint32_t *)(k + KEEP_SEEN), 1);
    ok = WAIT_EVENT(granter_gone());
    check(ok, "gnt_pass_granter_gone", "query_size of domain %u: bad_domain", dom_a);
    unsigned bad = 0;
    for (unsigned i = 0; i < KEEP_SEEN; i++)
        bad += k[i] != PATTERN;
    k[0] = 1; /* still writable RAM, whoever owned it */
    mmu_scratch_unmap(SLOT_MAP(1));
    check(!bad, "gnt_pass_page_outlives_granter", "%u bytes changed", bad);
    st = grant_unmap(MAP_AT(1), 0, hk);
    check(st == GNTST_okay, "gnt_pass_unmap_after_granter", "status %d", st);
}

void role_intruder(void)
{
    if (!start("intruder", &dom_c))
        return;
    grant_handle_t h;
    bool ok = WAIT_EVENT(grant_map(dom_a, REF_C, MAP_AT(0), false, &h, 0) == GNTST_okay);
    if (!check(ok, "gnt_pass_map_own_grant", "ref %u of domain %u", REF_C, dom_a))
        return;
    struct c_page *cp = (struct c_page *)mmu_scratch_map(SLOT_MAP(0), MAP_AT(0), true);
    ok = WAIT_EVENT(seq_of(&cp->ready) == 1);
    check(ok, "gnt_pass_ready", "the granter granted everything");
    static uint8_t byte[8];
    int16_t st = grant_map(dom_a, REF_PASS, MAP_AT(1), false, 0, 0);
    check(st == GNTST_general_error, "gnt_pass_map_not_granted", "status %d: granted to %u", st,
          dom_b);
    st = grant_map(dom_a, REF_KEEP, MAP_AT(1), true, 0, 0);
    check(st == GNTST_general_error, "gnt_pass_map_ro_not_granted", "status %d", st);
    st = grant_copy(NULL, REF_PASS, dom_a, byte, 0, DOMID_SELF, 1);
    check(st == GNTST_general_error, "gnt_pass_copy_not_granted", "status %d", st);
    st = grant_map(dom_a, 5000, MAP_AT(1), false, 0, 0);
    check(st == GNTST_bad_gntref, "gnt_pass_map_bad_ref", "status %d", st);
    st = grant_map(dom_b, REF_PASS, MAP_AT(1), false, 0, 0);
    check(st == GNTST_general_error, "gnt_pass_map_ungranted", "status %d: b granted nothing", st);
    seq_set(&cp->done, 1);
    mmu_scratch_unmap(SLOT_MAP(0));
    check(grant_unmap(MAP_AT(0), 0, h) == GNTST_okay, "gnt_pass_intruder_unmap", "own grant");
}
