/*
 * Copying to and from guest virtual addresses, as hypercall arguments are passed on Arm
 * (xen-abi-facts A.2: pointers are guest virtual addresses, translated through the guest's
 * stage 1 and stage 2 with the current vCPU's context).  Only for the vCPU loaded on this pCPU.
 */
#pragma once

#include <hyp/domain.h>

/* 0, or -EFAULT if any byte of the range is not mapped (readable / writable) for the guest. */
int copy_from_guest(struct vcpu *v, void *dst, uint64_t va, size_t len);
int copy_to_guest(struct vcpu *v, uint64_t va, const void *src, size_t len);

/* --- arch hook --- */
/* Translate guest virtual address va of the loaded vCPU v for reading or writing; returns the
 * host address of the byte at va, or NULL. */
void *arch_guest_va_to_host(struct vcpu *v, uint64_t va, bool write);
