/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cache maintenance and FP/SIMD register save/restore.  In assembly because Keel's C code is
 * built with -mgeneral-regs-only and must never touch FP/SIMD registers itself.
 */

/* x2 = data cache line size in bytes; clobbers x3. */
.macro dcache_line_size
    mrs     x3, ctr_el0
    ubfx    x3, x3, #16, #4
    mov     x2, #4
    lsl     x2, x2, x3
.endm

/* void arch_clear_memory(void *p, uint64_t size): p and size page aligned.  DC ZVA zeroes a
 * block at a time (DCZID_EL0); then clean to PoC so a guest with caches off sees the zeros.
 * Unrolled: guest memory is zeroed on every domain build, and under -icount each instruction
 * is a nanosecond of machine time. */
    .globl arch_clear_memory
arch_clear_memory:
    mov     x8, #1                      /* then clean */
    b       zero_pages

/* void arch_zero_memory(void *p, uint64_t size): the same without the clean (Keel's own use). */
    .globl arch_zero_memory
arch_zero_memory:
    mov     x8, #0
zero_pages:
    add     x1, x0, x1                  /* end */
    mov     x5, x0
    mrs     x3, dczid_el0
    tbnz    x3, #4, 3f                  /* DZP: DC ZVA prohibited */
    and     x3, x3, #0xf
    mov     x4, #4
    lsl     x4, x4, x3                  /* block size */
    cmp     x4, #64
    b.ne    2f
1:  dc      zva, x0                     /* 64-byte blocks: 8 per iteration (512 B) */
    add     x6, x0, #64
    dc      zva, x6
    add     x6, x0, #128
    dc      zva, x6
    add     x6, x0, #192
    dc      zva, x6
    add     x6, x0, #256
    dc      zva, x6
    add     x6, x0, #320
    dc      zva, x6
    add     x6, x0, #384
    dc      zva, x6
    add     x6, x0, #448
    dc      zva, x6
    add     x0, x0, #512
    cmp     x0, x1
    b.lo    1b
    b       4f
2:  dc      zva, x0
    add     x0, x0, x4
    cmp     x0, x1
    b.lo    2b
    b       4f
3:  stp     xzr, xzr, [x0], #16
    stp     xzr, xzr, [x0], #16
    stp     xzr, xzr, [x0], #16
    stp     xzr, xzr, [x0], #16
    cmp     x0, x1
    b.lo    3b
4:  cbz     x8, 6f
    mov     x0, x5
    b       arch_clean_dcache_end
6:  ret

/* void arch_clean_dcache(const void *p, uint64_t size) */
    .globl arch_clean_dcache
arch_clean_dcache:
    cbz     x1, 2f
    add     x1, x0, x1
/* Clean [x0, x1) to PoC. */
arch_clean_dcache_end:
    dcache_line_size
    sub     x3, x2, #1
    bic     x0, x0, x3
    cmp     x2, #64
    b.ne    1f
    sub     x7, x1, #512                /* 64-byte lines: 8 per iteration while they fit */
5:  cmp     x0, x7
    b.hi    1f
    dc      cvac, x0
    add     x6, x0, #64
    dc      cvac, x6
    add     x6, x0, #128
    dc      cvac, x6
    add     x6, x0, #192
    dc      cvac, x6
    add     x6, x0, #256
    dc      cvac, x6
    add     x6, x0, #320
    dc      cvac, x6
    add     x6, x0, #384
    dc      cvac, x6
    add     x6, x0, #448
    dc      cvac, x6
    add     x0, x0, #512
    b       5b
1:  cmp     x0, x1
    b.hs    3f
    dc      cvac, x0
    add     x0, x0, x2
    b       1b
3:  dsb     ish
2:  ret

/* void arch_clean_inval_dcache(const void *p, uint64_t size): clean and invalidate to PoC
 * (DC CIVAC), so a later read misses and sees what a non-coherent agent wrote, and nothing
 * dirty is discarded. */
    .globl arch_clean_inval_dcache
arch_clean_inval_dcache:
    cbz     x1, 2f
    add     x1, x0, x1
    dcache_line_size
    sub     x3, x2, #1
    bic     x0, x0, x3
1:  dc      civac, x0
    add     x0, x0, x2
    cmp     x0, x1
    b.lo    1b
    dsb     ish
2:  ret

/* void arch_icache_invalidate(void) */
    .globl arch_icache_invalidate
arch_icache_invalidate:
    dsb     ish
    ic      ialluis
    dsb     ish
    isb
    ret

/* void fpsimd_save(struct fpsimd_state *s) / fpsimd_restore(const struct fpsimd_state *s):
 * q0-q31 then FPSR, FPCR (layout of struct fpsimd_state). */
    .globl fpsimd_save
fpsimd_save:
    stp     q0, q1, [x0, #0]
    stp     q2, q3, [x0, #32]
    stp     q4, q5, [x0, #64]
    stp     q6, q7, [x0, #96]
    stp     q8, q9, [x0, #128]
    stp     q10, q11, [x0, #160]
    stp     q12, q13, [x0, #192]
    stp     q14, q15, [x0, #224]
    stp     q16, q17, [x0, #256]
    stp     q18, q19, [x0, #288]
    stp     q20, q21, [x0, #320]
    stp     q22, q23, [x0, #352]
    stp     q24, q25, [x0, #384]
    stp     q26, q27, [x0, #416]
    stp     q28, q29, [x0, #448]
    stp     q30, q31, [x0, #480]
    mrs     x1, fpsr
    mrs     x2, fpcr
    add     x0, x0, #512
    stp     w1, w2, [x0]
    ret

    .globl fpsimd_restore
fpsimd_restore:
    ldp     q0, q1, [x0, #0]
    ldp     q2, q3, [x0, #32]
    ldp     q4, q5, [x0, #64]
    ldp     q6, q7, [x0, #96]
    ldp     q8, q9, [x0, #128]
    ldp     q10, q11, [x0, #160]
    ldp     q12, q13, [x0, #192]
    ldp     q14, q15, [x0, #224]
    ldp     q16, q17, [x0, #256]
    ldp     q18, q19, [x0, #288]
    ldp     q20, q21, [x0, #320]
    ldp     q22, q23, [x0, #352]
    ldp     q24, q25, [x0, #384]
    ldp     q26, q27, [x0, #416]
    ldp     q28, q29, [x0, #448]
    ldp     q30, q31, [x0, #480]
    add     x0, x0, #512
    ldp     w1, w2, [x0]
    msr     fpsr, x1
    msr     fpcr, x2
    ret

/* void arch_copy_memory(void *dst, const void *src, uint64_t size): a copy between ranges that
 * do not overlap, for bulk data (grant copies) in Normal memory with the MMU on, where
 * unaligned accesses are allowed (SCTLR_EL2.A = 0): 256 bytes a turn through q0-q15, 18
 * instructions where general registers take 48, then 16 bytes a turn, then bytes.  A guest's FP/SIMD
 * registers are live while Keel runs (CPTR_EL2.TFP = 0, switched with the vCPU), so the sixteen
 * are saved on the stack first and put back last; nothing at EL2 touches them in between (C is
 * -mgeneral-regs-only, and vCPUs switch only between traps). */
    .globl arch_copy_memory
arch_copy_memory:
    cmp     x2, #256
    b.lo    2f
    sub     sp, sp, #256
    stp     q0, q1, [sp]
    stp     q2, q3, [sp, #32]
    stp     q4, q5, [sp, #64]
    stp     q6, q7, [sp, #96]
    stp     q8, q9, [sp, #128]
    stp     q10, q11, [sp, #160]
    stp     q12, q13, [sp, #192]
    stp     q14, q15, [sp, #224]
    sub     x2, x2, #256                /* bytes left after this turn's */
1:  ldp     q0, q1, [x1], #256
    ldp     q2, q3, [x1, #-224]
    ldp     q4, q5, [x1, #-192]
    ldp     q6, q7, [x1, #-160]
    ldp     q8, q9, [x1, #-128]
    ldp     q10, q11, [x1, #-96]
    ldp     q12, q13, [x1, #-64]
    ldp     q14, q15, [x1, #-32]
    stp     q0, q1, [x0], #256
    stp     q2, q3, [x0, #-224]
    stp     q4, q5, [x0, #-192]
    stp     q6, q7, [x0, #-160]
    stp     q8, q9, [x0, #-128]
    stp     q10, q11, [x0, #-96]
    stp     q12, q13, [x0, #-64]
    stp     q14, q15, [x0, #-32]
    subs    x2, x2, #256
    b.hs    1b
    add     x2, x2, #256
    ldp     q0, q1, [sp]
    ldp     q2, q3, [sp, #32]
    ldp     q4, q5, [sp, #64]
    ldp     q6, q7, [sp, #96]
    ldp     q8, q9, [sp, #128]
    ldp     q10, q11, [sp, #160]
    ldp     q12, q13, [sp, #192]
    ldp     q14, q15, [sp, #224]
    add     sp, sp, #256
2:  cmp     x2, #16
    b.lo    3f
    ldp     x3, x4, [x1], #16
    stp     x3, x4, [x0], #16
    sub     x2, x2, #16
    b       2b
3:  cbz     x2, 4f
    ldrb    w3, [x1], #1
    strb    w3, [x0], #1
    sub     x2, x2, #1
    b       3b
4:  ret

/* void arch_copy_and_clean(void *dst, const void *src, uint64_t size): copy into guest memory
 * and clean the destination to PoC (kernel and boot-structure loading, with the MMU on).  The
 * copy is arch_copy_memory's, then one cleaning pass.  x9-x11 are free for us: that copy uses
 * only x0-x4 (and q0-q15, which it saves). */
    .globl arch_copy_and_clean
arch_copy_and_clean:
    mov     x9, x0                      /* remember dst and size for the clean */
    mov     x10, x2
    mov     x11, x30
    bl      arch_copy_memory
    mov     x30, x11
    mov     x0, x9
    mov     x1, x10
    b       arch_clean_dcache
