/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for grant_table_op's decoding (core/hypercall/grant_table_op.c): commands and
 * counts, element arrays copied in and results copied back, a batch stopped by preemption and
 * continued, a fault part way, and results that cannot be written back refused before anything
 * is done.  Guest memory is host memory (a guest virtual address is the pointer) with an
 * unmapped and a read-only range; the grant-table operations are stand-ins that record calls.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <hyp/errno.h>
#include <hyp/gnttab.h>
#include <hyp/guest_access.h>
#include <hyp/hypercall.h>

#include "../../hyp/core/hypercall/hypercall_table.h"
#include "guest_mem_stub.h"

/* --- guest memory: tests/unit/guest_mem_stub.c --- */

#define hole stub_mem.hole
#define ro stub_mem.ro

/* --- preemption: the check answers true once `preempt_after` more elements were done --- */

static int preempt_after = -1;

bool hypercall_preempt_check(void)
{
    return preempt_after >= 0 && preempt_after-- == 0;
}

/* --- the grant-table operations, recorded --- */

static unsigned maps, unmaps, copies, flushes;
static uint64_t last_new_addr;

void gnttab_map(struct domain *ld, struct gnttab_map_grant_ref *op)
{
    maps++;
    op->status = op->ref == 666 ? GNTST_bad_gntref : GNTST_okay;
    op->handle = op->ref + 100;
    op->dev_bus_addr = 0x1000ULL * op->ref;
}

int16_t gnttab_unmap(struct domain *ld, uint64_t host_addr, uint64_t dev_bus_addr,
                     uint64_t new_addr, grant_handle_t handle)
{
    unmaps++;
    last_new_addr = new_addr;
    return handle == 7 ? GNTST_okay : GNTST_bad_handle;
}

int16_t gnttab_copy(struct domain *ld, const struct gnttab_copy *op)
{
    copies++;
    return op->len <= 4096 ? GNTST_okay : GNTST_bad_copy_arg;
}

void gnttab_query_size(struct domain *ld, struct gnttab_query_size *op)
{
    op->nr_frames = 3;
    op->max_nr_frames = 64;
    op->status = GNTST_okay;
}

int16_t gnttab_setup_table(struct domain *ld, domid_t dom, uint32_t nr,
                           int (*emit)(void *ctx, uint32_t i, uint64_t gfn), void *ctx)
{
    int16_t st = GNTST_okay;
    for (uint32_t i = 0; i < nr; i++)
        if (emit(ctx, i, 0x38000 + i))
            st = GNTST_bad_virt_addr;
    return st;
}

long gnttab_set_version(struct domain *ld, uint32_t *version)
{
    long rc = *version == 1 ? 0 : -ENOSYS;
    *version = 1;
    return rc;
}

long gnttab_get_version(struct domain *ld, struct gnttab_get_version *op)
{
    op->version = 1;
    return op->dom == DOMID_SELF ? 0 : -ESRCH;
}

int16_t gnttab_get_status_frames(struct domain *ld, domid_t dom, uint32_t nr)
{
    return nr ? GNTST_general_error : GNTST_okay;
}

int16_t gnttab_dump_table(struct domain *ld, domid_t dom)
{
    return GNTST_okay;
}

int16_t gnttab_swap(struct domain *ld, grant_ref_t a, grant_ref_t b)
{
    return a == b ? GNTST_okay : GNTST_eagain;
}

long gnttab_cache_flush(struct domain *ld, const struct gnttab_cache_flush *op)
{
    flushes++;
    return op->op > 3 ? -EINVAL : 0;
}

static struct domain dom;
static struct vcpu vc = { .dom = &dom };

static long call(uint64_t cmd, const void *arg, uint64_t count)
{
    uint64_t args[5] = { cmd, (uintptr_t)arg, count, 0, 0 };
    return do_grant_table_op(&vc, args);
}

static int reset(void **state)
{
    maps = unmaps = copies = flushes = 0;
    preempt_after = -1;
    return 0;
}

/* --- tests --- */

static void commands_and_counts(void **state)
{
    struct gnttab_query_size q = { .dom = DOMID_SELF };
    assert_int_equal(call(GNTTABOP_query_size, &q, 1), 0);
    assert_int_equal(q.nr_frames, 3);
    assert_int_equal(call(GNTTABOP_query_size, &q, 2), -EINVAL);
    assert_int_equal(call(GNTTABOP_query_size, &q, 0), -EINVAL);
    assert_int_equal(call(0x1000 | GNTTABOP_query_size, &q, 1), -EINVAL);
    assert_int_equal(call(GNTTABOP_copy, &q, 0x80000000u), -EINVAL);
    assert_int_equal(call(13, &q, 1), -ENOSYS);
    assert_int_equal(call(GNTTABOP_transfer, &q, 1), -EOPNOTSUPP);
    /* cmd is an int: the register's upper half is ignored. */
    assert_int_equal(call(0xffffffff00000000ULL | GNTTABOP_query_size, &q, 1), 0);
    assert_int_equal(call(GNTTABOP_query_size, hole, 1), -EFAULT);
    assert_int_equal(call(GNTTABOP_query_size, ro, 1), -EFAULT);
    assert_int_equal(call(GNTTABOP_copy, hole, 0), 0); /* nothing to read */
}

static void map_batch(void **state)
{
    struct gnttab_map_grant_ref ops[3] = { { .ref = 8 }, { .ref = 666 }, { .ref = 9 } };
    assert_int_equal(call(GNTTABOP_map_grant_ref, ops, 3), 0);
    assert_int_equal(maps, 3);
    assert_int_equal(ops[0].status, GNTST_okay);
    assert_int_equal(ops[0].handle, 108);
    assert_int_equal(ops[1].status, GNTST_bad_gntref);
    assert_int_equal(ops[2].dev_bus_addr, 0x9000);
}

static void map_results_not_writable(void **state)
{
    struct gnttab_map_grant_ref *ops = (void *)ro;
    memset(ro, 0, sizeof(ro));
    ops[0].ref = 8;
    assert_int_equal(call(GNTTABOP_map_grant_ref, ops, 1), -EFAULT);
    assert_int_equal(maps, 0); /* refused before mapping anything */
}

static void fault_part_way(void **state)
{
    /* A failed element shows in its status only. */
    struct gnttab_copy buf[3] = { { .len = 8 }, { .len = 9000 }, { .len = 8 } };
    assert_int_equal(call(GNTTABOP_copy, buf, 3), 0);
    assert_int_equal(buf[0].status, GNTST_okay);
    assert_int_equal(buf[1].status, GNTST_bad_copy_arg);
    assert_int_equal(copies, 3);
    /* An array running into unreadable memory: the element before is done, then -EFAULT. */
    copies = 0;
    uint64_t at = (uintptr_t)hole - sizeof(struct gnttab_copy);
    memset(stub_mem.before, 0, sizeof(stub_mem.before));
    assert_int_equal(call(GNTTABOP_copy, (void *)(uintptr_t)at, 2), -EFAULT);
    assert_int_equal(copies, 1);
}

static void preempted_and_continued(void **state)
{
    struct gnttab_unmap_grant_ref ops[5];
    for (unsigned i = 0; i < 5; i++)
        ops[i] = (struct gnttab_unmap_grant_ref){ .handle = 7, .status = 1 };
    uint64_t args[5] = { GNTTABOP_unmap_grant_ref, (uintptr_t)ops, 5, 0, 0 };
    preempt_after = 1; /* the check after element 1 says yes */
    assert_int_equal(do_grant_table_op(&vc, args), -ERESTART);
    assert_int_equal(unmaps, 2);
    assert_int_equal(args[0], GNTTABOP_unmap_grant_ref);
    assert_int_equal(args[1], (uintptr_t)&ops[2]);
    assert_int_equal(args[2], 3);
    assert_int_equal(ops[1].status, GNTST_okay);
    assert_int_equal(ops[2].status, 1);
    assert_int_equal(do_grant_table_op(&vc, args), 0); /* the HVC again */
    assert_int_equal(unmaps, 5);
    assert_int_equal(ops[4].status, GNTST_okay);
}

static void unmap_and_replace_passes_new_addr(void **state)
{
    struct gnttab_unmap_and_replace op = { .host_addr = 0x1000, .new_addr = 0x2000, .handle = 3 };
    assert_int_equal(call(GNTTABOP_unmap_and_replace, &op, 1), 0);
    assert_int_equal(last_new_addr, 0x2000);
    assert_int_equal(op.status, GNTST_bad_handle);
}

static void one_struct_sub_ops(void **state)
{
    struct gnttab_set_version sv = { .version = 2 };
    assert_int_equal(call(GNTTABOP_set_version, &sv, 1), -ENOSYS);
    assert_int_equal(sv.version, 1); /* written back even when refused */
    struct gnttab_get_version gv = { .dom = 5 };
    assert_int_equal(call(GNTTABOP_get_version, &gv, 1), -ESRCH);
    assert_int_equal(gv.version, 0); /* not written on an error */
    gv.dom = DOMID_SELF;
    assert_int_equal(call(GNTTABOP_get_version, &gv, 1), 0);
    assert_int_equal(gv.version, 1);
    uint64_t list[2] = { 0, 0 };
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 2 };
    st.frame_list = (uintptr_t)list;
    assert_int_equal(call(GNTTABOP_setup_table, &st, 1), 0);
    assert_int_equal(st.status, GNTST_okay);
    assert_int_equal(list[1], 0x38001);
    st.frame_list = (uintptr_t)ro;
    assert_int_equal(call(GNTTABOP_setup_table, &st, 1), 0);
    assert_int_equal(st.status, GNTST_bad_virt_addr);
    struct gnttab_get_status_frames sf = { .nr_frames = 1 };
    assert_int_equal(call(GNTTABOP_get_status_frames, &sf, 1), 0);
    assert_int_equal(sf.status, GNTST_general_error);
    struct gnttab_dump_table dt = { .dom = DOMID_SELF, .status = 1 };
    assert_int_equal(call(GNTTABOP_dump_table, &dt, 1), 0);
    assert_int_equal(dt.status, GNTST_okay);
    struct gnttab_swap_grant_ref sw[2] = { { .ref_a = 1, .ref_b = 1 }, { .ref_a = 1, .ref_b = 2 } };
    assert_int_equal(call(GNTTABOP_swap_grant_ref, sw, 2), 0);
    assert_int_equal(sw[0].status, GNTST_okay);
    assert_int_equal(sw[1].status, GNTST_eagain);
}

static void cache_flush_error_ends_the_call(void **state)
{
    struct gnttab_cache_flush ops[3] = { { .op = 1 }, { .op = 4 }, { .op = 1 } };
    assert_int_equal(call(GNTTABOP_cache_flush, ops, 3), -EINVAL);
    assert_int_equal(flushes, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(commands_and_counts, reset),
        cmocka_unit_test_setup(map_batch, reset),
        cmocka_unit_test_setup(map_results_not_writable, reset),
        cmocka_unit_test_setup(fault_part_way, reset),
        cmocka_unit_test_setup(preempted_and_continued, reset),
        cmocka_unit_test_setup(unmap_and_replace_passes_new_addr, reset),
        cmocka_unit_test_setup(one_struct_sub_ops, reset),
        cmocka_unit_test_setup(cache_flush_error_ends_the_call, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
