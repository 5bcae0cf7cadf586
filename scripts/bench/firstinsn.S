/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Counter probe at a guest's very first instruction.  scripts/bench/probe.py appends this code
 * to a Linux arm64 Image (Debian's kernel or a bench guest), points the header's first
 * instruction at it and fills in `cont`, the offset from here to where the image's own first
 * instruction would have gone.  The probe reads CNTPCT_EL0 (machine time since power-on: EL1 may
 * read it bare, on Keel and on Xen) and CNTVCT_EL0 (whose difference is the domain's CNTVOFF),
 * writes both as 16 hex digits over the placeholder "keel.t0=<16 digits>,<16 digits>" that the
 * benchmark put in the kernel command line (so inside the DTB's structure block), and goes on
 * into the image.  The guest then reads them back: Linux from /proc/cmdline, the bench guest
 * from /chosen/bootargs.  Only x8-x18 are used: x0-x3 carry the boot protocol.  The MMU is off
 * (Device memory): the DTB's words are read aligned, its strings a byte at a time.
 */
/* Write \reg as 16 lower-case hex digits at [x11], advancing x11. */
.macro hex16 reg
    mov     x16, #60
1:  lsr     x17, \reg, x16
    and     x17, x17, #0xf
    cmp     x17, #10
    add     x17, x17, #'0'
    b.lo    2f
    add     x17, x17, #('a' - '0' - 10)
2:  strb    w17, [x11], #1
    subs    x16, x16, #4
    b.ge    1b
.endm

    .text
    .globl probe
probe:
    mrs     x9, cntpct_el0
    mrs     x10, cntvct_el0
    cbz     x0, go
    /* Walk the structure block's tokens (aligned big-endian words) to each "bootargs"
     * property, then look for the placeholder in its value byte by byte. */
    ldr     w11, [x0, #8]           /* off_dt_struct */
    rev     w11, w11
    add     x11, x0, x11            /* token cursor */
    ldr     w12, [x0, #12]          /* off_dt_strings */
    rev     w12, w12
    add     x12, x0, x12
token:
    ldr     w13, [x11], #4
    rev     w13, w13
    cmp     w13, #1                 /* FDT_BEGIN_NODE: skip the name, NUL, padding */
    b.eq    name
    cmp     w13, #3                 /* FDT_PROP */
    b.eq    prop
    cmp     w13, #9                 /* FDT_END */
    b.eq    go
    b       token                   /* FDT_END_NODE, FDT_NOP */
name:
    ldrb    w14, [x11], #1
    cbnz    w14, name
    add     x11, x11, #3
    and     x11, x11, #~3
    b       token
prop:
    ldr     w14, [x11], #4          /* value length */
    rev     w14, w14
    ldr     w15, [x11], #4          /* name offset */
    rev     w15, w15
    add     x15, x12, x15
    adr     x16, bootargs
    mov     x17, #0
name_cmp:
    ldrb    w13, [x15, x17]
    ldrb    w8, [x16, x17]
    cmp     w13, w8
    b.ne    skip_value
    add     x17, x17, #1
    cmp     x17, #9                 /* "bootargs" and its NUL */
    b.lo    name_cmp
    /* Scan the value [x11, x11 + len - 41] for the pattern. */
    mov     x15, x11
    subs    x16, x14, #41
    b.lt    skip_value
    add     x16, x11, x16
scan:
    cmp     x15, x16
    b.hi    skip_value
    adr     x13, pattern
    mov     x17, #0
cmp1:
    ldrb    w8, [x15, x17]
    ldrb    w18, [x13, x17]
    cmp     w8, w18
    b.ne    next
    add     x17, x17, #1
    cmp     x17, #8
    b.lo    cmp1
    add     x11, x15, #8            /* found: at the digits */
    hex16   x9
    add     x11, x11, #1            /* the comma */
    hex16   x10
    b       go
next:
    add     x15, x15, #1
    b       scan
skip_value:
    add     x11, x11, x14
    add     x11, x11, #3
    and     x11, x11, #~3
    b       token
go:
    adr     x13, probe
    ldr     x14, cont
    add     x13, x13, x14
    br      x13

    .balign 8
cont:
    .quad   0x544e4f4345424f52      /* "ROBECONT", found and patched: continuation - probe */
pattern:
    .ascii  "keel.t0="
bootargs:
    .asciz  "bootargs"
