/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ordinary domain beside guests/control: the toolstack's calls are not for it (domctl and
 * sysctl answer -EPERM, before even reading the argument; so do those a toolstack makes while
 * it builds a guest, such as createdomain with the default grant limits), then it reports and
 * waits in WFI until the control domain shuts it down (SCHEDOP_remote_shutdown, poweroff).
 * While it waits its vCPU is blocked, which the control domain watches for to know it is
 * done.
 */
#include <xen/domctl.h>
#include <xen/sysctl.h>
#include "arm.h"
#include "console.h"
#include "guest.h"
#include "platform.h"
#include "test.h"
#include "xen.h"

const char guest_name[] = "ctlpeer";

void guest_main(void *dtb)
{
    if (!plat.hypervisor) {
        note("ctlpeer: no hypervisor, nothing to test");
        return;
    }
    static struct xen_domctl dc = { .cmd = XEN_DOMCTL_getdomaininfo,
                                    .interface_version = XEN_DOMCTL_INTERFACE_VERSION };
    static struct xen_sysctl sc = { .cmd = XEN_SYSCTL_physinfo,
                                    .interface_version = XEN_SYSCTL_INTERFACE_VERSION };
    long r = xen_hypercall(HYPERVISOR_domctl, (uintptr_t)&dc, 0, 0, 0, 0);
    check(r == -XEN_EPERM, "ctlpeer_domctl_eperm", "domctl(getdomaininfo) = %ld, want -EPERM", r);
    r = xen_hypercall(HYPERVISOR_sysctl, (uintptr_t)&sc, 0, 0, 0, 0);
    check(r == -XEN_EPERM, "ctlpeer_sysctl_eperm", "sysctl(physinfo) = %ld, want -EPERM", r);
    r = xen_hypercall(HYPERVISOR_domctl, 0, 0, 0, 0, 0);
    check(r == -XEN_EPERM, "ctlpeer_domctl_eperm_null", "domctl(NULL) = %ld, want -EPERM", r);
    check(dc.domain == 0 && sc.u.physinfo.nr_cpus == 0, "ctlpeer_nothing_written",
          "the refused calls wrote nothing back");
    /* Pools are the control domain's to change, as everything in sysctl. */
    static struct xen_sysctl pool = { .cmd = XEN_SYSCTL_cpupool_op,
                                      .interface_version = XEN_SYSCTL_INTERFACE_VERSION,
                                      .u.cpupool_op = { .op = XEN_SYSCTL_CPUPOOL_OP_CREATE,
                                                        .cpupool_id = XEN_SYSCTL_CPUPOOL_PAR_ANY,
                                                        .sched_id = XEN_SCHEDULER_CREDIT } };
    r = xen_hypercall(HYPERVISOR_sysctl, (uintptr_t)&pool, 0, 0, 0, 0);
    check(r == -XEN_EPERM && pool.u.cpupool_op.cpupool_id == XEN_SYSCTL_CPUPOOL_PAR_ANY,
          "ctlpeer_cpupool_eperm", "sysctl(cpupool_op create) = %ld, want -EPERM", r);
    pool.u.cpupool_op.op = XEN_SYSCTL_CPUPOOL_OP_RMCPU;
    pool.u.cpupool_op.cpupool_id = 0;
    pool.u.cpupool_op.cpu = 0;
    r = xen_hypercall(HYPERVISOR_sysctl, (uintptr_t)&pool, 0, 0, 0, 0);
    check(r == -XEN_EPERM, "ctlpeer_cpupool_rmcpu_eperm", "sysctl(cpupool_op rmcpu) = %ld", r);
    /* The calls a toolstack makes while it builds a guest are the control domain's too. */
    static struct xen_domctl create = {
        .cmd = XEN_DOMCTL_createdomain,
        .interface_version = XEN_DOMCTL_INTERFACE_VERSION,
        .u.createdomain = { .flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap,
                            .max_vcpus = 1,
                            .max_grant_frames = -1,
                            .max_maptrack_frames = -1,
                            .grant_opts = XEN_DOMCTL_GRANT_version(1) },
    };
    static struct xen_domctl size = { .cmd = XEN_DOMCTL_set_address_size,
                                      .interface_version = XEN_DOMCTL_INTERFACE_VERSION,
                                      .u.address_size.size = 64 };
    static struct xen_sysctl numa = { .cmd = XEN_SYSCTL_numainfo,
                                      .interface_version = XEN_SYSCTL_INTERFACE_VERSION };
    long rc = xen_hypercall(HYPERVISOR_domctl, (uintptr_t)&create, 0, 0, 0, 0);
    long rs = xen_hypercall(HYPERVISOR_domctl, (uintptr_t)&size, 0, 0, 0, 0);
    long rn = xen_hypercall(HYPERVISOR_sysctl, (uintptr_t)&numa, 0, 0, 0, 0);
    check(rc == -XEN_EPERM && rs == -XEN_EPERM && rn == -XEN_EPERM && create.domain == 0 &&
              numa.u.numainfo.num_nodes == 0,
          "ctlpeer_build_calls_eperm",
          "createdomain with the default grant limits %ld, set_address_size %ld, numainfo %ld, "
          "want -EPERM and nothing written",
          rc, rs, rn);
    guest_summary();
    for (;;)
        wfi();
}
