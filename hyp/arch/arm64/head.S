/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Entry from the boot loader and secondary-CPU entry.
 *
 * Boot protocol: Linux arm64 Image (Documentation/arm64/booting.rst): x0 = DTB physical
 * address, MMU off, entered at EL2 so that Keel owns the virtualization extensions.  The image
 * is position independent: we apply our own R_AARCH64_RELATIVE relocations, then run C with the
 * MMU still off (hence -mstrict-align) just long enough to build the EL2 page tables.
 */
#include <hyp/config.h>
#include <arm64/sysreg.h>

#define R_AARCH64_RELATIVE 1027

    .section .head, "ax"
    .globl _head
    /* Linux arm64 Image header (64 bytes). */
    b       primary_entry           /* code0 */
    .long   0                       /* code1 */
    .quad   0                       /* text_offset: load at a 2 MiB aligned base */
    .quad   _image_size             /* effective image size, including .bss */
    .quad   0xa                     /* flags: little endian, 4 KiB pages, anywhere in RAM */
    .quad   0, 0, 0                 /* reserved */
    .ascii  "ARM\x64"               /* magic */
    .long   0                       /* no PE/COFF header */

    .section .text.entry, "ax"
primary_entry:
    msr     daifset, #0xf
    mov     x19, x0                 /* DTB */
    mrs     x1, CurrentEL
    cmp     x1, #(2 << 2)
    b.ne    not_el2

    adrp    x20, _head              /* load base */
    add     x20, x20, :lo12:_head

    /* Apply relocations: each entry is {offset, info, addend}. */
    adrp    x1, __rela_start
    add     x1, x1, :lo12:__rela_start
    adrp    x2, __rela_end
    add     x2, x2, :lo12:__rela_end
1:  cmp     x1, x2
    b.hs    2f
    ldp     x3, x4, [x1], #16
    ldr     x5, [x1], #8
    cmp     x4, #R_AARCH64_RELATIVE
    b.ne    1b
    add     x5, x5, x20
    str     x5, [x20, x3]
    b       1b

    /* Zero .bss (it holds the boot stack). */
2:  adrp    x1, __bss_start
    add     x1, x1, :lo12:__bss_start
    adrp    x2, __bss_end
    add     x2, x2, :lo12:__bss_end
3:  stp     xzr, xzr, [x1], #16
    cmp     x1, x2
    b.lo    3b

    /* The loader cleaned the image to the point of coherency; our MMU-off writes went
     * straight to memory, so drop any stale lines before caches come on. */
    mov     x0, x20
    adrp    x1, _end
    add     x1, x1, :lo12:_end
    bl      dcache_inval_range

    bl      el2_reset_state
    adrp    x1, cpu_stacks
    add     x1, x1, :lo12:cpu_stacks
    add     sp, x1, #CPU_STACK_SIZE
    mov     x29, #0

    mov     x0, x19
    mov     x1, x20
    bl      boot_early              /* C, MMU off: find RAM, build EL2 tables */
    bl      mmu_enable
    mov     x0, x19
    bl      boot_main               /* does not return */
    b       park

not_el2:                            /* no console yet: nothing useful to do */
    b       park

/*
 * Secondary CPU entry from PSCI CPU_ON: x0 = logical CPU id (the context argument).
 * MMU off, EL2.  The boot CPU has cleaned the page-table root and mmu_regs to PoC.
 */
    .globl secondary_entry
secondary_entry:
    msr     daifset, #0xf
    mov     x19, x0
    bl      el2_reset_state
    adrp    x1, cpu_stacks
    add     x1, x1, :lo12:cpu_stacks
    add     x2, x19, #1
    lsl     x2, x2, #CPU_STACK_SHIFT
    add     sp, x1, x2
    mov     x29, #0
    bl      mmu_enable
    mov     x0, x19
    bl      secondary_main          /* does not return */
    b       park

    .globl park
park:
    msr     daifset, #0xf
4:  wfe
    b       4b

/* Known EL2 state: MMU and caches off, no traps to lower levels yet, our vectors. */
el2_reset_state:
    ldr     x1, =SCTLR_EL2_RES1
    msr     sctlr_el2, x1
    isb
    adrp    x1, el2_vectors
    add     x1, x1, :lo12:el2_vectors
    msr     vbar_el2, x1
    msr     hcr_el2, xzr
    /* FP/SIMD not trapped (TFP = 0: Keel switches the guests' registers); SVE (TZ) and SME
     * (TSM) trapped, so no guest uses state Keel does not switch; the rest RES1. */
    ldr     x1, =CPTR_EL2_GUEST
    msr     cptr_el2, x1
    isb
    ret

/* dcache_inval_range(start, end): invalidate data cache lines to PoC. */
dcache_inval_range:
    mrs     x3, ctr_el0
    ubfx    x3, x3, #16, #4         /* DminLine: log2(words) */
    mov     x2, #4
    lsl     x2, x2, x3              /* line size in bytes */
    sub     x3, x2, #1
    bic     x0, x0, x3
5:  dc      ivac, x0
    add     x0, x0, x2
    cmp     x0, x1
    b.lo    5b
    dsb     sy
    ret

/* mmu_enable: load MAIR/TCR/TTBR0 from mmu_regs (written by boot_early) and turn on the MMU
 * and caches.  Must run from the 1:1 map, which it is, since VA == PA for RAM. */
    .globl mmu_enable
mmu_enable:
    adrp    x1, mmu_regs
    add     x1, x1, :lo12:mmu_regs
    ldp     x2, x3, [x1]            /* mair, tcr */
    ldr     x4, [x1, #16]           /* ttbr0 */
    msr     mair_el2, x2
    msr     tcr_el2, x3
    msr     ttbr0_el2, x4
    isb
    tlbi    alle2
    dsb     nsh
    isb
    ldr     x1, =(SCTLR_EL2_RES1 | SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_I)
    msr     sctlr_el2, x1
    isb
    ret
