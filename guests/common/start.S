/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Entry of a bare-metal test guest: a Linux arm64 Image header (so any loader that boots Linux
 * boots us), self-relocation (QEMU puts an Image with text_offset 0 at RAM base + 2 MiB, Keel and
 * Xen at RAM base), a stack per vCPU, exception vectors that report to C, and the
 * secondary-vCPU entry used with PSCI CPU_ON.  Each vCPU's registers at entry are saved in
 * guest_entry_regs so tests can check the boot protocol and PSCI CPU_ON reset state.
 */
#define STACK_SIZE 16384
#define MAX_VCPUS 32
#define LINK_BASE 0x40000000 /* = the address in guest.lds */
#define R_AARCH64_RELATIVE 1027
#define ENTRY_REGS 8 /* x0, x1, x2, x3, DAIF, SCTLR_EL1, CurrentEL, SPSel */
#define FRAME_SIZE 272 /* x0-x30 and padding, a multiple of 16 */

    .section .text.head, "ax"
    .globl _start
_start:
    b       primary                 /* code0 */
    .long   0                       /* code1 */
    .quad   0                       /* text_offset */
    .quad   _image_size             /* image size including .bss */
    .quad   0xa                     /* flags: little endian, 4 KiB pages, anywhere in RAM */
    .quad   0, 0, 0
    .ascii  "ARM\x64"
    .long   0                       /* no PE/COFF header */

    .text
primary:
    /* Keep the boot registers and state in callee-saved registers until .bss is clear. */
    mov     x19, x0
    mov     x20, x1
    mov     x21, x2
    mov     x22, x3
    mrs     x23, daif
    mrs     x24, sctlr_el1
    mrs     x25, CurrentEL
    mrs     x26, SPSel
    msr     daifset, #0xf

    /* delta = where we run - where we were linked; patch every R_AARCH64_RELATIVE slot. */
    adrp    x9, _start
    add     x9, x9, :lo12:_start
    mov     x10, #LINK_BASE
    sub     x9, x9, x10
    cbz     x9, 2f
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
    add     x5, x5, x9
    str     x5, [x3, x9]
    b       1b

2:  adrp    x1, __bss_start
    add     x1, x1, :lo12:__bss_start
    adrp    x2, __bss_end
    add     x2, x2, :lo12:__bss_end
3:  cmp     x1, x2
    b.hs    4f
    stp     xzr, xzr, [x1], #16
    b       3b

4:  mov     x0, #0
    bl      save_entry_regs
    mov     x0, #0
    bl      setup_cpu
    mov     x0, x19
    bl      guest_runtime_init
    mov     x0, x19
    bl      guest_main
    bl      guest_finish
park:
    wfi
    b       park

/* x0 = vCPU index; x19-x26 = x0-x3, DAIF, SCTLR_EL1, CurrentEL, SPSel at entry. */
save_entry_regs:
    adrp    x1, guest_entry_regs
    add     x1, x1, :lo12:guest_entry_regs
    add     x1, x1, x0, lsl #6      /* ENTRY_REGS * 8 bytes per vCPU */
    stp     x19, x20, [x1, #0]
    stp     x21, x22, [x1, #16]
    stp     x23, x24, [x1, #32]
    stp     x25, x26, [x1, #48]
    ret

/* x0 = vCPU index (< MAX_VCPUS): stack, vectors, FP/SIMD untrapped. */
setup_cpu:
    adrp    x1, guest_stacks
    add     x1, x1, :lo12:guest_stacks
    add     x2, x0, #1
    mov     x3, #STACK_SIZE
    mul     x2, x2, x3
    add     sp, x1, x2
    mov     x29, #0
    msr     tpidr_el1, x0           /* this_cpu() */
    adrp    x1, guest_vectors
    add     x1, x1, :lo12:guest_vectors
    msr     vbar_el1, x1
    mov     x1, #(3 << 20)          /* CPACR_EL1.FPEN */
    msr     cpacr_el1, x1
    isb
    ret

/* PSCI CPU_ON entry: x0 = context = vCPU index. */
    .globl guest_secondary_entry
guest_secondary_entry:
    mov     x19, x0
    mov     x20, x1
    mov     x21, x2
    mov     x22, x3
    mrs     x23, daif
    mrs     x24, sctlr_el1
    mrs     x25, CurrentEL
    mrs     x26, SPSel
    msr     daifset, #0xf
    cmp     x19, #MAX_VCPUS
    b.hs    park                    /* no stack for it: nothing we can report */
    mov     x0, x19
    bl      save_entry_regs
    mov     x0, x19
    bl      setup_cpu
    mov     x0, x19
    bl      guest_secondary_start   /* does not return */
    b       park

/* Each entry saves x0-x9 and jumps to the common part with x0 = the vector's number (0-15). */
.macro vector kind
    .align 7
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp, #0]
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    mov     x0, #\kind
    b       vector_common
.endm

    .align 11
guest_vectors:
    vector 0
    vector 1
    vector 2
    vector 3
    vector 4
    vector 5
    vector 6
    vector 7
    vector 8
    vector 9
    vector 10
    vector 11
    vector 12
    vector 13
    vector 14
    vector 15

/* The C handler sees the frame (x0-x30) and may change it and ELR_EL1. */
vector_common:
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    str     x30, [sp, #240]
    mov     x1, sp
    bl      guest_exception
    ldp     x0, x1, [sp, #0]
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x19, [sp, #144]
    ldp     x20, x21, [sp, #160]
    ldp     x22, x23, [sp, #176]
    ldp     x24, x25, [sp, #192]
    ldp     x26, x27, [sp, #208]
    ldp     x28, x29, [sp, #224]
    ldr     x30, [sp, #240]
    add     sp, sp, #FRAME_SIZE
    eret

    .bss
    .align 6
    .globl guest_entry_regs
guest_entry_regs:
    .space  ENTRY_REGS * 8 * MAX_VCPUS
    .align 12
guest_stacks:
    .space  STACK_SIZE * (MAX_VCPUS + 1)
