/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The toolstack's createdomain: Xen 4.17's checks of the configuration (common ones first,
 * then Arm's, then those of the parts the domain is made of), then an empty domain made
 * paused, as Xen makes every domain: its id, address space, vGIC and offline vCPUs, no memory
 * and an allowance of none (the toolstack sets max_mem next, then populates).  It runs once
 * the toolstack's unpause brings the pause count to 0 and a vCPU is brought up.
 */
#include <hyp/control.h>
#include <hyp/errno.h>
#include <hyp/gnttab.h>
#include <hyp/sched.h>
#include <hyp/string.h>

#define CDF_KNOWN                                                                                  \
    (XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap | XEN_DOMCTL_CDF_s3_integrity |                       \
     XEN_DOMCTL_CDF_oos_off | XEN_DOMCTL_CDF_xs_domain | XEN_DOMCTL_CDF_iommu |                    \
     XEN_DOMCTL_CDF_nested_virt | XEN_DOMCTL_CDF_vpmu)
/* Xen's vGIC limit: SPIs 32..1019. */
#define MAX_SPIS 988

/* Refuse with rc and say why (for the message the toolstack's user reads in Keel's log). */
#define REFUSE(rc, reason)                                                                         \
    do {                                                                                           \
        *why = (reason);                                                                           \
        return (rc);                                                                               \
    } while (0)

long ctl_createdomain_check(struct xen_domctl_createdomain *c, const char **why)
{
    /* Common: unknown flags or grant options, no vCPU, HAP without HVM.  Keel has no IOMMU,
     * no vPMU and no trace buffers, which Xen refuses when it lacks them. */
    if (c->flags & ~CDF_KNOWN)
        REFUSE(-EINVAL, "unknown flags");
    if (c->grant_opts & ~XEN_DOMCTL_GRANT_version_mask)
        REFUSE(-EINVAL, "unknown grant options");
    if (!c->max_vcpus)
        REFUSE(-EINVAL, "no vCPU");
    if (c->flags & XEN_DOMCTL_CDF_iommu)
        REFUSE(-EINVAL, "device pass-through asked, Keel has no IOMMU driver");
    if (c->flags & XEN_DOMCTL_CDF_vpmu)
        REFUSE(-EINVAL, "a vPMU asked, Keel offers none");
    if (c->iommu_opts)
        REFUSE(-EINVAL, "IOMMU options, Keel has no IOMMU driver");
    if (c->vmtrace_size)
        REFUSE(-EINVAL, "trace buffers asked, Keel offers none");
    /* Arm: exactly HVM and HAP; the native GIC (GICv3 here) chosen and told back. */
    if (c->flags != (XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap))
        REFUSE(-EINVAL, "flags other than HVM and HAP, which Arm domains are");
    if (c->arch.gic_version == XEN_DOMCTL_CONFIG_GIC_NATIVE)
        c->arch.gic_version = XEN_DOMCTL_CONFIG_GIC_V3;
    if (c->arch.gic_version != XEN_DOMCTL_CONFIG_GIC_V3)
        REFUSE(-EINVAL, "a GIC other than the host's GICv3"); /* Xen: no such vGIC, no vCPU */
    if (c->max_vcpus > MAX_VCPUS_PER_DOMAIN)
        REFUSE(-EINVAL, "more vCPUs than Keel gives a domain");
    if (c->arch.tee_type != XEN_DOMCTL_CONFIG_TEE_NONE)
        REFUSE(-EINVAL, "a TEE mediator asked, Keel has none");
    /* The grant table: version 1 only (Xen's opt_gnttab_max_version on Arm), 1..64 frames, a
     * maptrack of at most 1024 frames; a negative count is "the hypervisor's default" (what
     * libxl sends unless the config sets max_grant_frames), Xen's 64 and 1024, applied when
     * the domain is made (the caller's struct goes back with its -1, as from Xen). */
    if (XEN_DOMCTL_GRANT_version(c->grant_opts) != 1)
        REFUSE(-EINVAL, "a grant table version other than 1");
    if (c->max_grant_frames == 0 || c->max_grant_frames > GNTTAB_MAX_FRAMES_LIMIT)
        REFUSE(-EINVAL, "max_grant_frames not in 1..64");
    if (c->max_maptrack_frames > GNTTAB_MAX_MAPTRACK_FRAMES_LIMIT)
        REFUSE(-EINVAL, "max_maptrack_frames above 1024");
    /* The vGIC. */
    if (c->arch.nr_spis > MAX_SPIS)
        REFUSE(-EINVAL, "more than 988 SPIs");
    /* The pool (xl's pool=): one that exists and has a pCPU to run the domain on, as Xen's
     * cpupool_add_domain asks (-ESRCH, -ENODEV). */
    unsigned id, n;
    enum sched_kind kind;
    uint64_t cpus;
    if (!sched_pool_info(c->cpupool_id, &id, &kind, &cpus, &n) || id != c->cpupool_id)
        REFUSE(-ESRCH, "no such CPU pool");
    if (!cpus)
        REFUSE(-ENODEV, "the CPU pool has no pCPU");
    /* ssidref (no XSM), max_evtchn_port (capped at what the ABI in use has, as Xen does) and
     * clock_frequency (the guest's device tree's, which the toolstack writes) need nothing. */
    return 0;
}

long ctl_createdomain(domid_t want, struct xen_domctl_createdomain *c, domid_t *id,
                      const char **why)
{
    *why = "";
    long rc = ctl_createdomain_check(c, why);
    if (rc)
        return rc;
    struct domain_config cfg = { 0 };
    cfg.toolstack = true;
    /* 0 and reserved ids: any (Xen's rule). */
    cfg.domid = want < DOMID_FIRST_RESERVED ? want : 0;
    cfg.nr_vcpus = c->max_vcpus;
    cfg.xen_enhanced = true;
    cfg.nr_spis = c->arch.nr_spis;
    /* 0 (no port but the reserved one) reads as the default in a config: port 1 at least. */
    cfg.max_evtchn_port = c->max_evtchn_port ? c->max_evtchn_port : 1;
    cfg.max_grant_frames =
        c->max_grant_frames < 0 ? GNTTAB_MAX_FRAMES_LIMIT : (uint32_t)c->max_grant_frames;
    if (c->max_maptrack_frames < 0)
        cfg.max_maptrack_frames = GNTTAB_MAX_MAPTRACK_FRAMES_LIMIT;
    else
        cfg.max_maptrack_frames =
            c->max_maptrack_frames ? (uint32_t)c->max_maptrack_frames : GNTTAB_NO_MAPTRACK;
    /* A shut-down domain waits for the toolstack, which decides what comes next. */
    cfg.on_poweroff = cfg.on_reboot = cfg.on_crash = ACTION_PRESERVE;
    int err = 0;
    struct domain *d = domain_create(&cfg, &err);
    if (!d)
        return err == -ENOSPC ? -ENOMEM : err; /* Xen: -ENOMEM when no id is free */
    /* Built in the default pool, moved before anything can run it (its vCPUs are down until
     * the toolstack brings them up): the same path as cpupool_op's MOVEDOMAIN.  A pool
     * destroyed or emptied meanwhile takes the new domain with it. */
    if (c->cpupool_id) {
        int mrc = sched_domain_move(d, c->cpupool_id);
        if (mrc) {
            domain_kill(d);
            *why = "the CPU pool went away or lost its pCPUs";
            return mrc == -ENOENT ? -ENODEV : mrc == -EAGAIN ? -EBUSY : mrc;
        }
    }
    memcpy(d->handle, c->handle, sizeof(d->handle));
    /* Paused by the toolstack once (its unpause lets it run), and there for it from now on
     * (release: see ctl_domain_get). */
    unsigned long flags = spin_lock_irqsave(&d->lock);
    d->pauses = 1;
    __atomic_store_n(&d->state, DOM_PAUSED, __ATOMIC_RELEASE);
    spin_unlock_irqrestore(&d->lock, flags);
    *id = (domid_t)d->id;
    return 0;
}
