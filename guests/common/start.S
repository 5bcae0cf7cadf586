/*
 * Entry of a bare-metal test guest: a Linux arm64 Image header (so any loader that boots Linux
 * boots us), a stack per vCPU, exception vectors that report to C, and the secondary-vCPU entry
 * used with PSCI CPU_ON.
 */
#define STACK_SIZE 8192
#define MAX_VCPUS 8

    .section .text.head, "ax"
    .globl _start
_start:
    b       primary
    .long   0
    .quad   0                       /* text_offset */
    .quad   _image_size
    .quad   0xa                     /* LE, 4 KiB, anywhere */
    .quad   0, 0, 0
    .ascii  "ARM\x64"
    .long   0

primary:
    mov     x19, x0                 /* DTB */
    adrp    x1, __bss_start
    add     x1, x1, :lo12:__bss_start
    adrp    x2, __bss_end
    add     x2, x2, :lo12:__bss_end
1:  cmp     x1, x2
    b.hs    2f
    str     xzr, [x1], #8
    b       1b
2:  mov     x0, #0
    bl      setup_cpu
    mov     x0, x19
    bl      guest_main
    bl      guest_exit_ok
3:  wfi
    b       3b

/* x0 = vCPU index: stack, vectors, FP on. */
setup_cpu:
    adrp    x1, guest_stacks
    add     x1, x1, :lo12:guest_stacks
    add     x2, x0, #1
    mov     x3, #STACK_SIZE
    mul     x2, x2, x3
    add     sp, x1, x2
    adrp    x1, guest_vectors
    add     x1, x1, :lo12:guest_vectors
    msr     vbar_el1, x1
    mov     x1, #(3 << 20)          /* CPACR_EL1.FPEN: no FP/SIMD trap */
    msr     cpacr_el1, x1
    isb
    ret

/* PSCI CPU_ON entry: x0 = context = vCPU index. */
    .globl guest_secondary_entry
guest_secondary_entry:
    mov     x19, x0
    bl      setup_cpu
    mov     x0, x19
    bl      guest_secondary_main
4:  wfi
    b       4b

.macro vector kind
    .align 7
    sub     sp, sp, #272
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

vector_common:
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x29, [sp, #144]
    str     x30, [sp, #160]
    mov     x1, sp
    bl      guest_exception        /* may change ELR_EL1 (skip the instruction) */
    ldp     x0, x1, [sp, #0]
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x29, [sp, #144]
    ldr     x30, [sp, #160]
    add     sp, sp, #272
    eret

    .bss
    .align 4
guest_stacks:
    .space  STACK_SIZE * (MAX_VCPUS + 1)
