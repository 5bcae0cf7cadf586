/* SPDX-License-Identifier: Apache-2.0 */
/*
 * event_channel_op (32), event_channel_op(cmd, arg) (xen-abi-facts C.4): decoding only.  Each
 * sub-op's struct is copied in (and checked writable when it has results) by subop_call; the
 * state machine is core/event/.  bind_pirq (Arm has no PIRQs) and anything unknown answer
 * -ENOSYS.
 */
#include <hyp/errno.h>
#include <hyp/evtchn.h>
#include "hypercall_table.h"
#include "subop.h"

static long op_alloc_unbound(struct vcpu *v, void *arg)
{
    return evtchn_alloc_unbound(v->dom, arg);
}

static long op_bind_interdomain(struct vcpu *v, void *arg)
{
    return evtchn_bind_interdomain(v->dom, arg);
}

static long op_bind_virq(struct vcpu *v, void *arg)
{
    return evtchn_bind_virq(v->dom, arg);
}

static long op_bind_ipi(struct vcpu *v, void *arg)
{
    return evtchn_bind_ipi(v->dom, arg);
}

static long op_close(struct vcpu *v, void *arg)
{
    return evtchn_close(v->dom, ((struct evtchn_close *)arg)->port);
}

static long op_send(struct vcpu *v, void *arg)
{
    return evtchn_send(v->dom, ((struct evtchn_send *)arg)->port);
}

static long op_status(struct vcpu *v, void *arg)
{
    return evtchn_status(v->dom, arg);
}

static long op_bind_vcpu(struct vcpu *v, void *arg)
{
    struct evtchn_bind_vcpu *b = arg;
    return evtchn_bind_vcpu(v->dom, b->port, b->vcpu);
}

static long op_unmask(struct vcpu *v, void *arg)
{
    return evtchn_unmask(v->dom, ((struct evtchn_unmask *)arg)->port);
}

static long op_reset(struct vcpu *v, void *arg)
{
    return evtchn_reset(v->dom, ((struct evtchn_reset *)arg)->dom);
}

static long op_init_control(struct vcpu *v, void *arg)
{
    return evtchn_init_control(v->dom, arg);
}

static long op_expand_array(struct vcpu *v, void *arg)
{
    return evtchn_expand_array(v->dom, ((struct evtchn_expand_array *)arg)->array_gfn);
}

static long op_set_priority(struct vcpu *v, void *arg)
{
    struct evtchn_set_priority *p = arg;
    return evtchn_set_priority(v->dom, p->port, p->priority);
}

#define IN SUBOP_IN
#define INOUT (SUBOP_IN | SUBOP_OUT)
#define OP(cmd, type, flags, fn)                                                                   \
    {                                                                                              \
        EVTCHNOP_##cmd, sizeof(type), (flags), CALLER_ANY, (fn), #cmd                              \
    }

/* send first: the one a guest makes all the time. */
static const struct subop ops[] = {
    OP(send, struct evtchn_send, IN, op_send),
    OP(unmask, struct evtchn_unmask, IN, op_unmask),
    OP(alloc_unbound, struct evtchn_alloc_unbound, INOUT, op_alloc_unbound),
    OP(bind_interdomain, struct evtchn_bind_interdomain, INOUT, op_bind_interdomain),
    OP(bind_virq, struct evtchn_bind_virq, INOUT, op_bind_virq),
    OP(bind_ipi, struct evtchn_bind_ipi, INOUT, op_bind_ipi),
    OP(close, struct evtchn_close, IN, op_close),
    OP(status, struct evtchn_status, INOUT, op_status),
    OP(bind_vcpu, struct evtchn_bind_vcpu, IN, op_bind_vcpu),
    OP(reset, struct evtchn_reset, IN, op_reset),
    OP(init_control, struct evtchn_init_control, INOUT, op_init_control),
    OP(expand_array, struct evtchn_expand_array, IN, op_expand_array),
    OP(set_priority, struct evtchn_set_priority, IN, op_set_priority),
};

_Static_assert(sizeof(struct evtchn_status) <= SUBOP_MAX_ARG, "largest event_channel_op struct");
_Static_assert(sizeof(struct evtchn_init_control) <= SUBOP_MAX_ARG, "init_control fits");

long do_event_channel_op(struct vcpu *v, uint64_t args[5])
{
    return subop_call(v, ops, ARRAY_SIZE(ops), args[0], args[1]);
}
