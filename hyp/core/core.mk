# SPDX-License-Identifier: Apache-2.0
HYP_OBJS += hyp/core/main.c hyp/core/console.c hyp/core/bootinfo.c hyp/core/selftest.c hyp/core/vmmio.c hyp/core/rng.c \
            hyp/core/ratelimit.c
# memory management (page allocator, heap)
HYP_OBJS += hyp/core/mm/page_alloc.c hyp/core/mm/page_alloc_boot.c hyp/core/mm/page_alloc_selftest.c \
            hyp/core/mm/frame.c hyp/core/mm/physmap.c hyp/core/mm/memory.c \
            hyp/core/mm/heap.c hyp/core/mm/heap_selftest.c
# interrupts, time, SMP
HYP_OBJS += hyp/core/irq.c hyp/core/timer.c hyp/core/smp.c hyp/core/irq_selftest.c
# domains, vCPUs, scheduling, hypercalls
HYP_OBJS += hyp/core/domain.c hyp/core/domain_build.c hyp/core/domain_shutdown.c \
            hyp/core/kernel_image.c hyp/core/dom0.c \
            hyp/core/vcpu.c hyp/core/watchdog.c hyp/core/guest_access.c hyp/core/sched/sched.c \
            hyp/core/shared_info.c hyp/core/grant/gnttab.c hyp/core/grant/gnttab_map.c \
            hyp/core/grant/gnttab_copy.c
# event channels (hyp/include/hyp/evtchn.h)
HYP_OBJS += hyp/core/event/evtchn.c hyp/core/event/evtchn_2l.c hyp/core/event/evtchn_fifo.c \
            hyp/core/event/virq.c hyp/core/event/evtchn_static.c
HYP_OBJS += hyp/core/hypercall/hypercall.c hyp/core/hypercall/multicall.c hyp/core/hypercall/version.c \
            hyp/core/hypercall/memory_op.c hyp/core/hypercall/vcpu_op.c hyp/core/hypercall/hvm_op.c \
            hyp/core/hypercall/console_io.c hyp/core/hvm_param.c \
            hyp/core/hypercall/sched_op.c hyp/core/hypercall/subop.c hyp/core/policy.c \
            hyp/core/hypercall/grant_table_op.c \
            hyp/core/hypercall/event_channel_op.c
# the toolstack's domctl and sysctl: decoding, then the work in core/control/
HYP_OBJS += hyp/core/hypercall/domctl.c hyp/core/hypercall/sysctl.c hyp/core/hypercall/xenctl_bitmap.c \
            hyp/core/control/dominfo.c hyp/core/control/lifecycle.c hyp/core/control/vcpus.c \
            hyp/core/control/scheduler.c hyp/core/control/cpupool.c hyp/core/control/physinfo.c \
            hyp/core/control/readconsole.c hyp/core/control/create.c hyp/core/control/memory.c hyp/core/control/vcpuctx.c
# console input switch and Keel's command console
HYP_OBJS += hyp/core/console_switch.c
include hyp/core/vdev/vdev.mk
# scheduler: framework, CPU pools, policies (docs/scheduling.md)
HYP_OBJS += hyp/core/sched/cpupool.c hyp/core/sched/credit.c hyp/core/sched/rtds.c \
            hyp/core/sched/null.c hyp/core/sched/sched_ctl.c hyp/core/sched/pool_ctl.c \
            hyp/core/sched/sched_selftest.c
