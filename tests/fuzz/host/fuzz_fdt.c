/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for the device-tree reader (hyp/lib/fdt.c), which takes the boot loader's
 * tree and Keel's own generated guest trees.  The input is the blob, in a heap buffer of
 * exactly its size so AddressSanitizer sees any read past it.  Whatever fdt_open() accepts is
 * then walked with every accessor: none may read outside the blob or misbehave.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <hyp/errno.h>
#include <hyp/fdt.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const props[] = { "compatible",  "reg",         "#address-cells",
                                     "#size-cells", "phandle",     "interrupts",
                                     "bootargs",    "device_type", "status" };
static const char *const paths[] = { "/",     "/chosen", "/cpus/cpu@0", "/memory", "/a/b/c",
                                     "/cpus", "//",      "/chosen/",    "" };

static void walk_node(const struct fdt *f, int node)
{
    volatile uint64_t sink = 0;
    sink += strlen(fdt_name(f, node));
    for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
        uint32_t len = 0, u32;
        uint64_t u64;
        const uint8_t *p = fdt_prop(f, node, props[i], &len);
        for (uint32_t j = 0; p && j < len; j++)
            sink += p[j];
        sink += fdt_prop_u32(f, node, props[i], &u32) + fdt_prop_u64(f, node, props[i], &u64);
        sink += fdt_has_prop(f, node, props[i]);
    }
    sink += fdt_stringlist_has(f, node, "compatible", "arm,gic-v3");
    sink += fdt_address_cells(f, node) + fdt_size_cells(f, node);
    for (unsigned i = 0; i < 4; i++) {
        uint64_t a, s;
        if (fdt_reg(f, node, i, &a, &s))
            break;
        sink += a + s;
    }
    for (unsigned i = 0; i < 4; i++) {
        unsigned intid;
        bool edge;
        if (fdt_gic_irq(f, node, i, &intid, &edge) == -ENOENT)
            break;
    }
    sink += (uint64_t)fdt_first_child(f, node) + (uint64_t)fdt_next_sibling(f, node) +
            (uint64_t)fdt_parent(f, node);
    (void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *blob = malloc(size ? size : 1);
    if (!blob)
        return 0;
    memcpy(blob, data, size);
    struct fdt f;
    const char *why = NULL;
    (void)fdt_header_size(size >= 8 ? blob : (const uint8_t *)"\0\0\0\0\0\0\0\0");
    if (fdt_open(&f, blob, size, &why) == 0) {
        int depth = 0, n = 0;
        for (int node = fdt_next_node(&f, -1, &depth); node >= 0 && n < 10000;
             node = fdt_next_node(&f, node, &depth), n++)
            walk_node(&f, node);
        for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
            (void)fdt_path(&f, paths[i]);
        (void)fdt_path_len(&f, "/chosen/module@0", 7);
        for (int node = fdt_find_compatible(&f, -1, "multiboot,module"), k = 0;
             node >= 0 && k < 100; node = fdt_find_compatible(&f, node, "multiboot,module"), k++)
            (void)fdt_compatible(&f, node, "multiboot,kernel");
        (void)fdt_find_phandle(&f, 1);
        (void)fdt_find_phandle(&f, 0xffffffffu);
        for (unsigned i = 0; i < 64; i++) {
            uint64_t a, s;
            if (fdt_mem_rsv(&f, i, &a, &s))
                break;
        }
    }
    free(blob);
    return 0;
}
