/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the toolstack's domctl and sysctl do (core/control/), on kernel structs and domain
 * references: core/hypercall/domctl.c and sysctl.c decode the guest's struct and call these.
 * Nothing here touches guest memory except through a sink the caller passes.  The semantics
 * are Xen 4.17's; each function names the errors it returns.  Who may call them is the
 * dispatcher's to check (the control domain only).
 *
 * Domains are named by reference: the caller holds one on every struct domain passed in.
 * A domain still being built is not there for the toolstack (ctl_domain_get).
 */
#pragma once

#include <hyp/domain.h>
#include <xen/domctl.h>
#include <xen/sysctl.h>

/* --- one call at a time --- */

/* The toolstack's calls (domctl, sysctl) run one at a time, as under Xen's domctl_lock: a
 * call that pauses a domain and waits for its vCPUs (get/setvcpucontext, a cpupool move)
 * cannot see another unpause it halfway, and two control domains waiting on each other's
 * vCPUs cannot both wait.  The dispatcher tries the lock and, if it is taken, answers
 * -ERESTART: the caller's vCPU leaves and makes the call again, so a vCPU that someone is
 * waiting for does not spin here. */
bool ctl_lock_try(void);
void ctl_unlock(void);

/* --- finding domains --- */

/* A reference to domain id if it is listed and built, else NULL (put it with domain_put). */
struct domain *ctl_domain_get(unsigned id);
/* The built domain with the lowest id >= first, or NULL. */
struct domain *ctl_domain_get_from(unsigned first);

/* --- sysctl --- */

/* The machine: CPUs, counter frequency, memory, what Keel offers (XEN_SYSCTL_PHYSCAP_*). */
void ctl_physinfo(struct xen_sysctl_physinfo *pi);
/* NUMA as Xen 4.17 on Arm shows it: one node, 0, holding all RAM and every CPU, at distance
 * 20 from itself (Arm's fixed value there).  CPU ids run 0..ctl_nr_cpu_ids()-1. */
#define CTL_NR_NODES 1
#define CTL_NODE_DISTANCE 20
unsigned ctl_nr_cpu_ids(void);
/* Node 0's RAM: bytes spanned and free (node: only 0). */
void ctl_node_meminfo(struct xen_sysctl_meminfo *m);
/* Where CPU cpu is (core and socket 0, node 0: Xen on Arm keeps no topology), or every field
 * XEN_INVALID_* when the CPU is not online. */
void ctl_cpu_topo(unsigned cpu, struct xen_sysctl_cputopo *t);
/* The default pool's scheduler as Xen numbers it (XEN_SCHEDULER_*). */
uint32_t ctl_sched_id(void);

/* cpupool_op INFO: the pool with the lowest id >= from: its id, scheduler and domain count
 * into op, its online pCPUs into *cpus.  -ENOENT past the last pool. */
long ctl_cpupool_info(uint32_t from, struct xen_sysctl_cpupool_op *op, uint64_t *cpus);
/* cpupool_op CREATE (sched_id, cpupool_id or PAR_ANY; the new id back in cpupool_id), DESTROY,
 * ADDCPU and RMCPU (cpu or PAR_ANY), MOVEDOMAIN (domid) for caller, with Xen 4.17's errors
 * (sched.h's sched_pool_* and sched_domain_move), and for CREATE -ENOENT for a scheduler Keel
 * lacks; MOVEDOMAIN: -EPERM (the caller itself), -ESRCH (no such domain), -EINVAL (being
 * destroyed), -EBUSY (its vCPUs did not stop).  -ENOSYS for another op. */
long ctl_cpupool_change(struct domain *caller, struct xen_sysctl_cpupool_op *op);

/* Where copied-out bytes go: len bytes for offset off of the caller's buffer.  Non-zero stops
 * the copy with -EFAULT. */
typedef int (*ctl_sink_fn)(void *ctx, uint32_t off, const void *buf, size_t len);
/* XEN_SYSCTL_readconsole: up to op->count bytes of Keel's console history, oldest first
 * (from op->index with incremental, when still held), through sink.  On success op->count
 * says how many and op->index where the next incremental read starts; with clear, the bytes
 * read are not returned again.  0 or -EFAULT (op unchanged). */
long ctl_readconsole(struct xen_sysctl_readconsole *op, ctl_sink_fn sink, void *ctx);

/* --- domctl --- */

/* createdomain's checks of c, Xen 4.17's on Arm: 0 (with gic_version NATIVE made V3; a
 * negative grant or maptrack frame count, "the default", passes), or -EINVAL
 * (flags other than HVM|HAP, GICv2, no vCPU or more than Keel has, a TEE, grant limits out
 * of range, nr_spis above 988, IOMMU, vPMU or trace options), -ESRCH (no such
 * pool), -EOPNOTSUPP (a pool other than Pool-0). */
long ctl_createdomain_check(struct xen_domctl_createdomain *c, const char **why);
/* createdomain: an empty domain, paused once, with c's handle: id want if in 1..0x7fef (else
 * any), its id in *id.  The errors of the check, and -EEXIST (want is taken), -EINVAL (want
 * beyond Keel's table), -ENOMEM.  Negative grant and maptrack frame counts become the
 * defaults, 64 and 1024.  A refusal of the check sets *why to a reason for a person (else it
 * is ""). */
long ctl_createdomain(domid_t want, struct xen_domctl_createdomain *c, domid_t *id,
                      const char **why);

/* get_paging_mempool_size: d's stage-2 table pool in bytes (Xen 4.17 on Arm starts every
 * domain with 16 pages).  Always 0. */
long ctl_paging_mempool_size(struct domain *d, uint64_t *bytes);
/* set_paging_mempool_size: -EINVAL unless a whole number of pages. */
long ctl_set_paging_mempool_size(struct domain *d, uint64_t bytes);
/* cacheflush: clean and invalidate to the point of coherency every page of d's memory in
 * [start_pfn, start_pfn + nr_pfns) (its RAM, grant and foreign mappings; holes skipped).
 * -EINVAL for more than CTL_CACHEFLUSH_MAX pages (Xen's 1 << MAX_ORDER) or a range that
 * wraps; else 0. */
#define CTL_CACHEFLUSH_MAX (1ULL << 18)
long ctl_cacheflush(struct domain *d, uint64_t start_pfn, uint64_t nr_pfns);

/* getvcpucontext: vCPU vcpu's registers into c, VGCF_online if it is up.  setvcpucontext:
 * reset it with c's registers and bring it up or down as c->flags say (c NULL: reset and
 * down); an up vCPU runs once d is unpaused.  Both pause d around the access; -EINVAL if d is
 * the caller, has no such vCPU, or (set) c's PSTATE is not AArch64 EL0t/EL1t/EL1h;
 * -EOVERFLOW if d cannot be paused once more. */
long ctl_getvcpucontext(struct domain *caller, struct domain *d, uint32_t vcpu,
                        struct vcpu_guest_context *c);
long ctl_setvcpucontext(struct domain *caller, struct domain *d, uint32_t vcpu,
                        const struct vcpu_guest_context *c);

/* XEN_DOMCTL_getdomaininfo, and each element of sysctl getdomaininfolist. */
void ctl_getdomaininfo(struct domain *d, struct xen_domctl_getdomaininfo *info);

/* pausedomain: -EINVAL if d is the caller (it cannot wait for itself), -EOVERFLOW past 255
 * outstanding pauses. */
long ctl_pause(struct domain *caller, struct domain *d);
/* unpausedomain: -EINVAL when no pause is outstanding. */
long ctl_unpause(struct domain *d);
/* destroydomain: -EINVAL if d is the caller; -ERESTART while d's vCPUs are still leaving
 * their pCPUs (call again: the hypercall continues); 0 once d is gone. */
long ctl_destroy(struct domain *caller, struct domain *d);
/* max_mem: d may have max_kib KiB of RAM from now on (it may hold more until it gives some
 * back).  Always 0. */
long ctl_max_mem(struct domain *d, uint64_t max_kib);
/* setdomainhandle: the toolstack's UUID of d. */
void ctl_set_handle(struct domain *d, const uint8_t handle[16]);
/* max_vcpus: Keel creates a domain's vCPUs with it, so this only confirms the count:
 * -EINVAL unless max is d's vCPU count and d is not the caller. */
long ctl_max_vcpus(struct domain *caller, struct domain *d, uint32_t max);
/* getvcpuinfo for op->vcpu: -EINVAL if d has no such vCPU. */
long ctl_getvcpuinfo(struct domain *d, struct xen_domctl_getvcpuinfo *op);
/* A vCPU's hard affinity as set (bit c: pCPU c): -EINVAL if d has no vCPU vcpu. */
long ctl_vcpu_affinity(struct domain *d, uint32_t vcpu, uint64_t *mask);
/* Set it: 0 with *effective = the pCPUs of d's pool in mask that are online; -EINVAL if d has
 * no vCPU vcpu or there is no such pCPU; -EBUSY if its pool's policy cannot move it. */
long ctl_set_vcpu_affinity(struct domain *d, uint32_t vcpu, uint64_t mask, uint64_t *effective);
/* scheduler_op: get or put d's parameters for its pool's policy, which op->sched_id must
 * name.  -EINVAL for another scheduler, an unknown command, per-vCPU commands of credit, or
 * values out of Keel's ranges (nothing changed); -EOPNOTSUPP for RTDS per-vCPU parameters
 * (ctl_sched_vcpu_op takes them one by one). */
long ctl_scheduler_op(struct domain *d, struct xen_domctl_scheduler_op *op);
/* scheduler_op getvcpuinfo/putvcpuinfo, one array entry e: RTDS reads the domain's period,
 * budget and extra time into e, or sets them from e (for the whole domain: Keel's are per
 * domain).  null: 0, nothing read or changed.  -EINVAL for another scheduler than the pool's,
 * another command, credit or credit2, a vCPU d does not have, or values out of range. */
long ctl_sched_vcpu_op(struct domain *d, uint32_t sched_id, uint32_t cmd,
                       struct xen_domctl_schedparam_vcpu *e);
/* sysctl scheduler_op: pool op->cpupool_id's policy-wide settings.  credit: the time slice
 * (tslice_ms, shared by Keel's credit pools); Keel has no rate limit or migration delay, so
 * those read 0 and only 0 is accepted (-EOPNOTSUPP otherwise).  credit2 reads a rate limit of
 * 0 likewise.  -ESRCH (no such pool), -EINVAL (sched_id not the pool's, a policy without such
 * settings, an unknown cmd, a value outside Xen's range). */
long ctl_sched_adjust_global(struct xen_sysctl_scheduler_op *op);
