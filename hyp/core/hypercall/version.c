/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xen_version (17): which Xen ABI Keel speaks and what it offers, sub-op by sub-op as Xen 4.17
 * on Arm answers them (xen-abi-facts B.4): every domain may read the version strings, the
 * feature bits, the page size and its own handle; only the control domain the command line
 * (others -EPERM, as Xen's default policy).  Sub-ops newer than 4.17 (11-14) are -ENOSYS.
 * No state of its own: it reads the caller's domain and Keel's command line.
 */
#include <hyp/bootinfo.h>
#include <hyp/errno.h>
#include <hyp/guest_access.h>
#include <hyp/policy.h>
#include <hyp/string.h>
#include <xen/version.h>
#include "hypercall_table.h"

/* the Xen ABI version Keel speaks: 4.17 */
#define KEEL_XEN_COMPAT XEN_VERSION_CODE(XEN_ABI_MAJOR, XEN_ABI_MINOR)
/* What XENVER_extraversion adds to "4.17", so that a guest can tell Keel from Xen. */
#define KEEL_EXTRAVERSION "-keel"
/* Xen's answer when it was built outside a source repository. */
#define KEEL_CHANGESET "unavailable"

/* Copy the string s into a zero-filled buffer of len bytes at the guest's arg. */
static long put_string(struct vcpu *v, uint64_t arg, const char *s, size_t len)
{
    char buf[XEN_CAPABILITIES_INFO_LEN];
    if (len > sizeof(buf))
        return -EINVAL; /* a caller bug; refuse rather than overflow */
    memset(buf, 0, len);
    strlcpy(buf, s, len);
    return copy_to_guest(v, arg, buf, len) ? -EFAULT : 0;
}

static long compile_info(struct vcpu *v, uint64_t arg)
{
    struct xen_compile_info ci;
    memset(&ci, 0, sizeof(ci));
    strlcpy(ci.compiler, "gcc " __VERSION__, sizeof(ci.compiler));
    strlcpy(ci.compile_by, "keel", sizeof(ci.compile_by));
    return copy_obj_to_guest(v, arg, &ci) ? -EFAULT : 0;
}

/* Feature bits of submap 0 (xen-abi-facts B.4): a 4.17 domU's, or dom0's: the hardware
 * domain, mapped 1:1 (Linux then sends DMA to its own RAM by guest address, and uses
 * swiotlb-xen for foreign pages).  Exactly Xen 4.17's two values. */
static uint32_t features(const struct domain *d)
{
    return d->cfg.direct_map ? XENFEAT_ARM_4_17_DOM0_DIRECT : XENFEAT_ARM_4_17_DOMU;
}

static long get_features(struct vcpu *v, uint64_t arg)
{
    struct xen_feature_info fi;
    if (copy_obj_from_guest(v, &fi, arg))
        return -EFAULT;
    if (fi.submap_idx >= XENFEAT_NR_SUBMAPS)
        return -EINVAL;
    fi.submap = features(v->dom);
    return copy_field_to_guest(v, arg, &fi, submap) ? -EFAULT : 0;
}

long do_xen_version(struct vcpu *v, uint64_t args[5])
{
    uint64_t arg = args[1];
    uint32_t cmd = (uint32_t)args[0];
    if (likely(cmd == XENVER_version)) /* the hot one (make bench's hvc_xen_version) */
        return KEEL_XEN_COMPAT;
    switch (cmd) {
    case XENVER_extraversion:
        return put_string(v, arg, KEEL_EXTRAVERSION, XEN_EXTRAVERSION_LEN);
    case XENVER_compile_info:
        return compile_info(v, arg);
    case XENVER_capabilities:
        /* Keel runs 64-bit guests only, so no "xen-3.0-armv7l ". */
        return put_string(v, arg, XEN_CAPABILITY_AARCH64 " ", XEN_CAPABILITIES_INFO_LEN);
    case XENVER_changeset:
        return put_string(v, arg, KEEL_CHANGESET, XEN_CHANGESET_INFO_LEN);
    case XENVER_platform_parameters: {
        struct xen_platform_parameters pp = { 0 }; /* no hypervisor hole on Arm */
        return copy_obj_to_guest(v, arg, &pp) ? -EFAULT : 0;
    }
    case XENVER_get_features:
        return get_features(v, arg);
    case XENVER_pagesize:
        return arg ? -EINVAL : (long)XEN_PAGE_SIZE;
    case XENVER_guest_handle:
        return copy_to_guest(v, arg, v->dom->handle, sizeof(v->dom->handle)) ? -EFAULT : 0;
    case XENVER_commandline:
        if (!policy_may_call(v->dom, CALLER_CONTROL))
            return -EPERM;
        return put_string(v, arg, bootinfo.cmdline ? bootinfo.cmdline : "", XEN_COMMANDLINE_LEN);
    case XENVER_build_id:
        /* What a Xen built without a build id answers its control domain. */
        return policy_may_call(v->dom, CALLER_CONTROL) ? -ENODATA : -EPERM;
    default:
        return -ENOSYS;
    }
}
