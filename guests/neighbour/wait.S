/*
 * nb_wait(w): fill x2-x15 and x19-x28 with w->pattern[0..23], wait in WFI until every flag in
 * w->want is set in w->flags or the virtual count reaches w->deadline (checked at each wake-up),
 * then return how many of
 * those registers no longer hold their pattern.  Exceptions taken meanwhile save and restore
 * every register (start.S), so a changed one means the hypervisor lost it.
 * nb_bp_target: a function for a hardware breakpoint (on its first instruction, which the
 * exception handler steps over).
 */
#define W_FLAGS 0
#define W_WANT 4
#define W_DEADLINE 8
#define W_PATTERN 16

    .text
    .globl nb_wait
nb_wait:
    stp     x29, x30, [sp, #-96]!
    stp     x19, x20, [sp, #16]
    stp     x21, x22, [sp, #32]
    stp     x23, x24, [sp, #48]
    stp     x25, x26, [sp, #64]
    stp     x27, x28, [sp, #80]
    mov     x16, x0
    add     x17, x0, #W_PATTERN
    ldp     x2, x3, [x17, #0]
    ldp     x4, x5, [x17, #16]
    ldp     x6, x7, [x17, #32]
    ldp     x8, x9, [x17, #48]
    ldp     x10, x11, [x17, #64]
    ldp     x12, x13, [x17, #80]
    ldp     x14, x15, [x17, #96]
    ldp     x19, x20, [x17, #112]
    ldp     x21, x22, [x17, #128]
    ldp     x23, x24, [x17, #144]
    ldp     x25, x26, [x17, #160]
    ldp     x27, x28, [x17, #176]
    /* Look with interrupts masked, so none can set the last flag between the look and the
     * WFI; WFI wakes for a pending interrupt all the same, and it is taken once unmasked. */
1:  msr     daifset, #2
    ldr     w0, [x16, #W_FLAGS]
    ldr     w1, [x16, #W_WANT]
    and     w0, w0, w1
    cmp     w0, w1
    b.eq    2f
    isb
    mrs     x0, cntvct_el0
    ldr     x1, [x16, #W_DEADLINE]
    cmp     x0, x1
    b.hs    2f
    wfi
    msr     daifclr, #2
    isb
    b       1b
2:  msr     daifclr, #2
    mov     x0, #0
    .irp    r, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    ldr     x1, [x17], #8
    cmp     x1, x\r
    cinc    x0, x0, ne
    .endr
    .irp    r, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28
    ldr     x1, [x17], #8
    cmp     x1, x\r
    cinc    x0, x0, ne
    .endr
    ldp     x19, x20, [sp, #16]
    ldp     x21, x22, [sp, #32]
    ldp     x23, x24, [sp, #48]
    ldp     x25, x26, [sp, #64]
    ldp     x27, x28, [sp, #80]
    ldp     x29, x30, [sp], #96
    ret

    .globl nb_bp_target
    .align 4
nb_bp_target:
    nop
    ret
