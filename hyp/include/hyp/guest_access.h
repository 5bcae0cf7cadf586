/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Guest memory access: the one module (with hypercall decoding) that reads or writes memory
 * through a guest's addresses.
 *
 * Guest-virtual copies take a guest virtual address of the vCPU loaded on this pCPU, as
 * hypercall arguments are passed on Arm (xen-abi-facts A.2): translated through its stage 1
 * and stage 2 for the access asked (a write through a read-only mapping fails), page by page,
 * each page a frame of the domain itself (never a device, another domain's page or Keel's
 * memory) held by a reference for the copy.  Guest-physical copies reach any domain through
 * its guest memory map.  A range that wraps, or any page of it that fails, gives -EFAULT.
 */
#pragma once

#include <hyp/domain.h>

/* --- guest virtual, the current vCPU --- */

int copy_from_guest(struct vcpu *v, void *dst, uint64_t va, size_t len);
int copy_to_guest(struct vcpu *v, uint64_t va, const void *src, size_t len);
/* Whether all of [va, va + len) could be written now: 0 or -EFAULT.  Checked before a
 * handler changes anything, so its results can always be copied out. */
int guest_check_writable(struct vcpu *v, uint64_t va, size_t len);
/* Element idx of an array of elem-byte elements at va (idx * elem must not overflow). */
int copy_from_guest_elem(struct vcpu *v, void *dst, uint64_t va, uint64_t idx, size_t elem);
int copy_to_guest_elem(struct vcpu *v, uint64_t va, uint64_t idx, const void *src, size_t elem);
/* A whole object, and one field of an object, at va; kptr points at the kernel copy. */
#define copy_obj_from_guest(v, kptr, va) copy_from_guest((v), (kptr), (va), sizeof(*(kptr)))
#define copy_obj_to_guest(v, va, kptr) copy_to_guest((v), (va), (kptr), sizeof(*(kptr)))
#define copy_field_to_guest(v, va, kptr, field)                                                    \
    copy_to_guest((v), (va) + offsetof(__typeof__(*(kptr)), field), &(kptr)->field,                \
                  sizeof((kptr)->field))

/* A window on a guest array that a batched hypercall walks element by element: the page under
 * the last element stays translated and referenced while the next ones fall in it, so a batch
 * pays one translation per page rather than two per element.  The page is held writable if
 * the guest maps it so, for the results written back.  A translation holds until the window
 * moves off the page or ends: a guest remapping its argument array during its own call gets
 * the old or the new frame, both its own.  End it (guest_window_end) before returning,
 * preempted or not.  Reads and writes are those of copy_from_guest and copy_to_guest; an
 * element across a page boundary goes through them. */
struct guest_window {
    struct vcpu *v;
    uint64_t va;   /* the held page's guest virtual address; GUEST_WINDOW_NONE if none */
    paddr_t pa;    /* its host address */
    bool writable; /* held through a writable translation */
};
#define GUEST_WINDOW_NONE (~0UL)
#define GUEST_WINDOW_INIT(vcpu) ((struct guest_window){ (vcpu), GUEST_WINDOW_NONE, 0, false })
/* Element idx of the array of elem-byte elements at va (as copy_from_guest_elem). */
int guest_window_read_elem(struct guest_window *w, void *dst, uint64_t va, uint64_t idx,
                           size_t elem);
int guest_window_write(struct guest_window *w, uint64_t va, const void *src, size_t len);
/* Whether [va, va + len) could be written now (guest_check_writable). */
int guest_window_check_writable(struct guest_window *w, uint64_t va, size_t len);
void guest_window_end(struct guest_window *w);

/* Pin the domain's own page behind guest virtual address va for a lasting area Keel writes
 * into from anywhere (the runstate): [va, va + len) must lie in one page and be writable now.
 * 0 with *pa = the host address of va and a reference on its frame (frame_put(*pa &
 * PAGE_MASK, 1) to let go), or -EFAULT. */
int guest_va_pin(struct vcpu *v, uint64_t va, size_t len, paddr_t *pa);

/* --- guest physical, any domain --- */

/* Clean what was written to the point of coherency: for a guest that may run with its caches
 * off (kernel loading, boot structures). */
#define GPA_CLEAN 1u
/* Copy into d's writable memory at gpa (its RAM, or a page it maps writable), or out of any
 * memory it maps.  0 or -EFAULT. */
int copy_to_gpa(struct domain *d, struct gpa gpa, const void *src, uint64_t len, unsigned flags);
int copy_from_gpa(struct domain *d, void *dst, struct gpa gpa, uint64_t len);

/* --- arch hook --- */
/* Translate guest virtual address va of the loaded vCPU v for reading or writing; returns the
 * host physical address of the byte at va, or ~0 if the walk fails. */
paddr_t arch_guest_va_to_pa(struct vcpu *v, uint64_t va, bool write);
/* The same, through v's stage 1 only: *ipa gets the guest-physical address of the byte at va.
 * For a full walk that stopped at the domain's memory map (untouched RAM).  False if the walk
 * fails. */
bool arch_guest_va_to_ipa(struct vcpu *v, uint64_t va, bool write, uint64_t *ipa);
