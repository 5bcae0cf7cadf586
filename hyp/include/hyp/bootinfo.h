/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the boot device tree says about the machine, gathered once at boot: RAM banks, reserved
 * ranges, CPUs, the console UART, /chosen arguments and boot modules.  Read-only after
 * bootinfo_parse().
 */
#pragma once

#include <hyp/config.h>
#include <hyp/fdt.h>
#include <hyp/types.h>

enum module_kind { MOD_KERNEL, MOD_RAMDISK, MOD_DEVICE_TREE, MOD_OTHER };

struct boot_module {
    enum module_kind kind;
    paddr_t base;
    uint64_t size;
    int node; /* its device-tree node */
};

struct bootinfo {
    struct fdt fdt;
    paddr_t fdt_base;
    struct mem_range mem[MAX_MEM_BANKS];
    unsigned nr_mem;
    /* memreserve, /reserved-memory, the DTB and every boot module; no two touch.  When more
     * come than fit, the closest are merged: reserved_squeezed merges kept reserved_lost
     * bytes of free memory back. */
    struct mem_range reserved[MAX_RESERVED];
    unsigned nr_reserved;
    unsigned reserved_squeezed;
    uint64_t reserved_lost;
    uint64_t cpu_hwid[MAX_CPUS];
    unsigned nr_cpus;
    paddr_t uart_base;   /* 0 if no usable stdout-path */
    const char *cmdline; /* hypervisor command line ("" if none) */
    unsigned nr_modules; /* usable boot modules, all reserved (see bootinfo_next_module) */
};

extern struct bootinfo bootinfo;

/*
 * Parse the memory banks and the console UART (enough to set up the MMU); safe with the MMU
 * off.  Returns 0 or -EINVAL with *why set.
 */
int bootinfo_parse_early(const void *dtb, const char **why);

/* Parse the rest: reserved memory, CPUs, /chosen, modules.  Returns 0 or a negative errno
 * after printing what is wrong. */
int bootinfo_parse(void);

/*
 * Boot modules are read from the device tree where they are, however many there are: the next
 * usable module node among the children of parent (a "xen,domain" node, or /chosen for those
 * outside any domain) after child after (-1: from the first).  Returns the node with *m
 * filled, or -1.  Nodes that are not modules or have no usable "reg" are skipped.
 */
int bootinfo_next_module(int parent, int after, struct boot_module *m);

/* Whether [base, base + size) is non-empty and lies within one RAM bank (which Keel maps). */
bool bootinfo_in_ram(paddr_t base, uint64_t size);

/* Whether [base, base + size) lies in RAM and overlaps no reserved range. */
bool bootinfo_range_free(paddr_t base, uint64_t size);
