/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EL2 exception vectors (Arm ARM D1.10.2: VBAR_EL2 table of 16 entries of 0x80 bytes).
 *
 * Exceptions from EL2 itself: interrupts are handled and returned from; anything synchronous
 * or an SError is a Keel bug, reported by hyp_fatal().
 *
 * Exceptions from a guest (lower EL, AArch64) follow the "run loop" model: guest_enter()
 * saves the hypervisor's callee-saved registers on its stack and ERETs; on exit the vector
 * stores the guest registers into the frame this CPU's percpu block points at, restores the
 * hypervisor registers and returns from guest_enter() with an EXIT_* code.  So C code runs
 * with a normal call stack, and a vCPU switch needs no stack switch.
 *
 * Spectre: there is one table per exit mitigation (enum spectre_exit), identical but for what
 * a guest exit runs first, and each CPU's VBAR_EL2 names the one it needs (spectre_boot.c).
 * The mitigation comes before Keel's first indirect branch or call, and with no conditional
 * branch a guest could train to skip it; an unaffected CPU keeps the plain table, whose exit
 * path is unchanged.  Every exit pays it, which also covers a switch to another domain's vCPU.
 */
#include <arm64/regs.h>

.macro save_hyp_frame_rest
    stp     x2, x3, [sp, #FRAME_X(2)]
    stp     x4, x5, [sp, #FRAME_X(4)]
    stp     x6, x7, [sp, #FRAME_X(6)]
    stp     x8, x9, [sp, #FRAME_X(8)]
    stp     x10, x11, [sp, #FRAME_X(10)]
    stp     x12, x13, [sp, #FRAME_X(12)]
    stp     x14, x15, [sp, #FRAME_X(14)]
    stp     x16, x17, [sp, #FRAME_X(16)]
    stp     x18, x19, [sp, #FRAME_X(18)]
    stp     x20, x21, [sp, #FRAME_X(20)]
    stp     x22, x23, [sp, #FRAME_X(22)]
    stp     x24, x25, [sp, #FRAME_X(24)]
    stp     x26, x27, [sp, #FRAME_X(26)]
    stp     x28, x29, [sp, #FRAME_X(28)]
    add     x2, sp, #FRAME_SIZE
    stp     x30, x2, [sp, #FRAME_X(30)]
    mrs     x2, elr_el2
    mrs     x3, spsr_el2
    stp     x2, x3, [sp, #FRAME_PC]
    mrs     x2, esr_el2
    mrs     x3, far_el2
    stp     x2, x3, [sp, #FRAME_ESR]
.endm

.macro restore_hyp_frame
    ldp     x0, x1, [sp, #FRAME_PC]
    msr     elr_el2, x0
    msr     spsr_el2, x1
    ldp     x0, x1, [sp, #FRAME_X(0)]
    ldp     x2, x3, [sp, #FRAME_X(2)]
    ldp     x4, x5, [sp, #FRAME_X(4)]
    ldp     x6, x7, [sp, #FRAME_X(6)]
    ldp     x8, x9, [sp, #FRAME_X(8)]
    ldp     x10, x11, [sp, #FRAME_X(10)]
    ldp     x12, x13, [sp, #FRAME_X(12)]
    ldp     x14, x15, [sp, #FRAME_X(14)]
    ldp     x16, x17, [sp, #FRAME_X(16)]
    ldp     x18, x19, [sp, #FRAME_X(18)]
    ldp     x20, x21, [sp, #FRAME_X(20)]
    ldp     x22, x23, [sp, #FRAME_X(22)]
    ldp     x24, x25, [sp, #FRAME_X(24)]
    ldp     x26, x27, [sp, #FRAME_X(26)]
    ldp     x28, x29, [sp, #FRAME_X(28)]
    ldr     x30, [sp, #FRAME_X(30)]
    add     sp, sp, #FRAME_SIZE
.endm

/* Vector slots are 32 instructions: park x0/x1, pass the slot number, save the rest out of
 * line. */
.macro hyp_entry kind
    .align 7
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp, #FRAME_X(0)]
    mov     x1, #\kind
    b       hyp_common
.endm

/* What a guest exit runs before anything else, with x0/x1 parked on the stack. */
.macro mitigate_none
.endm

/* The branch-history loop: k taken branches overwrite the history a guest left, then a
 * barrier so nothing after it is predicted from the old one (Arm, "Spectre-BHB", 2022: the
 * loop and the count per core; SB is DSB NSH; ISB where FEAT_SB is missing). */
.macro mitigate_loop
    mrs     x0, tpidr_el2
    ldr     x0, [x0, #PERCPU_BHB_LOOPS]
1:  b       . + 4
    subs    x0, x0, #1
    b.ne    1b
    dsb     nsh
    isb
.endm

/* FEAT_CLRBHB: CLRBHB (HINT #22) then ISB clears the branch history. */
.macro mitigate_clrbhb
    hint    #22
    isb
.endm

/* A firmware workaround over SMC #0.  SMCCC 1.1 lets the call corrupt x0-x3 (DEN 0028 2.6);
 * x0/x1 are parked already. */
.macro mitigate_fw id
    stp     x2, x3, [sp, #-16]!
    movz    w0, #(\id >> 16), lsl #16
    movk    w0, #(\id & 0xffff)
    smc     #0
    ldp     x2, x3, [sp], #16
.endm

.macro mitigate_fw_wa1
    mitigate_fw 0x80008000          /* SMCCC_ARCH_WORKAROUND_1 */
.endm

.macro mitigate_fw_wa3
    mitigate_fw 0x80003FFF          /* SMCCC_ARCH_WORKAROUND_3 (v2 and BHB) */
.endm

.macro mitigate_fw_wa1_loop
    mitigate_fw_wa1
    mitigate_loop
.endm

.macro mitigate_fw_wa1_clrbhb
    mitigate_fw_wa1
    mitigate_clrbhb
.endm

/* Guest exit: x0/x1 are parked on the stack while we find the guest frame. */
.macro guest_exit_entry code, mitigation
    .align 7
9990:
    stp     x0, x1, [sp, #-16]!
    mitigate_\mitigation
    mrs     x0, tpidr_el2
    ldr     x0, [x0]                        /* percpu->arch.guest_regs */
    stp     x2, x3, [x0, #GUEST_X(2)]
    stp     x4, x5, [x0, #GUEST_X(4)]
    stp     x6, x7, [x0, #GUEST_X(6)]
    stp     x8, x9, [x0, #GUEST_X(8)]
    stp     x10, x11, [x0, #GUEST_X(10)]
    stp     x12, x13, [x0, #GUEST_X(12)]
    stp     x14, x15, [x0, #GUEST_X(14)]
    mov     x1, #\code
    b       guest_exit_common
    /* A slot is 128 bytes: a longer one would shift the next and break the table. */
    .if (. - 9990b) > 128
    .error "guest exit vector entry longer than its 128-byte slot"
    .endif
.endm

/* One table: exceptions from EL2 as always, guest exits with the given mitigation first. */
.macro vector_table name, mitigation
    .align 11
    .globl \name
\name:
    /* Current EL with SP_EL0: never used by Keel. */
    hyp_entry 0
    hyp_entry 1
    hyp_entry 2
    hyp_entry 3
    /* Current EL with SP_ELx. */
    hyp_entry 4
    hyp_entry 5
    hyp_entry 6
    hyp_entry 7
    /* Lower EL, AArch64: a guest. */
    guest_exit_entry EXIT_SYNC, \mitigation
    guest_exit_entry EXIT_IRQ, \mitigation
    guest_exit_entry EXIT_FIQ, \mitigation
    guest_exit_entry EXIT_SERROR, \mitigation
    /* Lower EL, AArch32: Keel runs no 32-bit guests (HCR_EL2.RW = 1). */
    hyp_entry 12
    hyp_entry 13
    hyp_entry 14
    hyp_entry 15
.endm

    .text
    vector_table el2_vectors, none
    vector_table el2_vectors_loop, loop
    vector_table el2_vectors_clrbhb, clrbhb
    vector_table el2_vectors_fw_wa1, fw_wa1
    vector_table el2_vectors_fw_wa1_loop, fw_wa1_loop
    vector_table el2_vectors_fw_wa1_clrbhb, fw_wa1_clrbhb
    vector_table el2_vectors_fw_wa3, fw_wa3

/* x1 = vector slot; x0/x1 of the interrupted code already in the frame. */
hyp_common:
    mov     x0, x1
    save_hyp_frame_rest
    cmp     x0, #5                          /* IRQ while at EL2 (idle or irq-enabled code) */
    b.ne    1f
    mov     x0, sp
    bl      hyp_irq
    restore_hyp_frame
    eret
1:  mov     x1, x0
    mov     x0, sp
    bl      hyp_fatal
    b       park

guest_exit_common:
    /* x0 = guest frame, x1 = exit code, guest x0/x1 on the stack. */
    stp     x16, x17, [x0, #GUEST_X(16)]
    stp     x18, x19, [x0, #GUEST_X(18)]
    stp     x20, x21, [x0, #GUEST_X(20)]
    stp     x22, x23, [x0, #GUEST_X(22)]
    stp     x24, x25, [x0, #GUEST_X(24)]
    stp     x26, x27, [x0, #GUEST_X(26)]
    stp     x28, x29, [x0, #GUEST_X(28)]
    ldp     x2, x3, [sp], #16
    stp     x2, x3, [x0, #GUEST_X(0)]
    mrs     x2, elr_el2
    mrs     x3, spsr_el2
    stp     x30, x2, [x0, #GUEST_X(30)]
    str     x3, [x0, #GUEST_PSTATE]
    mov     x0, x1
    /* Back into guest_enter()'s caller. */
    ldp     x19, x20, [sp, #0]
    ldp     x21, x22, [sp, #16]
    ldp     x23, x24, [sp, #32]
    ldp     x25, x26, [sp, #48]
    ldp     x27, x28, [sp, #64]
    ldp     x29, x30, [sp, #80]
    add     sp, sp, #96
    ret

/* int guest_enter(struct guest_regs *regs) */
    .globl guest_enter
guest_enter:
    sub     sp, sp, #96
    stp     x19, x20, [sp, #0]
    stp     x21, x22, [sp, #16]
    stp     x23, x24, [sp, #32]
    stp     x25, x26, [sp, #48]
    stp     x27, x28, [sp, #64]
    stp     x29, x30, [sp, #80]
    mrs     x1, tpidr_el2
    str     x0, [x1]                        /* percpu->arch.guest_regs = regs */
    ldp     x1, x2, [x0, #GUEST_PC]
    msr     elr_el2, x1
    msr     spsr_el2, x2
    ldp     x2, x3, [x0, #GUEST_X(2)]
    ldp     x4, x5, [x0, #GUEST_X(4)]
    ldp     x6, x7, [x0, #GUEST_X(6)]
    ldp     x8, x9, [x0, #GUEST_X(8)]
    ldp     x10, x11, [x0, #GUEST_X(10)]
    ldp     x12, x13, [x0, #GUEST_X(12)]
    ldp     x14, x15, [x0, #GUEST_X(14)]
    ldp     x16, x17, [x0, #GUEST_X(16)]
    ldp     x18, x19, [x0, #GUEST_X(18)]
    ldp     x20, x21, [x0, #GUEST_X(20)]
    ldp     x22, x23, [x0, #GUEST_X(22)]
    ldp     x24, x25, [x0, #GUEST_X(24)]
    ldp     x26, x27, [x0, #GUEST_X(26)]
    ldp     x28, x29, [x0, #GUEST_X(28)]
    ldr     x30, [x0, #GUEST_X(30)]
    ldp     x0, x1, [x0, #GUEST_X(0)]
    eret
