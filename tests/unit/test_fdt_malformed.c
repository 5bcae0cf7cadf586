/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the device-tree reader on malformed input: every defect fdt_open() must
 * reject with -EINVAL, checked on heap copies of exact size so AddressSanitizer reports any
 * read past the blob.  Ends with a deterministic mutation fuzz loop over a dtc-built tree.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <hyp/errno.h>
#include <hyp/fdt.h>
#include "unit_blob.h"

UNIT_BLOB(fdt_basic_dtb, "fdt_basic.dtb");

enum { BEGIN = 1, END = 2, PROP = 3, NOP = 4, DONE = 9 };
#define N4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

/* Header field offsets (Devicetree Specification 5.2). */
enum {
    H_MAGIC = 0,
    H_TOTAL = 4,
    H_STRUCT = 8,
    H_STRINGS = 12,
    H_RSV = 16,
    H_VERSION = 20,
    H_LAST_COMP = 24,
    H_STRINGS_SIZE = 32,
    H_STRUCT_SIZE = 36,
    H_LEN = 40
};

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* A blob in a heap buffer of exactly its size. */
struct blob {
    unsigned char *p;
    size_t len;
};

/*
 * Assemble header, an empty reservation list, and the two blocks.  With strings_last false the
 * structure block ends the blob, so a walker that runs off its end reads past the allocation.
 */
static struct blob build(const uint32_t *words, size_t nwords, const char *strs, size_t slen,
                         bool strings_last)
{
    size_t st_len = nwords * 4, pad = (4 - slen % 4) % 4;
    size_t total = H_LEN + 16 + st_len + slen + pad;
    struct blob b = { calloc(1, total), total };
    assert_non_null(b.p);
    size_t st_off = strings_last ? H_LEN + 16 : H_LEN + 16 + slen + pad;
    size_t str_off = strings_last ? H_LEN + 16 + st_len : H_LEN + 16;
    put32(b.p + H_MAGIC, FDT_MAGIC);
    put32(b.p + H_TOTAL, (uint32_t)total);
    put32(b.p + H_STRUCT, (uint32_t)st_off);
    put32(b.p + H_STRINGS, (uint32_t)str_off);
    put32(b.p + H_RSV, H_LEN);
    put32(b.p + H_VERSION, 17);
    put32(b.p + H_LAST_COMP, 16);
    put32(b.p + H_STRINGS_SIZE, (uint32_t)slen);
    put32(b.p + H_STRUCT_SIZE, (uint32_t)st_len);
    for (size_t i = 0; i < nwords; i++)
        put32(b.p + st_off + 4 * i, words[i]);
    memcpy(b.p + str_off, strs, slen);
    return b;
}

#define BUILD(words, strs) build(words, sizeof(words) / 4, strs, sizeof(strs) - 1, false)

static int open_blob(struct blob b)
{
    struct fdt f;
    const char *why = NULL;
    int rc = fdt_open(&f, b.p, b.len, &why);
    if (rc)
        assert_non_null(why); /* every rejection explains itself */
    free(b.p);
    return rc;
}

static void minimal_tree_is_accepted(void **state)
{
    static const uint32_t w[] = { BEGIN, 0, PROP, 4, 0, 0x12345678, NOP, END, DONE };
    assert_int_equal(open_blob(BUILD(w, "reg\0")), 0);
    assert_int_equal(open_blob(build(w, 9, "reg", 4, true)), 0);
}

static void bad_header(void **state)
{
    static const uint32_t w[] = { BEGIN, 0, END, DONE };
    struct fdt f;
    struct blob b = BUILD(w, "");
    assert_int_equal(fdt_open(&f, b.p, b.len, NULL), 0);
    assert_int_equal(fdt_open(&f, NULL, b.len, NULL), -EINVAL);
    assert_int_equal(fdt_open(&f, b.p, H_LEN - 1, NULL), -EINVAL);
    assert_int_equal(fdt_open(&f, b.p, b.len - 1, NULL), -EINVAL); /* totalsize > max */
    free(b.p);

    static const struct {
        unsigned field;
        uint32_t value;
    } cases[] = {
        { H_MAGIC, 0xedfe0dd0 }, /* little-endian magic */
        { H_VERSION, 16 },
        { H_LAST_COMP, 18 },
        { H_TOTAL, H_LEN - 1 },
        { H_TOTAL, 0xffffffff },
        { H_STRUCT, 0xffffffff },
        { H_STRUCT, H_LEN + 18 }, /* misaligned */
        { H_STRUCT, 0 },          /* overlaps the header */
        { H_STRUCT_SIZE, 1000 },
        { H_STRUCT_SIZE, 0xfffffff0 },
        { H_STRINGS, 0x7fffffff },
        { H_STRINGS, 8 },
        { H_STRINGS_SIZE, 1000 },
        { H_STRINGS_SIZE, 0xffffffff },
        { H_RSV, 0 },
        { H_RSV, H_LEN + 4 }, /* misaligned */
        { H_RSV, 0xfffffff8 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        b = BUILD(w, "");
        put32(b.p + cases[i].field, cases[i].value);
        assert_int_equal(open_blob(b), -EINVAL);
    }
    /* A block offset and size that wrap around 2^32 to land inside the blob. */
    b = BUILD(w, "");
    put32(b.p + H_STRUCT, 0xfffffff0);
    put32(b.p + H_STRUCT_SIZE, 0x20);
    assert_int_equal(open_blob(b), -EINVAL);
}

static void unterminated_reservation_list(void **state)
{
    static const uint32_t w[] = { BEGIN, 0, END, DONE };
    /* Point the list at the structure block: no all-zero 16 bytes before the blob ends. */
    struct blob b = BUILD(w, "");
    put32(b.p + H_RSV, H_LEN + 8);
    put32(b.p + H_LEN + 8, 0xffffffff); /* not zero, and it runs into BEGIN/END/DONE */
    assert_int_equal(open_blob(b), -EINVAL);
    b = BUILD(w, "");
    put32(b.p + H_LEN + 12, 1); /* the only entry is now nonzero */
    assert_int_equal(open_blob(b), -EINVAL);
}

/* Every prefix of a real blob, with and without the header admitting the shorter size. */
static void truncated_at_every_length(void **state)
{
    size_t full;
    unsigned char *orig = unit_blob_dup(fdt_basic_dtb, fdt_basic_dtb_end, &full);
    struct fdt f;
    assert_int_equal(fdt_open(&f, orig, full, NULL), 0);
    for (size_t len = 0; len < full; len++) {
        unsigned char *p = malloc(len ? len : 1);
        memcpy(p, orig, len);
        assert_int_equal(fdt_open(&f, p, len, NULL), -EINVAL);
        if (len >= H_LEN) {
            put32(p + H_TOTAL, (uint32_t)len);
            assert_int_equal(fdt_open(&f, p, len, NULL), -EINVAL);
            /* Also shrink the block sizes to fit, so the token walk itself meets the cut. */
            uint32_t so = fdt32(p + H_STRUCT), ss = fdt32(p + H_STRUCT_SIZE);
            uint32_t to = fdt32(p + H_STRINGS), ts = fdt32(p + H_STRINGS_SIZE);
            if (so <= len && ss > len - so)
                put32(p + H_STRUCT_SIZE, (uint32_t)(len - so));
            if (to <= len && ts > len - to)
                put32(p + H_STRINGS_SIZE, (uint32_t)(len - to));
            assert_int_equal(fdt_open(&f, p, len, NULL), -EINVAL);
        }
        free(p);
    }
    free(orig);
}

static void bad_names_and_strings(void **state)
{
    /* Node name running to the end of the structure block. */
    static const uint32_t unterminated_name[] = { BEGIN, N4('a', 'b', 'c', 'd') };
    assert_int_equal(open_blob(BUILD(unterminated_name, "")), -EINVAL);
    static const uint32_t child_name[] = { BEGIN, 0, BEGIN, N4('a', 'b', 'c', 'd') };
    assert_int_equal(open_blob(BUILD(child_name, "")), -EINVAL);

    /* Name offsets at, past and far past the end of the strings block. */
    static const uint32_t at_end[] = { BEGIN, 0, PROP, 0, 4, END, DONE };
    assert_int_equal(open_blob(BUILD(at_end, "reg\0")), -EINVAL);
    static const uint32_t huge[] = { BEGIN, 0, PROP, 0, 0xffffffff, END, DONE };
    assert_int_equal(open_blob(BUILD(huge, "reg\0")), -EINVAL);
    static const uint32_t ok[] = { BEGIN, 0, PROP, 0, 1, END, DONE };
    assert_int_equal(open_blob(BUILD(ok, "reg\0")), 0); /* "eg": a suffix is fine */

    /* Strings block without a final NUL, at the very end of the blob. */
    static const uint32_t w[] = { BEGIN, 0, PROP, 0, 4, END, DONE };
    assert_int_equal(open_blob(build(w, 7, "reg\0abcd", 8, true)), -EINVAL);
    assert_int_equal(open_blob(build(w, 7, "reg\0abc", 7, true)), -EINVAL);
    assert_int_equal(open_blob(build(w, 7, "reg\0ab\0", 7, true)), 0);
}

static void bad_token_streams(void **state)
{
    static const uint32_t extra_end[] = { BEGIN, 0, END, END, DONE };
    static const uint32_t missing_end_node[] = { BEGIN, 0, BEGIN, N4('a', 0, 0, 0), END, DONE };
    static const uint32_t missing_done[] = { BEGIN, 0, END };
    static const uint32_t missing_done_nop[] = { BEGIN, 0, END, NOP };
    static const uint32_t only_done[] = { DONE };
    static const uint32_t prop_before_root[] = { PROP, 0, 0, BEGIN, 0, END, DONE };
    static const uint32_t prop_after_root[] = { BEGIN, 0, END, PROP, 0, 0, DONE };
    static const uint32_t two_roots[] = { BEGIN, 0, END, BEGIN, 0, END, DONE };
    static const uint32_t unknown_token[] = { BEGIN, 0, 5, END, DONE };
    static const uint32_t zero_token[] = { BEGIN, 0, 0, END, DONE };
    static const uint32_t prop_too_long[] = { BEGIN, 0, PROP, 0xffffffff, 0, END, DONE };
    static const uint32_t prop_past_end[] = { BEGIN, 0, PROP, 13, 0, 1, 2, END, DONE };
    static const uint32_t prop_header_cut[] = { BEGIN, 0, PROP, 4 };
    static const uint32_t prop_value_cut[] = { BEGIN, 0, PROP, 8, 0, 1 };
    static const uint32_t end_before_begin[] = { END, BEGIN, 0, END, DONE };
    assert_int_equal(open_blob(BUILD(extra_end, "x\0")), -EINVAL);
    assert_int_equal(open_blob(BUILD(missing_end_node, "x\0")), -EINVAL);
    assert_int_equal(open_blob(BUILD(missing_done, "x\0")), -EINVAL);
    assert_int_equal(open_blob(BUILD(missing_done_nop, "x\0")), -EINVAL);
    assert_int_equal(open_blob(BUILD(only_done, "x\0")), -EINVAL);
    assert_int_equal(open_blob(BUILD(prop_before_root, "x\0")), -EINVAL);
    assert_int_equal(open_blob(BUILD(prop_after_root, "x\0")), -EINVAL);
    assert_int_equal(open_blob(BUILD(two_roots, "x\0")), -EINVAL);
    assert_int_equal(open_blob(BUILD(unknown_token, "x\0")), -EINVAL);
    assert_int_equal(open_blob(BUILD(zero_token, "x\0")), -EINVAL);
    assert_int_equal(open_blob(BUILD(prop_too_long, "x\0")), -EINVAL);
    assert_int_equal(open_blob(BUILD(prop_past_end, "x\0")), -EINVAL);
    assert_int_equal(open_blob(BUILD(prop_header_cut, "x\0")), -EINVAL);
    assert_int_equal(open_blob(BUILD(prop_value_cut, "x\0")), -EINVAL);
    assert_int_equal(open_blob(BUILD(end_before_begin, "x\0")), -EINVAL);
    /* An empty structure block. */
    assert_int_equal(open_blob(build(NULL, 0, "", 0, false)), -EINVAL);
}

/* root + (levels - 1) nested nodes named "d", all closed. */
static struct blob nested(unsigned levels)
{
    uint32_t w[3 * 64 + 1];
    size_t n = 0;
    for (unsigned i = 0; i < levels; i++) {
        w[n++] = BEGIN;
        w[n++] = i ? N4('d', 0, 0, 0) : 0;
    }
    for (unsigned i = 0; i < levels; i++)
        w[n++] = END;
    w[n++] = DONE;
    return build(w, n, "", 0, false);
}

static void nesting_limit(void **state)
{
    assert_int_equal(open_blob(nested(FDT_MAX_DEPTH + 1)), -EINVAL);
    assert_int_equal(open_blob(nested(64)), -EINVAL);

    /* Exactly at the limit everything still works, including fdt_parent's stack. */
    struct blob b = nested(FDT_MAX_DEPTH);
    struct fdt f;
    assert_int_equal(fdt_open(&f, b.p, b.len, NULL), 0);
    char path[2 * FDT_MAX_DEPTH + 1] = "";
    for (unsigned i = 1; i < FDT_MAX_DEPTH; i++)
        strcat(path, "/d");
    int deepest = fdt_path(&f, path);
    assert_true(deepest > 0);
    assert_int_equal(fdt_first_child(&f, deepest), -1);
    int n = deepest, hops = 0;
    while (n > 0) {
        n = fdt_parent(&f, n);
        hops++;
    }
    assert_int_equal(n, 0);
    assert_int_equal(hops, FDT_MAX_DEPTH - 1);
    free(b.p);
}

/* Drive every accessor over an accepted tree; ASan and UBSan do the checking. */
static void exercise(const struct fdt *f)
{
    static const char *const paths[] = { "/",       "/cpus/cpu@0",      "/soc/uart",
                                         "/memory", "/props/old-style", "/deep/a/b/c/leaf",
                                         "/x/y" };
    int depth = 0;
    unsigned visited = 0;
    for (int n = fdt_next_node(f, -1, &depth); n >= 0 && visited < 1000;
         n = fdt_next_node(f, n, &depth), visited++) {
        uint64_t a, s;
        uint32_t v, len;
        (void)strlen(fdt_name(f, n));
        (void)fdt_parent(f, n);
        (void)fdt_first_child(f, n);
        (void)fdt_next_sibling(f, n);
        (void)fdt_prop(f, n, "reg", &len);
        for (unsigned i = 0; i < 3; i++)
            (void)fdt_reg(f, n, i, &a, &s);
        (void)fdt_compatible(f, n, "arm,gic-400");
        (void)fdt_stringlist_has(f, n, "strs", "three");
        (void)fdt_prop_u32(f, n, "u32", &v);
        (void)fdt_prop_u64(f, n, "u64", &a);
        (void)fdt_address_cells(f, n);
        (void)fdt_size_cells(f, n);
    }
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        (void)fdt_path(f, paths[i]);
    (void)fdt_find_compatible(f, -1, "keel,dev");
    (void)fdt_find_phandle(f, 1);
    uint64_t a, s;
    for (unsigned i = 0; fdt_mem_rsv(f, i, &a, &s) == 0 && i < 1000; i++)
        ;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rng(void)
{
    /* xorshift64*: fixed seed so a failure reproduces. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static void mutation_fuzz(void **state)
{
    static const uint32_t interesting[] = {
        0, 1, 2, 3, 4, 9, 0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff, 40, 16
    };
    size_t full;
    unsigned char *orig = unit_blob_dup(fdt_basic_dtb, fdt_basic_dtb_end, &full);
    unsigned accepted = 0, iterations = 30000;
    for (unsigned it = 0; it < iterations; it++) {
        size_t len = full;
        unsigned char *p = malloc(full);
        memcpy(p, orig, full);
        unsigned edits = 1 + rng() % 4;
        for (unsigned e = 0; e < edits; e++) {
            size_t at = rng() % full;
            switch (rng() % 4) {
            case 0: /* one random byte */
                p[at] = (unsigned char)rng();
                break;
            case 1: /* one bit */
                p[at] ^= (unsigned char)(1u << (rng() % 8));
                break;
            case 2: /* an aligned word set to a value that means something to the parser */
                at &= ~(size_t)3;
                if (at + 4 <= full)
                    put32(p + at, interesting[rng() % (sizeof(interesting) / 4)]);
                break;
            default: /* a header field */
                put32(p + 4 * (rng() % 10), rng() % (uint32_t)(full + 64));
                break;
            }
        }
        if (rng() % 8 == 0)
            len = rng() % full; /* and sometimes fewer readable bytes */
        struct fdt f;
        if (fdt_open(&f, p, len, NULL) == 0) {
            accepted++;
            exercise(&f);
        }
        free(p);
    }
    /* Guard against a loop that only ever feeds rejected blobs to the accessors. */
    assert_true(accepted > iterations / 20);
    free(orig);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(minimal_tree_is_accepted),
        cmocka_unit_test(bad_header),
        cmocka_unit_test(unterminated_reservation_list),
        cmocka_unit_test(truncated_at_every_length),
        cmocka_unit_test(bad_names_and_strings),
        cmocka_unit_test(bad_token_streams),
        cmocka_unit_test(nesting_limit),
        cmocka_unit_test(mutation_fuzz),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
