/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A QEMU TCG plugin for scripts/bench/profile_guest.py: counts the instructions every
 * translation block executes, whatever the exception level, and at QEMU's exit writes one line
 * per block: "vaddr host-address-of-first-instruction instructions-run instructions-in-block"
 * (so the second over the third is how often the block ran).  The host address tells
 * two copies of the same kernel apart (dom0's and a domU's run the same virtual addresses from
 * different RAM).  Counting is inline (no call per block), so a run takes little longer than
 * without it, and under -icount the plugin changes nothing the guest sees.
 *
 *   qemu-system-aarch64 ... -plugin build/bench/insncount.so,out=FILE
 *
 * QEMU 7.2 (Debian 12) ships no plugin header; the few entry points used are declared below
 * from its documented plugin API, version 1.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
struct qemu_info;
enum { PLUGIN_INLINE_ADD_U64 = 0 };

#define EXPORT __attribute__((visibility("default")))

extern void
qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
                                      void (*cb)(qemu_plugin_id_t, struct qemu_plugin_tb *));
extern void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, int op, void *ptr,
                                                     uint64_t imm);
extern void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id,
                                           void (*cb)(qemu_plugin_id_t, void *), void *udata);
extern size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
extern uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
extern struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb,
                                                        size_t idx);
extern void *qemu_plugin_insn_haddr(const struct qemu_plugin_insn *insn);

EXPORT int qemu_plugin_version = 1;

/* One translation of one block.  Translations are never freed: a block translated again
 * (after a flush, or for another address space) gets a new record, merged at the end. */
struct block {
    uint64_t vaddr, haddr, insns, size;
};

#define CHUNK 65536
static struct block **chunks;
static size_t nblocks, nchunks;
static char out_path[512];

static struct block *new_block(void)
{
    if (nblocks == nchunks * CHUNK) {
        struct block **c = realloc(chunks, (nchunks + 1) * sizeof(*c));
        if (!c || !(c[nchunks] = calloc(CHUNK, sizeof(struct block)))) {
            fprintf(stderr, "insncount: out of memory\n");
            abort();
        }
        chunks = c;
        nchunks++;
    }
    struct block *b = &chunks[nblocks / CHUNK][nblocks % CHUNK];
    nblocks++;
    return b;
}

static void translated(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);
    if (!n)
        return;
    struct block *b = new_block();
    b->vaddr = qemu_plugin_tb_vaddr(tb);
    b->haddr = (uint64_t)(uintptr_t)qemu_plugin_insn_haddr(qemu_plugin_tb_get_insn(tb, 0));
    b->size = n;
    /* A block left early by an exception is still counted whole: a few instructions per
     * exception, the same on every hypervisor. */
    qemu_plugin_register_vcpu_tb_exec_inline(tb, PLUGIN_INLINE_ADD_U64, &b->insns, n);
}

static int by_address(const void *a, const void *b)
{
    const struct block *x = a, *y = b;
    if (x->vaddr != y->vaddr)
        return x->vaddr < y->vaddr ? -1 : 1;
    if (x->haddr != y->haddr)
        return x->haddr < y->haddr ? -1 : 1;
    return x->size < y->size ? -1 : x->size > y->size;
}

static void finish(qemu_plugin_id_t id, void *udata)
{
    struct block *all = malloc((nblocks ? nblocks : 1) * sizeof(*all));
    FILE *f = fopen(out_path, "w");
    if (!all || !f) {
        fprintf(stderr, "insncount: cannot write %s\n", out_path);
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < nblocks; i++) {
        struct block *b = &chunks[i / CHUNK][i % CHUNK];
        if (b->insns)
            all[n++] = *b;
    }
    qsort(all, n, sizeof(*all), by_address);
    for (size_t i = 0; i < n;) {
        uint64_t sum = 0;
        size_t j = i;
        for (; j < n && !by_address(&all[i], &all[j]); j++)
            sum += all[j].insns;
        fprintf(f, "%llx %llx %llu %llu\n", (unsigned long long)all[i].vaddr,
                (unsigned long long)all[i].haddr, (unsigned long long)sum,
                (unsigned long long)all[i].size);
        i = j;
    }
    fclose(f);
    free(all);
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info *info, int argc,
                               char **argv)
{
    for (int i = 0; i < argc; i++)
        if (!strncmp(argv[i], "out=", 4))
            snprintf(out_path, sizeof(out_path), "%s", argv[i] + 4);
    if (!out_path[0]) {
        fprintf(stderr, "insncount: needs out=FILE\n");
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, translated);
    qemu_plugin_register_atexit_cb(id, finish, NULL);
    return 0;
}
