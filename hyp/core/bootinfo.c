/*
 * Boot device-tree digest.  Written once by the boot CPU before the others start, read-only
 * afterwards, so no locking.  Interrupt controller, timer and PSCI nodes are parsed by their
 * own drivers, not here.
 */
#include <hyp/bootinfo.h>
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/string.h>

struct bootinfo bootinfo;

/* Upper bound for a DTB we accept; QEMU's are ~1 MiB at most. */
#define DTB_MAX_SIZE MiB(2)

/* Whether [base, base + size) rounded out to whole pages stays below 2^64.  Values in the
 * boot DTB are not trusted to be sane; a wrapping range would alias low memory. */
static bool range_fits(uint64_t base, uint64_t size)
{
    return size <= UINT64_MAX - base && base + size <= 0 - PAGE_SIZE;
}

/* Whether string property name of node n is exactly s.  Bounded by the property length, as
 * device-tree values need not be NUL-terminated, and an empty value is no match. */
static bool prop_is(const struct fdt *f, int n, const char *name, const char *s)
{
    uint32_t len;
    const char *v = fdt_prop(f, n, name, &len);
    size_t slen = strlen(s);
    return v && len == slen + 1 && !memcmp(v, s, len);
}

static void add_reserved(paddr_t base, uint64_t size)
{
    if (!size)
        return;
    /* Clamp rather than drop: handing out memory someone reserved is the worse mistake. */
    if (size > UINT64_MAX - base)
        size = 0 - base;
    if (bootinfo.nr_reserved == MAX_RESERVED) {
        pr_warn("bootinfo: too many reserved ranges, ignoring %#lx+%#lx\n", base, size);
        return;
    }
    bootinfo.reserved[bootinfo.nr_reserved++] = (struct mem_range){ base, size };
}

static void parse_memory(const struct fdt *f)
{
    for (int n = fdt_next_node(f, -1, NULL); n >= 0; n = fdt_next_node(f, n, NULL)) {
        if (!prop_is(f, n, "device_type", "memory"))
            continue;
        if (fdt_has_prop(f, n, "status") && !prop_is(f, n, "status", "okay") &&
            !prop_is(f, n, "status", "ok"))
            continue;
        uint64_t base, size;
        for (unsigned i = 0; fdt_reg(f, n, i, &base, &size) == 0; i++) {
            if (!range_fits(base, size))
                continue;
            /* Whole pages only. */
            uint64_t end = ALIGN_DOWN(base + size, PAGE_SIZE);
            base = ALIGN_UP(base, PAGE_SIZE);
            if (end <= base)
                continue;
            if (bootinfo.nr_mem == MAX_MEM_BANKS) {
                pr_warn("bootinfo: too many memory banks, ignoring %#lx+%#lx\n", base, end - base);
                continue;
            }
            bootinfo.mem[bootinfo.nr_mem++] = (struct mem_range){ base, end - base };
        }
    }
}

static void parse_stdout(const struct fdt *f)
{
    int chosen = fdt_path(f, "/chosen");
    uint32_t len;
    const char *path = fdt_prop(f, chosen, "stdout-path", &len);
    if (!path)
        return;
    size_t plen = strnlen(path, len);
    for (size_t i = 0; i < plen; i++)
        if (path[i] == ':')
            plen = i;
    int uart = fdt_path_len(f, path, plen);
    if (uart < 0) {
        /* An alias name ("serial0") rather than a path. */
        int aliases = fdt_path(f, "/aliases");
        char name[32];
        if (plen >= sizeof(name))
            return;
        memcpy(name, path, plen);
        name[plen] = 0;
        const char *target = fdt_prop(f, aliases, name, &len);
        if (target)
            uart = fdt_path_len(f, target, strnlen(target, len));
    }
    uint64_t base;
    if (uart >= 0 &&
        (fdt_compatible(f, uart, "arm,pl011") || fdt_compatible(f, uart, "arm,sbsa-uart")) &&
        fdt_reg(f, uart, 0, &base, NULL) == 0)
        bootinfo.uart_base = base;
}

int bootinfo_parse_early(const void *dtb, const char **why)
{
    const char *ignored;
    if (!why)
        why = &ignored;
    memset(&bootinfo, 0, sizeof(bootinfo));
    bootinfo.fdt_base = (paddr_t)(uintptr_t)dtb;
    if (fdt_open(&bootinfo.fdt, dtb, DTB_MAX_SIZE, why))
        return -EINVAL;
    parse_memory(&bootinfo.fdt);
    if (!bootinfo.nr_mem) {
        *why = "no memory node";
        return -EINVAL;
    }
    parse_stdout(&bootinfo.fdt);
    return 0;
}

static void parse_reserved(const struct fdt *f)
{
    uint64_t base, size;
    for (unsigned i = 0; fdt_mem_rsv(f, i, &base, &size) == 0; i++)
        add_reserved(base, size);
    int rm = fdt_path(f, "/reserved-memory");
    for (int n = fdt_first_child(f, rm); rm >= 0 && n >= 0; n = fdt_next_sibling(f, n))
        for (unsigned i = 0; fdt_reg(f, n, i, &base, &size) == 0; i++)
            add_reserved(base, size);
    add_reserved(bootinfo.fdt_base, ALIGN_UP(bootinfo.fdt.size, PAGE_SIZE));
}

static int parse_cpus(const struct fdt *f)
{
    int cpus = fdt_path(f, "/cpus");
    if (cpus < 0) {
        pr_err("bootinfo: no /cpus node\n");
        return -EINVAL;
    }
    for (int n = fdt_first_child(f, cpus); n >= 0; n = fdt_next_sibling(f, n)) {
        if (!prop_is(f, n, "device_type", "cpu"))
            continue;
        uint64_t hwid;
        if (fdt_reg(f, n, 0, &hwid, NULL)) {
            pr_warn("bootinfo: cpu node %s has no reg, skipped\n", fdt_name(f, n));
            continue;
        }
        if (bootinfo.nr_cpus == MAX_CPUS) {
            pr_warn("bootinfo: more than %d CPUs, the rest stay off\n", MAX_CPUS);
            break;
        }
        bootinfo.cpu_hwid[bootinfo.nr_cpus++] = hwid;
    }
    if (!bootinfo.nr_cpus) {
        pr_err("bootinfo: no CPUs in /cpus\n");
        return -EINVAL;
    }
    return 0;
}

static enum module_kind module_kind(const struct fdt *f, int n, bool *is_module)
{
    *is_module = true;
    if (fdt_compatible(f, n, "multiboot,kernel") || fdt_compatible(f, n, "xen,linux-zimage"))
        return MOD_KERNEL;
    if (fdt_compatible(f, n, "multiboot,ramdisk") || fdt_compatible(f, n, "xen,linux-initrd"))
        return MOD_RAMDISK;
    if (fdt_compatible(f, n, "multiboot,device-tree"))
        return MOD_DEVICE_TREE;
    if (fdt_compatible(f, n, "multiboot,module") || fdt_compatible(f, n, "xen,multiboot-module"))
        return MOD_OTHER;
    *is_module = false;
    return MOD_OTHER;
}

static void add_module(const struct fdt *f, int n, int domain)
{
    bool is_module;
    enum module_kind kind = module_kind(f, n, &is_module);
    uint64_t base, size;
    if (!is_module)
        return;
    if (fdt_reg(f, n, 0, &base, &size) || !size || !range_fits(base, size)) {
        pr_warn("bootinfo: module %s has no usable reg, ignored\n", fdt_name(f, n));
        return;
    }
    if (bootinfo.nr_modules == MAX_BOOT_MODULES) {
        pr_warn("bootinfo: too many boot modules, %s ignored\n", fdt_name(f, n));
        return;
    }
    bootinfo.modules[bootinfo.nr_modules++] = (struct boot_module){ kind, base, size, n, domain };
    add_reserved(ALIGN_DOWN(base, PAGE_SIZE),
                 ALIGN_UP(base + size, PAGE_SIZE) - ALIGN_DOWN(base, PAGE_SIZE));
}

static void parse_chosen(const struct fdt *f)
{
    int chosen = fdt_path(f, "/chosen");
    uint32_t len = 0;
    const char *args = fdt_prop(f, chosen, "xen,xen-bootargs", &len);
    if (!args)
        args = fdt_prop(f, chosen, "bootargs", &len);
    bootinfo.cmdline = args && len && strnlen(args, len) < len ? args : "";
    for (int n = fdt_first_child(f, chosen); chosen >= 0 && n >= 0; n = fdt_next_sibling(f, n)) {
        if (fdt_compatible(f, n, "xen,domain")) {
            for (int m = fdt_first_child(f, n); m >= 0; m = fdt_next_sibling(f, m))
                add_module(f, m, n);
        } else {
            add_module(f, n, -1);
        }
    }
}

int bootinfo_parse(void)
{
    const struct fdt *f = &bootinfo.fdt;
    parse_reserved(f);
    parse_chosen(f);
    return parse_cpus(f);
}

/* Both ranges non-empty; compared by last byte so a range ending at 2^64 works. */
static bool overlaps(paddr_t a, uint64_t as, paddr_t b, uint64_t bs)
{
    return a <= b + (bs - 1) && b <= a + (as - 1);
}

/* An empty or wrapping range is never "free": callers use this to hand memory out. */
bool bootinfo_range_free(paddr_t base, uint64_t size)
{
    if (!size || size > UINT64_MAX - base)
        return false;
    bool in_ram = false;
    for (unsigned i = 0; i < bootinfo.nr_mem; i++)
        if (base >= bootinfo.mem[i].base &&
            base + size <= bootinfo.mem[i].base + bootinfo.mem[i].size)
            in_ram = true;
    if (!in_ram)
        return false;
    for (unsigned i = 0; i < bootinfo.nr_reserved; i++)
        if (overlaps(base, size, bootinfo.reserved[i].base, bootinfo.reserved[i].size))
            return false;
    return true;
}
