# SPDX-License-Identifier: Apache-2.0
HYP_OBJS += hyp/arch/arm64/head.S hyp/arch/arm64/entry.S hyp/arch/arm64/mmu.c \
            hyp/arch/arm64/pgtable.c hyp/arch/arm64/traps_hyp.c hyp/arch/arm64/cpu.c \
            hyp/arch/arm64/psci.c hyp/arch/arm64/setup.c
# the CPU identification registers guests see
HYP_OBJS += hyp/arch/arm64/idregs.c hyp/arch/arm64/vdebug.c
# Spectre mitigations: classification (pure) and the boot glue that installs them
HYP_OBJS += hyp/arch/arm64/spectre.c hyp/arch/arm64/spectre_boot.c
# virtual GIC: state, per-interrupt registers, distributor and redistributor frames, list
# registers, host SPIs given to domains, ICH_* system registers
HYP_OBJS += hyp/arch/arm64/vgic/vgic.c hyp/arch/arm64/vgic/regs.c hyp/arch/arm64/vgic/dist.c \
            hyp/arch/arm64/vgic/redist.c hyp/arch/arm64/vgic/lr.c hyp/arch/arm64/vgic/passthru.c \
            hyp/arch/arm64/vgic/hw.c
# virtual timers
HYP_OBJS += hyp/arch/arm64/vtimer.c
# guests: stage 2, vCPU context and run loop, exits, PSCI, device tree
HYP_OBJS += hyp/arch/arm64/cache.S hyp/arch/arm64/p2m.c hyp/arch/arm64/p2m_map.c hyp/arch/arm64/vcpu.c \
            hyp/arch/arm64/traps_guest.c hyp/arch/arm64/vpsci.c hyp/arch/arm64/guest_fdt.c hyp/arch/arm64/guest_va.c
# dom0: its device tree and the devices it gets, both derived from the host's device tree
HYP_OBJS += hyp/arch/arm64/dom0_fdt.c hyp/arch/arm64/host_dt.c
# loads and stores without an instruction syndrome, decoded for emulated MMIO
HYP_OBJS += hyp/arch/arm64/mmio_insn.c
# EL2 physical timer registers (core/timer.c has the queues)
HYP_OBJS += hyp/arch/arm64/timer.c
