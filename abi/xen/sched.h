/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sched_op(cmd, arg) (xen-abi-facts B.1 #20-21, B.3, B.4): sub-op numbers, shutdown reasons and
 * the argument structs.
 */
#pragma once

#include <xen/xen.h>

#define SCHEDOP_yield 0
#define SCHEDOP_block 1 /* not offered on Arm: guests use WFI */
#define SCHEDOP_shutdown 2
#define SCHEDOP_poll 3
#define SCHEDOP_remote_shutdown 4
#define SCHEDOP_shutdown_code 5 /* the reason to report if the domain later dies */
#define SCHEDOP_watchdog 6
#define SCHEDOP_pin_override 7

#define SHUTDOWN_poweroff 0
#define SHUTDOWN_reboot 1
#define SHUTDOWN_suspend 2
#define SHUTDOWN_crash 3
#define SHUTDOWN_watchdog 4
#define SHUTDOWN_soft_reset 5

struct sched_shutdown {
    uint32_t reason; /* SHUTDOWN_* */
};
XEN_ABI_SIZE(struct sched_shutdown, 4);

/* Block until one of the ports is pending or the timeout passes. */
struct sched_poll {
    xen_guest_handle_t ports; /* evtchn_port_t[nr_ports] */
    uint32_t nr_ports;
    uint32_t pad;
    uint64_t timeout; /* absolute system time in ns, 0 = none */
};
XEN_ABI_SIZE(struct sched_poll, 24);
XEN_ABI_OFFSET(struct sched_poll, ports, 0);
XEN_ABI_OFFSET(struct sched_poll, nr_ports, 8);
XEN_ABI_OFFSET(struct sched_poll, timeout, 16);

struct sched_remote_shutdown {
    domid_t domain_id;
    uint16_t pad;
    uint32_t reason; /* SHUTDOWN_* */
};
XEN_ABI_SIZE(struct sched_remote_shutdown, 8);
XEN_ABI_OFFSET(struct sched_remote_shutdown, domain_id, 0);
XEN_ABI_OFFSET(struct sched_remote_shutdown, reason, 4);

/* id 0 allocates a watchdog and returns its id; timeout 0 frees watchdog id; otherwise
 * (re)arms watchdog id for timeout seconds.  Expiry shuts the domain down (watchdog). */
struct sched_watchdog {
    uint32_t id;
    uint32_t timeout;
};
XEN_ABI_SIZE(struct sched_watchdog, 8);
XEN_ABI_OFFSET(struct sched_watchdog, id, 0);
XEN_ABI_OFFSET(struct sched_watchdog, timeout, 4);
