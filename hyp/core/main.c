/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Boot sequence of the arch-neutral core: boot_early() (MMU off) finds RAM and the console and
 * has the arch build the EL2 map; boot_main() brings up memory management, interrupts, time
 * and the other CPUs, then either runs the self-checks or starts the domains.
 */
#include <hyp/arch/boot.h>
#include <hyp/arch/cpu.h>
#include <hyp/bootinfo.h>
#include <hyp/cmdline.h>
#include <hyp/console.h>
#include <hyp/console_switch.h>
#include <hyp/domain.h>
#include <hyp/drivers.h>
#include <hyp/frame.h>
#include <hyp/heap.h>
#include <hyp/page_alloc.h>
#include <hyp/percpu.h>
#include <hyp/rng.h>
#include <hyp/sched.h>
#include <hyp/selftest.h>
#include <hyp/smp.h>

struct percpu percpu_data[MAX_CPUS];
unsigned nr_cpus;
uint8_t cpu_stacks[MAX_CPUS][CPU_STACK_SIZE] __aligned(16);

void boot_early(const void *dtb, paddr_t load_base);
__noreturn void boot_main(const void *dtb);
void mmu_setup(void);

void boot_early(const void *dtb, paddr_t load_base)
{
    const char *why = "";
    int rc = bootinfo_parse_early(dtb, &why);
    if (bootinfo.uart_base)
        pl011_console_init(bootinfo.uart_base);
    if (rc)
        panic("boot: device tree at %p unusable: %s", dtb, why);
    mmu_setup();
}

static void print_memory(void)
{
    for (unsigned i = 0; i < bootinfo.nr_mem; i++)
        pr_info("mem: RAM   %#012lx-%#012lx (%lu MiB)\n", bootinfo.mem[i].base,
                bootinfo.mem[i].base + bootinfo.mem[i].size - 1, bootinfo.mem[i].size >> 20);
    for (unsigned i = 0; i < bootinfo.nr_reserved; i++)
        pr_info("mem: resvd %#012lx-%#012lx\n", bootinfo.reserved[i].base,
                bootinfo.reserved[i].base + bootinfo.reserved[i].size - 1);
}

static void set_log_level(void)
{
    static const char *const names[] = { "err", "warn", "info", "debug" };
    for (unsigned i = 0; i < 4; i++)
        if (cmdline_is(bootinfo.cmdline, "loglvl", names[i]))
            console_set_level((enum log_level)i);
}

void boot_main(const void *dtb)
{
    struct percpu *pc = &percpu_data[0];
    pc->id = 0;
    pc->hwid = arch_cpu_hwid();
    pc->online = true;
    arch_set_this_cpu(pc);
    console_enable_locking();
    pr_info("Keel hypervisor starting on CPU0 (hwid %#lx), DTB at %p\n", pc->hwid, dtb);
    if (bootinfo_parse())
        panic("boot: device tree lacks what Keel needs (see above)");
    set_log_level();
    uint32_t seed_len = 0;
    const void *seed =
        fdt_prop(&bootinfo.fdt, fdt_path(&bootinfo.fdt, "/chosen"), "rng-seed", &seed_len);
    rng_init(seed, seed ? seed_len : 0);
    pr_info("cmdline: \"%s\"\n", bootinfo.cmdline);
    print_memory();

    page_alloc_init();
    /* bootscrub=idle: idle pCPUs zero boot memory ahead of need, as Xen's bootscrub=idle
     * does; by default it is zeroed only when first handed out (docs/architecture.md). */
    page_alloc_scrub_boot_memory(cmdline_is(bootinfo.cmdline, "bootscrub", "idle"));
    frame_init();
    arch_mmu_use_page_alloc();
    heap_init();
    struct page_stats ps;
    page_alloc_stats(&ps);
    pr_info("mem: %lu MiB managed, %lu MiB free\n", ps.total_pages >> 8, ps.free_pages >> 8);

    arch_init();
    arch_init_cpu();
    nr_cpus = bootinfo.nr_cpus;
    unsigned online = smp_boot_cpus();
    pr_info("smp: %u of %u CPUs online\n", online, nr_cpus);

    sched_init();
    int selftest = cmdline_bool(bootinfo.cmdline, "selftest", 0);
    if (selftest < 0)
        pr_warn("cmdline: selftest wants 1/yes/true/on or 0/no/false/off; self-checks not run\n");
    if (selftest > 0) {
        selftest_run_all();
        arch_system_off();
    }
    smp_enter_loop(sched_run_loop);
    /* Keel's own lines are claimed before any domain can be given host interrupts. */
    console_switch_claim_irq();
    if (!domain_build_all())
        pr_info("boot: no domains to run; idle\n");
    console_switch_init();
    smp_enter_loop(sched_run_loop);
    sched_run_loop();
}
