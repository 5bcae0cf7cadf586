/* SPDX-License-Identifier: Apache-2.0 */
/* Device-tree discovery for test guests: UART, GICv3, PSCI conduit, CPUs, memory, timer. */
#include "platform.h"
#include "arm.h"
#include "fdt.h"

struct platform plat;

static void find_cpus(void)
{
    struct fdt_walk w;
    struct fdt_node n;
    int cpus_depth = -1;
    fdt_walk_start(&w);
    while (fdt_walk_next(&w, &n)) {
        if (n.depth == 1)
            cpus_depth = strcmp(n.name, "cpus") ? -1 : 1;
        if (cpus_depth < 0 || n.depth != 2 || plat.nr_cpus == MAX_VCPUS)
            continue;
        uint32_t len;
        const char *type = fdt_getprop(&n, "device_type", &len);
        const void *reg = fdt_getprop(&n, "reg", &len);
        if (!type || strcmp(type, "cpu") || !reg || len < n.addr_cells * 4 || !n.addr_cells)
            continue;
        plat.mpidr[plat.nr_cpus++] = fdt_read_cells(reg, n.addr_cells) & MPIDR_AFF_MASK;
    }
}

static void find_memory(void)
{
    struct fdt_walk w;
    struct fdt_node n;
    fdt_walk_start(&w);
    while (fdt_walk_next(&w, &n)) {
        uint32_t len;
        const char *type = fdt_getprop(&n, "device_type", &len);
        if (n.depth != 1 || !type || strcmp(type, "memory"))
            continue;
        uint64_t base, size;
        for (unsigned i = 0; plat.nr_mem < MAX_MEM_RANGES && fdt_reg(&n, i, &base, &size); i++) {
            plat.mem_base[plat.nr_mem] = base;
            plat.mem_size[plat.nr_mem++] = size;
        }
    }
}

static void find_timer(void)
{
    struct fdt_node n;
    uint32_t len;
    plat.timer_virt_ppi = 27;
    plat.timer_phys_ppi = 30;
    if (!fdt_find_compatible("arm,armv8-timer", &n))
        return;
    /* interrupts = secure phys, non-secure phys, virtual, hyp: 3 cells each (GIC binding). */
    const uint8_t *irqs = fdt_getprop(&n, "interrupts", &len);
    if (irqs && len >= 36 && fdt_read_cells(irqs + 24, 1) == 1)
        plat.timer_virt_ppi = (uint32_t)fdt_read_cells(irqs + 28, 1) + 16;
    if (irqs && len >= 24 && fdt_read_cells(irqs + 12, 1) == 1)
        plat.timer_phys_ppi = (uint32_t)fdt_read_cells(irqs + 16, 1) + 16;
}

bool platform_init(const void *dtb)
{
    struct fdt_node n;
    uint32_t len;
    if (!fdt_init(dtb))
        return false;
    if (fdt_find_name("", 0, &n)) {
        plat.model = fdt_getprop(&n, "model", &len);
        plat.hypervisor = fdt_is_compatible(&n, "xen,xenvm");
    }
    if (!plat.model)
        plat.model = "(no model)";
    if (fdt_find_name("hypervisor", 1, &n) && fdt_is_compatible(&n, "xen,xen"))
        plat.hypervisor = true;
    uint64_t size;
    if ((fdt_find_compatible("arm,sbsa-uart", &n) || fdt_find_compatible("arm,pl011", &n)) &&
        !fdt_reg(&n, 0, &plat.uart, &size))
        plat.uart = 0;
    if (plat.uart) {
        /* GIC binding: <type number flags>, type 0 = SPI (INTID 32 + n), 1 = PPI (16 + n). */
        const uint8_t *irq = fdt_getprop(&n, "interrupts", &len);
        if (irq && len >= 12)
            plat.uart_irq =
                (unsigned)fdt_read_cells(irq + 4, 1) + (fdt_read_cells(irq, 1) == 1 ? 16 : 32);
    }
    if (fdt_find_compatible("arm,gic-v3", &n) && (!fdt_reg(&n, 0, &plat.gicd, &plat.gicd_size) ||
                                                  !fdt_reg(&n, 1, &plat.gicr, &plat.gicr_size)))
        plat.gicd = plat.gicr = 0;
    if (fdt_find_name("psci", 1, &n)) {
        const char *m = fdt_getprop(&n, "method", &len);
        if (m && !strcmp(m, "hvc"))
            plat.psci = CONDUIT_HVC;
        else if (m && !strcmp(m, "smc"))
            plat.psci = CONDUIT_SMC;
    }
    if (fdt_find_name("chosen", 1, &n))
        plat.bootargs = fdt_getprop(&n, "bootargs", &plat.bootargs_len);
    find_cpus();
    find_memory();
    find_timer();
    return true;
}

bool bootarg_uint(const char *key, uint64_t *val)
{
    const char *a = plat.bootargs;
    size_t klen = strlen(key);
    for (uint32_t i = 0; a && i + klen < plat.bootargs_len; i++) {
        if ((i && a[i - 1] != ' ') || strncmp(a + i, key, klen))
            continue;
        uint64_t v = 0;
        uint32_t j = i + (uint32_t)klen;
        for (; j < plat.bootargs_len && a[j] >= '0' && a[j] <= '9'; j++)
            v = v * 10 + (uint64_t)(a[j] - '0');
        *val = v;
        return j > i + klen;
    }
    return false;
}

int cpu_index_of(uint64_t mpidr)
{
    for (unsigned i = 0; i < plat.nr_cpus; i++)
        if (plat.mpidr[i] == (mpidr & MPIDR_AFF_MASK))
            return (int)i;
    return -1;
}
