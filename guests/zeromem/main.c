/* SPDX-License-Identifier: Apache-2.0 */
/*
 * No domain sees another's data (issue 13): at every boot this guest checks that all of its RAM
 * but its own image and its device tree reads as zero, then fills it with a pattern and resets
 * itself.  Run with on_reboot = "restart", each boot is a new domain created right after the
 * previous one filled its memory and was destroyed, so a page handed out without being zeroed
 * shows up as the pattern.  The runner stops it after a few boots (tests/multi zero-*).
 *
 * Lines: "ZEROMEM clean <MiB> MiB" for a boot that found only zeros; on the first non-zero word
 * a GUEST-TEST zeromem_clean FAIL with its address and value, then a power-off.
 */
#include "arm.h"
#include "console.h"
#include "guest.h"
#include "platform.h"
#include "smccc.h"
#include "test.h"

const char guest_name[] = "zeromem";

#define PATTERN 0xfeedfacecafe0bad

extern char _start[], _end[];

struct range {
    uint64_t start, end;
};

static uint32_t be32(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* [s, e) minus what this guest itself uses: its image (with bss, stacks, page tables) and the
 * device tree it was given. */
static unsigned free_parts(uint64_t s, uint64_t e, const struct range *used, unsigned nused,
                           struct range *out)
{
    unsigned n = 0;
    uint64_t at = s;
    while (at < e) {
        uint64_t next = e, skip_to = 0;
        for (unsigned i = 0; i < nused; i++) {
            if (used[i].start <= at && used[i].end > at)
                skip_to = used[i].end > skip_to ? used[i].end : skip_to;
            else if (used[i].start > at && used[i].start < next)
                next = used[i].start;
        }
        if (skip_to) {
            at = skip_to;
            continue;
        }
        out[n++] = (struct range){ at, next < e ? next : e };
        at = next;
    }
    return n;
}

void guest_main(void *dtb)
{
    struct range used[2] = {
        { (uintptr_t)_start & ~0xfffUL, ((uintptr_t)_end + 0xfff) & ~0xfffUL },
        { (uintptr_t)dtb & ~0xfffUL,
          ((uintptr_t)dtb + be32((uint8_t *)dtb + 4) + 0xfff) & ~0xfffUL },
    };
    uint64_t bytes = 0;
    for (unsigned m = 0; m < plat.nr_mem; m++) {
        struct range parts[4];
        unsigned n =
            free_parts(plat.mem_base[m], plat.mem_base[m] + plat.mem_size[m], used, 2, parts);
        for (unsigned p = 0; p < n; p++) {
            for (uint64_t a = parts[p].start; a < parts[p].end; a += 8) {
                uint64_t v = *(volatile uint64_t *)a;
                if (v) {
                    check(false, "zeromem_clean", "word at %#lx is %#lx, not 0 (%s)",
                          (unsigned long)a, (unsigned long)v,
                          v == PATTERN ? "the previous domain's pattern" : "someone's data");
                    return; /* the runtime prints the summary and powers off */
                }
            }
            bytes += parts[p].end - parts[p].start;
        }
    }
    printf("ZEROMEM clean %lu MiB\n", (unsigned long)(bytes >> 20));
    /* For the next domain: every byte we may write. */
    for (unsigned m = 0; m < plat.nr_mem; m++) {
        struct range parts[4];
        unsigned n =
            free_parts(plat.mem_base[m], plat.mem_base[m] + plat.mem_size[m], used, 2, parts);
        for (unsigned p = 0; p < n; p++)
            for (uint64_t a = parts[p].start; a < parts[p].end; a += 8)
                *(volatile uint64_t *)a = PATTERN;
    }
    dsb(sy);
    psci_call(PSCI_SYSTEM_RESET, 0, 0, 0);
}
