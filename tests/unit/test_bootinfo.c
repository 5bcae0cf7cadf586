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
#include "unit_blob.h"

UNIT_BLOB(bootinfo_qemu_dtb, "bootinfo_qemu.dtb");
UNIT_BLOB(bootinfo_alias_dtb, "bootinfo_alias.dtb");
UNIT_BLOB(bootinfo_edge_dtb, "bootinfo_edge.dtb");
UNIT_BLOB(bootinfo_nomem_dtb, "bootinfo_nomem.dtb");

static unsigned nr_warnings, nr_errors;
static char last_log[256];

/* Test double for core/console.c: keeps the count and the last line. */
void log_printf(enum log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_log, sizeof(last_log), fmt, ap);
    va_end(ap);
    if (level == LOG_WARN)
        nr_warnings++;
    if (level == LOG_ERR)
        nr_errors++;
}

static unsigned char *blob;

/* Both parse stages over a heap copy of the tree; the copy stays alive for the test, since
 * bootinfo points into it. */
static int parse(const unsigned char *start, const unsigned char *end)
{
    const char *why = NULL;
    free(blob);
    blob = unit_blob_dup(start, end, NULL);
    nr_warnings = nr_errors = 0;
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

static void assert_module(unsigned i, enum module_kind kind, uint64_t base, uint64_t size,
                          const char *node, int domain)
{
    const struct boot_module *m = &bootinfo.modules[i];
    assert_int_equal(m->kind, kind);
    assert_int_equal(m->base, base);
    assert_int_equal(m->size, size);
    assert_string_equal(fdt_name(&bootinfo.fdt, m->node), node);
    assert_int_equal(m->domain_node, domain);
}

static void qemu_virt_tree(void **state)
{
    assert_int_equal(parse(bootinfo_qemu_dtb, bootinfo_qemu_dtb_end), 0);
    assert_int_equal(nr_warnings + nr_errors, 0);
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

    int dom = fdt_path(f, "/chosen/domU1");
    assert_true(dom > 0);
    assert_int_equal(bootinfo.nr_modules, 6);
    assert_module(0, MOD_KERNEL, 0x44000000, 0x1200000, "module@44000000", -1);
    assert_module(1, MOD_RAMDISK, 0x46000100, 0x2345, "module@46000100", -1);
    assert_module(2, MOD_KERNEL, 0x4a000000, 0x800000, "module@4a000000", dom);
    assert_module(3, MOD_RAMDISK, 0x4b000000, 0x100000, "module@4b000000", dom);
    assert_module(4, MOD_DEVICE_TREE, 0x4c000000, 0x1000, "module@4c000000", dom);
    assert_module(5, MOD_OTHER, 0x4d000000, 0x1000, "module@4d000000", -1);

    /* /memreserve/, /reserved-memory (the pool has no reg), the DTB, then each module
     * widened to whole pages. */
    assert_int_equal(bootinfo.nr_reserved, 9);
    assert_range(&bootinfo.reserved[0], 0x48000000, 0x10000);
    assert_range(&bootinfo.reserved[1], 0x4e000000, 0x200000);
    assert_int_equal(bootinfo.reserved[2].base, (uintptr_t)blob);
    assert_int_equal(bootinfo.reserved[2].size, ALIGN_UP((uint64_t)bootinfo.fdt.size, PAGE_SIZE));
    assert_range(&bootinfo.reserved[3], 0x44000000, 0x1200000);
    assert_range(&bootinfo.reserved[4], 0x46000000, 0x3000);
    assert_range(&bootinfo.reserved[8], 0x4d000000, 0x1000);
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
    assert_int_equal(bootinfo.nr_modules, 1);
    assert_module(0, MOD_KERNEL, 0x45000000, 0x1000, "k2", fdt_path(&bootinfo.fdt, "/chosen/dom"));
    assert_int_equal(nr_warnings, 2);
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
    assert_int_equal(nr_warnings, 2);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(qemu_virt_tree, teardown),
        cmocka_unit_test_teardown(qemu_virt_free_ranges, teardown),
        cmocka_unit_test_teardown(alias_console_and_one_cell_tree, teardown),
        cmocka_unit_test_teardown(edge_values, teardown),
        cmocka_unit_test_teardown(refuses_unusable_trees, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
