/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the boot device-tree digest (core/bootinfo.c) over dtc-built trees: a
 * QEMU-virt-like machine, an alias-form console with one-cell addresses, and edge values near
 * the top of the address space.  Logging goes to a test double that counts warnings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <hyp/bootinfo.h>
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/fdt_write.h>
#include "log_stub.h"
#include "unit_blob.h"

UNIT_BLOB(bootinfo_qemu_dtb, "bootinfo_qemu.dtb");
UNIT_BLOB(bootinfo_alias_dtb, "bootinfo_alias.dtb");
UNIT_BLOB(bootinfo_edge_dtb, "bootinfo_edge.dtb");
UNIT_BLOB(bootinfo_nomem_dtb, "bootinfo_nomem.dtb");

static unsigned char *blob;

/* Both parse stages over a heap copy of the tree; the copy stays alive for the test, since
 * bootinfo points into it. */
static int parse(const unsigned char *start, const unsigned char *end)
{
    const char *why = NULL;
    free(blob);
    blob = unit_blob_dup(start, end, NULL);
    stub_nr_warnings = stub_nr_errors = 0;
    int rc = bootinfo_parse_early(blob, &why);
    if (rc)
        return rc;
    assert_null(why);
    return bootinfo_parse();
}

static int teardown(void **state)
{
    free(blob);
    blob = NULL;
    return 0;
}

static void assert_range(const struct mem_range *r, uint64_t base, uint64_t size)
{
    assert_int_equal(r->base, base);
    assert_int_equal(r->size, size);
}

/* The next module under parent after node *after: the kind, placement and node name given. */
static void assert_next_module(int parent, int *after, enum module_kind kind, uint64_t base,
                               uint64_t size, const char *node)
{
    struct boot_module m;
    *after = bootinfo_next_module(parent, *after, &m);
    assert_true(*after >= 0);
    assert_int_equal(m.kind, kind);
    assert_int_equal(m.base, base);
    assert_int_equal(m.size, size);
    assert_int_equal(m.node, *after);
    assert_string_equal(fdt_name(&bootinfo.fdt, m.node), node);
}

static void assert_no_more_modules(int parent, int after)
{
    struct boot_module m;
    assert_int_equal(bootinfo_next_module(parent, after, &m), -1);
}

/* Whether the reserved table holds exactly [base, base + size). */
static bool has_reserved(uint64_t base, uint64_t size)
{
    for (unsigned i = 0; i < bootinfo.nr_reserved; i++)
        if (bootinfo.reserved[i].base == base && bootinfo.reserved[i].size == size)
            return true;
    return false;
}

static void qemu_virt_tree(void **state)
{
    assert_int_equal(parse(bootinfo_qemu_dtb, bootinfo_qemu_dtb_end), 0);
    assert_int_equal(stub_nr_warnings + stub_nr_errors, 0);
    const struct fdt *f = &bootinfo.fdt;

    /* The disabled bank is left out. */
    assert_int_equal(bootinfo.nr_mem, 2);
    assert_range(&bootinfo.mem[0], 0x40000000, 0x80000000);
    assert_range(&bootinfo.mem[1], 0x100000000, 0x40000000);

    assert_int_equal(bootinfo.uart_base, 0x9000000);
    /* xen,xen-bootargs wins over bootargs (that one belongs to dom0). */
    assert_string_equal(bootinfo.cmdline, "loglvl=debug dom0_mem=512M");

    /* cpu-map is not a CPU. */
    assert_int_equal(bootinfo.nr_cpus, 4);
    assert_int_equal(bootinfo.cpu_hwid[0], 0);
    assert_int_equal(bootinfo.cpu_hwid[1], 1);
    assert_int_equal(bootinfo.cpu_hwid[2], 2);
    assert_int_equal(bootinfo.cpu_hwid[3], 0x100);

    /* Modules under /chosen and inside the domain node, each found where it is. */
    int chosen = fdt_path(f, "/chosen"), dom = fdt_path(f, "/chosen/domU1"), n = -1;
    assert_true(dom > 0);
    assert_int_equal(bootinfo.nr_modules, 6);
    assert_next_module(chosen, &n, MOD_KERNEL, 0x44000000, 0x1200000, "module@44000000");
    assert_next_module(chosen, &n, MOD_RAMDISK, 0x46000100, 0x2345, "module@46000100");
    assert_next_module(chosen, &n, MOD_OTHER, 0x4d000000, 0x1000, "module@4d000000");
    assert_no_more_modules(chosen, n);
    n = -1;
    assert_next_module(dom, &n, MOD_KERNEL, 0x4a000000, 0x800000, "module@4a000000");
    assert_next_module(dom, &n, MOD_RAMDISK, 0x4b000000, 0x100000, "module@4b000000");
    assert_next_module(dom, &n, MOD_DEVICE_TREE, 0x4c000000, 0x1000, "module@4c000000");
    assert_no_more_modules(dom, n); /* vpl011 is no module */
    assert_no_more_modules(-1, -1);

    /* /memreserve/, /reserved-memory (the pool has no reg), the DTB, then each module
     * widened to whole pages. */
    assert_int_equal(bootinfo.nr_reserved, 9);
    assert_true(has_reserved(0x48000000, 0x10000));
    assert_true(has_reserved(0x4e000000, 0x200000));
    assert_true(has_reserved((uintptr_t)blob, ALIGN_UP((uint64_t)bootinfo.fdt.size, PAGE_SIZE)));
    assert_true(has_reserved(0x44000000, 0x1200000));
    assert_true(has_reserved(0x46000000, 0x3000));
    assert_true(has_reserved(0x4a000000, 0x800000));
    assert_true(has_reserved(0x4d000000, 0x1000));
}

static void qemu_virt_free_ranges(void **state)
{
    assert_int_equal(parse(bootinfo_qemu_dtb, bootinfo_qemu_dtb_end), 0);
    assert_true(bootinfo_range_free(0x40000000, 0x1000));
    assert_true(bootinfo_range_free(0x100000000, 0x40000000));
    assert_false(bootinfo_range_free(0x44000000, 0x1000)); /* dom0 kernel */
    assert_false(bootinfo_range_free(0x46002000, 0x1000)); /* ramdisk tail, rounded up */
    assert_true(bootinfo_range_free(0x46003000, 0x1000));
    assert_false(bootinfo_range_free(0x4e1ff000, 0x1000));  /* reserved-memory */
    assert_false(bootinfo_range_free(0x4800f000, 0x2000));  /* memreserve */
    assert_false(bootinfo_range_free(0xbffff000, 0x2000));  /* runs off the end of RAM */
    assert_false(bootinfo_range_free(0x200000000, 0x1000)); /* disabled bank */
    assert_false(bootinfo_range_free(0x9000000, 0x1000));   /* MMIO */
    /* A size that wraps the end back into RAM is not "in RAM". */
    assert_false(bootinfo_range_free(0x40001000, 0 - 0x40001000 + 0x2000));
    assert_false(bootinfo_range_free(0x40001000, UINT64_MAX));
}

static void alias_console_and_one_cell_tree(void **state)
{
    assert_int_equal(parse(bootinfo_alias_dtb, bootinfo_alias_dtb_end), 0);
    /* Rounded inward to whole pages; the bank smaller than a page disappears. */
    assert_int_equal(bootinfo.nr_mem, 1);
    assert_range(&bootinfo.mem[0], 0x40001000, 0x0ffff000);
    /* "serial0:115200n8" resolved through /aliases; an SBSA UART is a PL011 too. */
    assert_int_equal(bootinfo.uart_base, 0x1c090000);
    assert_string_equal(bootinfo.cmdline, "selftest sched=null");
    /* Nodes whose device_type is "" or has no value at all are not CPUs. */
    assert_int_equal(bootinfo.nr_cpus, 2);
    assert_int_equal(bootinfo.cpu_hwid[1], 0x10000);
    /* A module without reg and one of size 0 are ignored with a warning each. */
    int dom = fdt_path(&bootinfo.fdt, "/chosen/dom"), n = -1;
    assert_int_equal(bootinfo.nr_modules, 1);
    assert_next_module(dom, &n, MOD_KERNEL, 0x45000000, 0x1000, "k2");
    assert_no_more_modules(dom, n);
    assert_int_equal(stub_nr_warnings, 2);
    /* DTB and the module. */
    assert_int_equal(bootinfo.nr_reserved, 2);
}

static void edge_values(void **state)
{
    assert_int_equal(parse(bootinfo_edge_dtb, bootinfo_edge_dtb_end), 0);
    /* Neither bank at the top of the address space may wrap into a bogus one. */
    assert_int_equal(bootinfo.nr_mem, 1);
    assert_range(&bootinfo.mem[0], 0x40000000, 0x10000000);
    /* The console is not a PL011, so there is no early UART. */
    assert_int_equal(bootinfo.uart_base, 0);
    /* An unterminated bootargs is no command line at all. */
    assert_string_equal(bootinfo.cmdline, "");
    /* cpu@1 has no reg: skipped with a warning.  The wrapping module: ignored, warned. */
    assert_int_equal(bootinfo.nr_cpus, 1);
    assert_int_equal(bootinfo.nr_modules, 0);
    assert_no_more_modules(fdt_path(&bootinfo.fdt, "/chosen"), -1);
    assert_int_equal(stub_nr_warnings, 2);
    /* A reservation that wraps is clamped at 2^64, not dropped. */
    assert_range(&bootinfo.reserved[0], 0xfffffffffffff000, 0x1000);
    for (unsigned i = 1; i < bootinfo.nr_reserved; i++)
        assert_true(bootinfo.reserved[i].size <= 0 - bootinfo.reserved[i].base);
}

static void refuses_unusable_trees(void **state)
{
    const char *why = NULL;
    assert_int_equal(parse(bootinfo_nomem_dtb, bootinfo_nomem_dtb_end), -EINVAL);
    assert_int_equal(bootinfo_parse_early(blob, &why), -EINVAL);
    assert_string_equal(why, "no memory node");
    assert_int_equal(bootinfo_parse_early(blob, NULL), -EINVAL);

    unsigned char junk[64] = { 0xd0, 0x0d, 0xfe, 0xed };
    why = NULL;
    assert_int_equal(bootinfo_parse_early(junk, &why), -EINVAL);
    assert_non_null(why);
}

/* --- many boot modules, built with the FDT writer --- */

#define RAM_BASE 0x40000000UL
#define RAM_SIZE 0x80000000UL /* 2 GiB */
#define TREE_MAX (256 * 1024)

struct placed_module {
    uint64_t base, size;
};

/* A boot tree with nr_dom domains, each with the module sizes in sizes[0..per_dom), placed as
 * scripts/keel-qemu places them: downwards from the top of RAM, each at a step-aligned
 * address.  Fills mods[] in placement order; the caller frees the returned blob. */
static unsigned char *many_module_tree(unsigned nr_dom, const uint64_t *sizes, unsigned per_dom,
                                       uint64_t step, struct placed_module *mods)
{
    static const char *const kinds[] = { "multiboot,kernel", "multiboot,ramdisk",
                                         "multiboot,device-tree" };
    unsigned char *buf = calloc(1, TREE_MAX);
    struct fdt_writer w;
    uint64_t mem[] = { RAM_BASE, RAM_SIZE }, cpu[] = { 0, 0 }, next = RAM_BASE + RAM_SIZE;
    fdt_write_init(&w, buf, TREE_MAX);
    fdt_write_begin_node(&w, "");
    fdt_write_prop_u32(&w, "#address-cells", 2);
    fdt_write_prop_u32(&w, "#size-cells", 2);
    fdt_write_begin_node(&w, "memory@40000000");
    fdt_write_prop_string(&w, "device_type", "memory");
    fdt_write_prop_reg(&w, 2, 2, mem, 1);
    fdt_write_end_node(&w);
    fdt_write_begin_node(&w, "cpus");
    fdt_write_prop_u32(&w, "#address-cells", 1);
    fdt_write_prop_u32(&w, "#size-cells", 0);
    fdt_write_begin_node(&w, "cpu@0");
    fdt_write_prop_string(&w, "device_type", "cpu");
    fdt_write_prop_reg(&w, 1, 0, cpu, 1);
    fdt_write_end_node(&w);
    fdt_write_end_node(&w);
    fdt_write_begin_node(&w, "chosen");
    for (unsigned d = 0; d < nr_dom; d++) {
        char name[32];
        snprintf(name, sizeof(name), "dom%u", d);
        fdt_write_begin_node(&w, name);
        fdt_write_prop_string(&w, "compatible", "xen,domain");
        fdt_write_prop_u32(&w, "#address-cells", 2);
        fdt_write_prop_u32(&w, "#size-cells", 2);
        for (unsigned k = 0; k < per_dom; k++) {
            struct placed_module *m = &mods[d * per_dom + k];
            next -= ALIGN_UP(sizes[k], step);
            *m = (struct placed_module){ next, sizes[k] };
            snprintf(name, sizeof(name), "module@%lx", (unsigned long)m->base);
            fdt_write_begin_node(&w, name);
            fdt_write_prop_string(&w, "compatible", kinds[k]);
            fdt_write_prop_reg(&w, 2, 2, &m->base, 1);
            fdt_write_end_node(&w);
        }
        fdt_write_end_node(&w);
    }
    fdt_write_end_node(&w);
    fdt_write_end_node(&w);
    assert_int_equal(fdt_write_finish(&w, NULL), 0);
    return buf;
}

static int parse_blob(unsigned char *b)
{
    free(blob);
    blob = b;
    stub_nr_warnings = stub_nr_errors = 0;
    int rc = bootinfo_parse_early(blob, NULL);
    return rc ? rc : bootinfo_parse();
}

/* Every page of every module is reserved: the page allocator never hands one out. */
static void assert_modules_reserved(const struct placed_module *mods, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        uint64_t first = ALIGN_DOWN(mods[i].base, PAGE_SIZE);
        uint64_t last = ALIGN_DOWN(mods[i].base + mods[i].size - 1, PAGE_SIZE);
        assert_false(bootinfo_range_free(first, PAGE_SIZE));
        assert_false(bootinfo_range_free(last, PAGE_SIZE));
        assert_false(bootinfo_range_free(first, last - first + PAGE_SIZE));
    }
}

/* 16 domains with a kernel and a ramdisk each, as scripts/keel-qemu lays them out (issue 12,
 * item 4: the 32nd reservation used to be dropped and its memory handed out). */
static void sixteen_domains(void **state)
{
    static const uint64_t sizes[] = { 3000000, 100000 };
    struct placed_module mods[32];
    assert_int_equal(parse_blob(many_module_tree(16, sizes, 2, MiB(2), mods)), 0);
    assert_modules_reserved(mods, 32);
    assert_int_equal(stub_nr_warnings + stub_nr_errors, 0);
    /* The 2 MiB alignment leaves free memory between modules, and below them. */
    assert_true(bootinfo_range_free(ALIGN_UP(mods[0].base + mods[0].size, PAGE_SIZE), PAGE_SIZE));
    assert_true(bootinfo_range_free(RAM_BASE + MiB(1), MiB(256)));
}

/* No two reserved ranges overlap or touch. */
static void assert_reserved_apart(void)
{
    for (unsigned i = 0; i < bootinfo.nr_reserved; i++)
        for (unsigned j = 0; j < i; j++) {
            const struct mem_range *a = &bootinfo.reserved[i], *b = &bootinfo.reserved[j];
            assert_true(a->base > b->base + b->size || b->base > a->base + a->size);
        }
}

/* More modules than the table holds (64 domains with a kernel, a ramdisk and a device tree):
 * every one stays reserved; the closest ranges are merged, with one warning that says how much
 * free memory that keeps back. */
static void more_modules_than_the_table(void **state)
{
    static const uint64_t sizes[] = { 3000000, 100000, 4096 };
    static struct placed_module mods[64 * 3];
    assert_int_equal(parse_blob(many_module_tree(64, sizes, 3, MiB(2), mods)), 0);
    assert_int_equal(bootinfo.nr_modules, 64 * 3);
    assert_modules_reserved(mods, 64 * 3);
    assert_int_equal(stub_nr_warnings, 1);
    assert_non_null(strstr(stub_last_log, "merged with their neighbours"));
    assert_int_equal(bootinfo.nr_reserved, MAX_RESERVED);
    /* 193 ranges (with the DTB) in 136 slots; each merge spans less than one 2 MiB step. */
    assert_int_equal(bootinfo.reserved_squeezed, 64 * 3 + 1 - MAX_RESERVED);
    assert_true(bootinfo.reserved_lost < bootinfo.reserved_squeezed * MiB(2));
    assert_reserved_apart();
    assert_true(bootinfo_range_free(RAM_BASE + MiB(1), MiB(256)));
}

/* Modules packed back to back fold into one reserved range, so they cost one slot. */
static void touching_modules_fold(void **state)
{
    static const uint64_t sizes[] = { 0x5000, 0x1000 };
    static struct placed_module mods[200 * 2];
    assert_int_equal(parse_blob(many_module_tree(200, sizes, 2, PAGE_SIZE, mods)), 0);
    assert_int_equal(stub_nr_warnings + stub_nr_errors, 0);
    assert_modules_reserved(mods, 400);
    assert_int_equal(bootinfo.nr_reserved, 2); /* the DTB and the modules */
    assert_true(has_reserved(mods[399].base, RAM_BASE + RAM_SIZE - mods[399].base));
    assert_reserved_apart();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(qemu_virt_tree, teardown),
        cmocka_unit_test_teardown(qemu_virt_free_ranges, teardown),
        cmocka_unit_test_teardown(alias_console_and_one_cell_tree, teardown),
        cmocka_unit_test_teardown(edge_values, teardown),
        cmocka_unit_test_teardown(refuses_unusable_trees, teardown),
        cmocka_unit_test_teardown(sixteen_domains, teardown),
        cmocka_unit_test_teardown(more_modules_than_the_table, teardown),
        cmocka_unit_test_teardown(touching_modules_fold, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
