/* SPDX-License-Identifier: Apache-2.0 */
/* The smallest test guest: it boots, prints and powers off.  Checks the runtime and the runner.
 * Given a ramdisk, it also checks that the ramdisk arrived intact: tests/guest/run.sh writes
 * each one as 64-bit little-endian words RAMDISK_WORD(i), i = 0, 1, ...  A damaged one crashes
 * the domain (SCHEDOP_shutdown), so that the launcher's status says so even when many domains'
 * console lines are interleaved. */
#include <stdint.h>

#include "console.h"
#include "fdt.h"
#include "guest.h"
#include "platform.h"
#include "test.h"
#include "xen.h"

#define RAMDISK_WORD(i) (0x4b45454c00000000UL | (i)) /* "KEEL" in the high half */
#define SCHEDOP_shutdown 2
#define SHUTDOWN_crash 3

const char guest_name[] = "hello";

static bool chosen_u64(const char *name, uint64_t *v)
{
    struct fdt_node n;
    uint32_t len;
    const void *p = fdt_find_name("chosen", 1, &n) ? fdt_getprop(&n, name, &len) : NULL;
    if (!p || (len != 4 && len != 8))
        return false;
    *v = fdt_read_cells(p, len / 4);
    return true;
}

static void check_ramdisk(void)
{
    uint64_t start, end;
    if (!chosen_u64("linux,initrd-start", &start) || !chosen_u64("linux,initrd-end", &end))
        return;
    const volatile uint64_t *w = (const volatile uint64_t *)(uintptr_t)start;
    uint64_t words = (end - start) / 8, bad = words;
    for (uint64_t i = 0; i < words && bad == words; i++)
        if (w[i] != RAMDISK_WORD(i))
            bad = i;
    if (check(end > start && bad == words, "hello_ramdisk", "%lu bytes at %#lx, first bad word %ld",
              end - start, start, bad == words ? -1L : (long)bad))
        return;
    static uint32_t reason = SHUTDOWN_crash;
    xen_hypercall(HYPERVISOR_sched_op, SCHEDOP_shutdown, (uintptr_t)&reason, 0, 0, 0);
}

void guest_main(void *dtb)
{
    check(plat.uart != 0, "hello_uart", "console UART at %#lx", plat.uart);
    check(guest_entry_regs[0][ENTRY_X0] == (uintptr_t)dtb && dtb != 0, "hello_dtb",
          "x0 at entry %#lx", guest_entry_regs[0][ENTRY_X0]);
    check_ramdisk();
}
