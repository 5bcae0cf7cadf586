/* SPDX-License-Identifier: Apache-2.0 */
/*
 * abi/xen/ on the host (x86-64): every header together, beside the C library's <errno.h>.  The
 * layouts are checked by the headers' static assertions as this file compiles; the tests check
 * what those cannot: errno values against the host's, bit numbering in the shared bitmaps, the
 * encodings built by macros, the SMCCC UID against its string form, and the guest layout.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <xen/arch-arm.h>
#include <xen/domctl.h>
#include <xen/errno.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/hvm.h>
#include <xen/memory.h>
#include <xen/physdev.h>
#include <xen/platform.h>
#include <xen/sched.h>
#include <xen/sysctl.h>
#include <xen/vcpu.h>
#include <xen/version.h>
#include <xen/xen.h>

/* Xen's numbers are Linux's (Appendix 1), so dom0 programs may compare them with errno. */
static void errno_matches_linux(void **state)
{
    static const struct {
        int xen, host;
    } pairs[] = {
        { XEN_EPERM, EPERM },
        { XEN_ENOENT, ENOENT },
        { XEN_ESRCH, ESRCH },
        { XEN_EINTR, EINTR },
        { XEN_EIO, EIO },
        { XEN_ENXIO, ENXIO },
        { XEN_E2BIG, E2BIG },
        { XEN_ENOEXEC, ENOEXEC },
        { XEN_EBADF, EBADF },
        { XEN_ECHILD, ECHILD },
        { XEN_EAGAIN, EAGAIN },
        { XEN_EWOULDBLOCK, EWOULDBLOCK },
        { XEN_ENOMEM, ENOMEM },
        { XEN_EACCES, EACCES },
        { XEN_EFAULT, EFAULT },
        { XEN_EBUSY, EBUSY },
        { XEN_EEXIST, EEXIST },
        { XEN_EXDEV, EXDEV },
        { XEN_ENODEV, ENODEV },
        { XEN_ENOTDIR, ENOTDIR },
        { XEN_EISDIR, EISDIR },
        { XEN_EINVAL, EINVAL },
        { XEN_ENFILE, ENFILE },
        { XEN_EMFILE, EMFILE },
        { XEN_ENOSPC, ENOSPC },
        { XEN_EROFS, EROFS },
        { XEN_EMLINK, EMLINK },
        { XEN_EDOM, EDOM },
        { XEN_ERANGE, ERANGE },
        { XEN_EDEADLK, EDEADLK },
        { XEN_ENAMETOOLONG, ENAMETOOLONG },
        { XEN_ENOLCK, ENOLCK },
        { XEN_ENOSYS, ENOSYS },
        { XEN_ENOTEMPTY, ENOTEMPTY },
        { XEN_ENODATA, ENODATA },
        { XEN_ETIME, ETIME },
        { XEN_EBADMSG, EBADMSG },
        { XEN_EOVERFLOW, EOVERFLOW },
        { XEN_EILSEQ, EILSEQ },
        { XEN_ENOTSOCK, ENOTSOCK },
        { XEN_EMSGSIZE, EMSGSIZE },
        { XEN_EOPNOTSUPP, EOPNOTSUPP },
        { XEN_EADDRINUSE, EADDRINUSE },
        { XEN_EADDRNOTAVAIL, EADDRNOTAVAIL },
        { XEN_ENOBUFS, ENOBUFS },
        { XEN_EISCONN, EISCONN },
        { XEN_ENOTCONN, ENOTCONN },
        { XEN_ETIMEDOUT, ETIMEDOUT },
        { XEN_ECONNREFUSED, ECONNREFUSED },
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
        assert_int_equal(pairs[i].xen, pairs[i].host);
    assert_int_equal(XEN_ERESTART, 85);
}

/* Port p is bit p % 64 of little-endian word p / 64: byte p / 8, bit p % 8 of the array. */
static void evtchn_2l_bit_numbering(void **state)
{
    static struct shared_info si;
    const unsigned ports[] = { 1, 63, 64, 1000, EVTCHN_2L_NR_CHANNELS - 1 };
    for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
        unsigned p = ports[i];
        memset(&si, 0, sizeof(si));
        si.evtchn_pending[p / EVTCHN_2L_BITS_PER_WORD] |= 1ULL << (p % EVTCHN_2L_BITS_PER_WORD);
        si.evtchn_mask[p / EVTCHN_2L_BITS_PER_WORD] |= 1ULL << (p % EVTCHN_2L_BITS_PER_WORD);
        const uint8_t *raw = (const uint8_t *)&si;
        assert_int_equal(raw[48 + p / 8], 1u << (p % 8));
        assert_int_equal(raw[560 + p / 8], 1u << (p % 8));
    }
    assert_int_equal(EVTCHN_2L_NR_CHANNELS, 4096);
}

static void grant_entry_bytes(void **state)
{
    struct grant_entry_v1 e = { .flags = GTF_permit_access | GTF_readonly,
                                .domid = 0x1234,
                                .frame = 0x89abcdef };
    const uint8_t want[8] = { 0x05, 0x00, 0x34, 0x12, 0xef, 0xcd, 0xab, 0x89 };
    assert_memory_equal(&e, want, sizeof(want));
    assert_int_equal(GNTTAB_V1_ENTRIES_PER_FRAME, 512);
    assert_int_equal(e.flags & GTF_type_mask, GTF_permit_access);
}

static void memflags_roundtrip(void **state)
{
    for (uint32_t node = 0; node < 255; node++) {
        uint32_t f = XENMEMF_exact_node(node) | XENMEMF_address_bits(40);
        assert_int_equal(XENMEMF_get_node(f), node);
        assert_int_equal(XENMEMF_get_address_bits(f), 40);
        assert_true(f & XENMEMF_exact_node_request);
    }
    /* No node requested decodes as node 0xff ("any"). */
    assert_int_equal(XENMEMF_get_node(0u), 0xff);
}

/* memory_op's cmd carries the extent a continued call starts from above the sub-op. */
static void memop_cmd_encoding(void **state)
{
    uint64_t cmd = XENMEM_populate_physmap | (UINT64_C(1000) << MEMOP_EXTENT_SHIFT);
    assert_int_equal(cmd & MEMOP_CMD_MASK, XENMEM_populate_physmap);
    assert_int_equal(cmd >> MEMOP_EXTENT_SHIFT, 1000);
    assert_int_equal(MEMOP_CMD_MASK, 0x3f);
    assert_true(XENMEM_acquire_resource <= MEMOP_CMD_MASK);
}

static void callback_irq_encoding(void **state)
{
    uint64_t v =
        HVM_PARAM_CALLBACK_PPI(HVM_PARAM_CALLBACK_TYPE_PPI_FLAG_LOW_LEVEL, GUEST_EVTCHN_PPI);
    assert_int_equal(v, 0x020000000000021FULL);
    assert_int_equal((v & HVM_PARAM_CALLBACK_IRQ_TYPE_MASK) >> HVM_PARAM_CALLBACK_IRQ_TYPE_SHIFT,
                     HVM_PARAM_CALLBACK_TYPE_PPI);
    assert_int_equal(v & 0xff, 31);
}

/* The four words are what Xen returns for the UID call; rebuild them from the string. */
static void smccc_uid_words(void **state)
{
    const char *s = "a71812dc-c698-4369-9acf-79d18ddee667";
    uint8_t b[16];
    unsigned n = 0;
    for (const char *c = s; *c && n < 16; c++) {
        unsigned x;
        if (*c == '-')
            continue;
        assert_int_equal(sscanf(c, "%2x", &x), 1);
        b[n++] = (uint8_t)x;
        c++;
    }
    assert_int_equal(n, 16);
    const uint32_t want[4] = { XEN_SMCCC_UID_W0, XEN_SMCCC_UID_W1, XEN_SMCCC_UID_W2,
                               XEN_SMCCC_UID_W3 };
    for (unsigned w = 0; w < 4; w++) {
        uint32_t r = (uint32_t)b[4 * w] | (uint32_t)b[4 * w + 1] << 8 |
                     (uint32_t)b[4 * w + 2] << 16 | (uint32_t)b[4 * w + 3] << 24;
        assert_int_equal(r, want[w]);
    }
}

/* H.1: the domU regions in address order, none overlapping (the two GIC versions share the
 * distributor base, so only one of them is listed). */
static void guest_layout_disjoint(void **state)
{
    static const struct {
        uint64_t base, size;
    } r[] = {
        { GUEST_VIRTIO_MMIO_BASE, GUEST_VIRTIO_MMIO_SIZE },
        { GUEST_GICV3_GICD_BASE, GUEST_GICV3_GICD_SIZE },
        { GUEST_GICV3_GICR0_BASE, GUEST_GICV3_GICR0_SIZE },
        { GUEST_VPCI_ECAM_BASE, GUEST_VPCI_ECAM_SIZE },
        { GUEST_ACPI_BASE, GUEST_ACPI_SIZE },
        { GUEST_PL011_BASE, GUEST_PL011_SIZE },
        { GUEST_VPCI_MEM_ADDR, GUEST_VPCI_MEM_SIZE },
        { GUEST_GNTTAB_BASE, GUEST_GNTTAB_SIZE },
        { GUEST_MAGIC_BASE, GUEST_MAGIC_SIZE },
        { GUEST_RAM0_BASE, GUEST_RAM0_SIZE },
        { GUEST_VPCI_PREFETCH_MEM_ADDR, GUEST_VPCI_PREFETCH_MEM_SIZE },
        { GUEST_RAM1_BASE, GUEST_RAM1_SIZE },
    };
    for (size_t i = 1; i < sizeof(r) / sizeof(r[0]); i++)
        assert_true(r[i - 1].base + r[i - 1].size <= r[i].base);
    assert_true(GUEST_GICD_BASE + GUEST_GICD_SIZE <= GUEST_GICC_BASE);
    assert_true(GUEST_GICC_BASE + GUEST_GICC_SIZE <= GUEST_GICV3_GICR0_BASE);
    /* The grant window holds 4096 frames; RAM bank 1 ends at 1 TiB. */
    assert_int_equal(GUEST_GNTTAB_SIZE / XEN_PAGE_SIZE, 4096);
    assert_int_equal(GUEST_RAM1_BASE + GUEST_RAM1_SIZE, 1ULL << 40);
    assert_int_equal(GUEST_MAGIC_BASE / XEN_PAGE_SIZE + GUEST_MAGIC_XENSTORE_PAGE, 0x39001);
}

static void feature_submaps(void **state)
{
    assert_int_equal(XENFEAT_ARM_4_17_DOMU, 0x00016005);
    assert_int_equal(XENFEAT_ARM_4_17_DOM0_DIRECT, 0x00026805);
    assert_false(XENFEAT_ARM_4_17_DOMU & XENFEAT_BIT(XENFEAT_dom0));
    assert_int_equal(XEN_VERSION_CODE(XEN_ABI_MAJOR, XEN_ABI_MINOR), 0x40011);
}

/* The toolstack's structs as libxenctrl lays them out: the command's argument starts right
 * after the header, and a domain's shutdown code reads back from the flags' top half. */
static void domctl_sysctl_bytes(void **state)
{
    struct xen_domctl d = { .cmd = XEN_DOMCTL_getdomaininfo,
                            .interface_version = XEN_DOMCTL_INTERFACE_VERSION,
                            .domain = 0x1234 };
    d.u.getdomaininfo.flags = XEN_DOMINF_shutdown | (SHUTDOWN_crash << XEN_DOMINF_shutdownshift);
    const uint8_t *raw = (const uint8_t *)&d;
    assert_int_equal(raw[0], XEN_DOMCTL_getdomaininfo);
    assert_int_equal(raw[4], 0x15);
    assert_int_equal(raw[8] | raw[9] << 8, 0x1234);
    assert_int_equal(raw[16 + 4], XEN_DOMINF_shutdown);
    assert_int_equal(raw[16 + 6], SHUTDOWN_crash);
    assert_int_equal((d.u.getdomaininfo.flags >> XEN_DOMINF_shutdownshift) &
                         XEN_DOMINF_shutdownmask,
                     SHUTDOWN_crash);
    struct xen_sysctl s = { .cmd = XEN_SYSCTL_physinfo,
                            .interface_version = XEN_SYSCTL_INTERFACE_VERSION };
    s.u.physinfo.nr_cpus = 4;
    raw = (const uint8_t *)&s;
    assert_int_equal(raw[8 + 8], 4);
    assert_int_equal(XEN_SYSCTL_INTERFACE_VERSION, 0x15);
    /* Every argument struct fits the 128-byte unions. */
    assert_true(sizeof(struct xen_domctl_getdomaininfo) <= 128);
    assert_true(sizeof(struct xen_sysctl_physinfo) <= 128);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(errno_matches_linux), cmocka_unit_test(evtchn_2l_bit_numbering),
        cmocka_unit_test(grant_entry_bytes),   cmocka_unit_test(memflags_roundtrip),
        cmocka_unit_test(memop_cmd_encoding),  cmocka_unit_test(callback_irq_encoding),
        cmocka_unit_test(smccc_uid_words),     cmocka_unit_test(guest_layout_disjoint),
        cmocka_unit_test(feature_submaps),     cmocka_unit_test(domctl_sysctl_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
