/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ordinary domain beside guests/control: the toolstack's calls are not for it (domctl and
 * sysctl answer -EPERM, before even reading the argument), then it reports and waits in WFI
 * until the control domain shuts it down (SCHEDOP_remote_shutdown, poweroff).  While it waits
 * its vCPU is blocked, which the control domain watches for to know it is done.
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
    guest_summary();
    for (;;)
        wfi();
}
