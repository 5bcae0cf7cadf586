/* SPDX-License-Identifier: Apache-2.0 */
/*
 * physdev_op(cmd, arg) (xen-abi-facts A.3, B.2, B.4): the PCI calls dom0 makes as devices
 * appear.  Xen/Arm without PCI support answers -ENOSYS to all of them.
 */
#pragma once

#include <xen/xen.h>

#define PHYSDEVOP_manage_pci_add 15 /* Linux's fallbacks when pci_device_add is -ENOSYS */
#define PHYSDEVOP_manage_pci_remove 16
#define PHYSDEVOP_manage_pci_add_ext 20
#define PHYSDEVOP_pci_device_add 25
#define PHYSDEVOP_pci_device_remove 26

struct physdev_pci_device_add {
    uint16_t seg;
    uint8_t bus;
    uint8_t devfn;
    uint32_t flags;
    struct {
        uint8_t bus;
        uint8_t devfn;
    } physfn;          /* for a virtual function: its physical function */
    uint32_t optarr[]; /* optional, by flags */
};
XEN_ABI_SIZE(struct physdev_pci_device_add, 12);
XEN_ABI_OFFSET(struct physdev_pci_device_add, seg, 0);
XEN_ABI_OFFSET(struct physdev_pci_device_add, bus, 2);
XEN_ABI_OFFSET(struct physdev_pci_device_add, devfn, 3);
XEN_ABI_OFFSET(struct physdev_pci_device_add, flags, 4);
XEN_ABI_OFFSET(struct physdev_pci_device_add, physfn.bus, 8);
XEN_ABI_OFFSET(struct physdev_pci_device_add, physfn.devfn, 9);
XEN_ABI_OFFSET(struct physdev_pci_device_add, optarr, 12);

/* PHYSDEVOP_pci_device_remove */
struct physdev_pci_device {
    uint16_t seg;
    uint8_t bus;
    uint8_t devfn;
};
XEN_ABI_SIZE(struct physdev_pci_device, 4);
XEN_ABI_OFFSET(struct physdev_pci_device, seg, 0);
XEN_ABI_OFFSET(struct physdev_pci_device, bus, 2);
XEN_ABI_OFFSET(struct physdev_pci_device, devfn, 3);
