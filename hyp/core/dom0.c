/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dom0: the hardware and control domain, described as Xen on Arm describes it
 * (xen-abi-facts H.5): its kernel and ramdisk are boot modules directly under /chosen
 * ("multiboot,kernel", "multiboot,ramdisk"; the first untyped module is the kernel, the second
 * the ramdisk), its command line is the kernel module's "bootargs" or /chosen's
 * "xen,dom0-bootargs", and Keel's own command line sizes it: dom0_mem=SIZE (K, M, G or T; no
 * suffix is KiB, as in Xen) and dom0_max_vcpus=N or MIN-MAX (at most one per pCPU).  Pure
 * function of the device tree and the command line, so a host test reaches it.
 */
#include <hyp/bootinfo.h>
#include <hyp/cmdline.h>
#include <hyp/dom0.h>
#include <hyp/errno.h>
#include <hyp/string.h>

/* dom0_mem=SIZE: 0 with *bytes (DOM0_MEM_DEFAULT if absent), -EINVAL if malformed. */
static int parse_mem(const char *cmdline, uint64_t *bytes)
{
    const char *val;
    size_t len;
    *bytes = DOM0_MEM_DEFAULT;
    if (!cmdline_get(cmdline, "dom0_mem", &val, &len))
        return 0;
    bool bare = len && val[len - 1] >= '0' && val[len - 1] <= '9';
    uint64_t v;
    if (parse_u64(val, len, true, &v) || !v)
        return -EINVAL;
    if (bare) { /* Xen's unit without a suffix */
        if (v > UINT64_MAX >> 10)
            return -EINVAL;
        v <<= 10;
    }
    *bytes = v;
    return 0;
}

/* dom0_max_vcpus=N, or MIN-MAX: as many as there are pCPUs within that range; one per pCPU
 * by default; at most a domain's limit.  0 with *n, -EINVAL if malformed. */
static int parse_vcpus(const char *cmdline, unsigned pcpus, unsigned *n)
{
    const char *val;
    size_t len;
    uint64_t lo = pcpus, hi = pcpus;
    if (cmdline_get(cmdline, "dom0_max_vcpus", &val, &len)) {
        size_t first = 0;
        while (first < len && val[first] != '-')
            first++;
        const char *dash = first < len ? val + first : NULL;
        if (parse_u64(val, first, false, &lo) || !lo)
            return -EINVAL;
        hi = lo;
        if (dash && (parse_u64(dash + 1, len - first - 1, false, &hi) || hi < lo))
            return -EINVAL;
        if (dash)
            lo = MIN(MAX(lo, (uint64_t)pcpus), hi); /* a range: as many as pCPUs within it */
        else
            hi = lo;
    }
    *n = (unsigned)MAX(MIN(lo, (uint64_t)MAX_VCPUS_PER_DOMAIN), 1);
    return 0;
}

int dom0_config(const struct fdt *f, const char *cmdline, unsigned pcpus, struct domain_config *cfg,
                const char **why)
{
    int chosen = fdt_path(f, "/chosen");
    struct boot_module m;
    int kernel = -1, ramdisk = -1;
    unsigned untyped = 0;
    memset(cfg, 0, sizeof(*cfg));
    for (int n = bootinfo_next_module(chosen, -1, &m); chosen >= 0 && n >= 0;
         n = bootinfo_next_module(chosen, n, &m)) {
        enum module_kind kind = m.kind;
        if (kind == MOD_OTHER) /* untyped: the first is the kernel, the second the ramdisk */
            kind = untyped++ == 0 ? MOD_KERNEL : untyped == 2 ? MOD_RAMDISK : MOD_OTHER;
        if (kind == MOD_KERNEL && kernel < 0) {
            kernel = n;
            cfg->kernel = m.base;
            cfg->kernel_size = m.size;
        } else if (kind == MOD_RAMDISK && ramdisk < 0) {
            ramdisk = n;
            cfg->ramdisk = m.base;
            cfg->ramdisk_size = m.size;
        }
    }
    if (kernel < 0)
        return -ENOENT;
    strlcpy(cfg->name, DOM0_NAME, sizeof(cfg->name));
    const char *args = fdt_prop_string(f, kernel, "bootargs");
    if (!args)
        args = fdt_prop_string(f, chosen, "xen,dom0-bootargs");
    if (args)
        strlcpy(cfg->bootargs, args, sizeof(cfg->bootargs));
    if (parse_mem(cmdline, &cfg->mem_bytes) || !IS_ALIGNED(cfg->mem_bytes, MiB(2))) {
        *why = "dom0_mem must be a size in MiB, a multiple of 2 (such as dom0_mem=512M)";
        return -EINVAL;
    }
    if (parse_vcpus(cmdline, pcpus, &cfg->nr_vcpus)) {
        *why = "dom0_max_vcpus must be a number or a range (such as 2 or 1-4)";
        return -EINVAL;
    }
    cfg->direct_map = true;
    cfg->is_control = true;
    cfg->xen_enhanced = true;
    /* What xl reports for dom0; its shutdown ends the machine (domain_shutdown.c), so these
     * only name what happens to the domain itself. */
    cfg->on_poweroff = cfg->on_reboot = cfg->on_crash = ACTION_DESTROY;
    return 0;
}
