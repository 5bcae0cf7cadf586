# SPDX-License-Identifier: Apache-2.0
"""Device trees for booting a hypervisor (Keel or Xen) on QEMU virt with dom0less domains.

The machine's own device tree is dumped by QEMU with the same options the run will use (and the
same -seed, since QEMU writes random seeds into it), decompiled with dtc, extended under /chosen
with Xen's boot bindings (xen,xen-bootargs, dom0 modules, "xen,domain" nodes with multiboot
modules, memory in KiB) and compiled back.  Every blob is placed in guest RAM with QEMU's
generic loader; the list of QEMU arguments that does that is returned beside the tree.
"""

import os
import subprocess

RAM_BASE = 0x40000000
MODULE_BASE = 0x50000000  # above the hypervisor image and the DTB QEMU puts at RAM + 128 MiB
ALIGN = 2 << 20


def _round_up(v, a):
    return (v + a - 1) // a * a


class Module:
    """A blob for /chosen: kind is "kernel" or "ramdisk"."""

    def __init__(self, kind, path, bootargs=None):
        self.kind = kind
        self.path = path
        self.bootargs = bootargs
        self.addr = 0
        self.size = os.path.getsize(path)


class Domain:
    """A dom0less domain: memory in MiB, vCPUs, kernel, optional ramdisk and bootargs.
    evtchns: static event channels as (our port, peer domain's name, its port), written as Xen
    4.17's dom0less binding (a "xen,evtchn-v1" node per end, each pointing at the other's)."""

    def __init__(self, name, mem_mib, vcpus, kernel, ramdisk=None, bootargs="", vpl011=True,
                 evtchns=()):
        self.name = name
        self.evtchns = list(evtchns)
        self.mem_mib = mem_mib
        self.vcpus = vcpus
        self.modules = [Module("kernel", kernel, bootargs)]
        if ramdisk:
            self.modules.append(Module("ramdisk", ramdisk))
        self.vpl011 = vpl011


def _module_node(m, indent):
    compat = '"multiboot,kernel", "multiboot,module"' if m.kind == "kernel" else \
        '"multiboot,ramdisk", "multiboot,module"'
    lines = [
        f"module@{m.addr:x} {{",
        f"    compatible = {compat};",
        f"    reg = <0x{m.addr >> 32:x} 0x{m.addr & 0xffffffff:x} "
        f"0x{m.size >> 32:x} 0x{m.size & 0xffffffff:x}>;",
    ]
    if m.kind == "kernel" and m.bootargs is not None:
        lines.append(f'    bootargs = "{m.bootargs}";')
    lines.append("};")
    return "".join(" " * indent + line + "\n" for line in lines)


def build(out_dtb, machine_args, hyp_bootargs, domains=(), dom0=(), dom0_bootargs=None,
          qemu="qemu-system-aarch64"):
    """Write out_dtb for a machine started with machine_args (everything from -M to -seed,
    without -kernel/-dtb/loaders).  dom0 is a list of Modules for Xen's dom0 (may be empty).
    Returns the QEMU arguments that load every module."""
    raw = out_dtb + ".machine"
    margs = list(machine_args)
    for i, a in enumerate(margs):
        if a == "-M":
            margs[i + 1] = margs[i + 1] + ",dumpdtb=" + raw
    subprocess.run([qemu] + margs + ["-nographic"], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    dts = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", raw], check=True,
                         capture_output=True, text=True).stdout
    os.unlink(raw)

    addr = MODULE_BASE
    mods = list(dom0) + [m for d in domains for m in d.modules]
    for m in mods:
        m.addr = addr
        addr = _round_up(addr + m.size, ALIGN)

    chosen = ["/ {\n", "    chosen {\n",
              "        #address-cells = <2>;\n", "        #size-cells = <2>;\n",
              f'        xen,xen-bootargs = "{hyp_bootargs}";\n']
    if dom0_bootargs is not None:
        chosen.append(f'        xen,dom0-bootargs = "{dom0_bootargs}";\n')
    for m in dom0:
        chosen.append(_module_node(m, 8))
    for d in domains:
        kib = d.mem_mib * 1024
        chosen += [f"        {d.name} {{\n",
                   '            compatible = "xen,domain";\n',
                   "            #address-cells = <2>;\n", "            #size-cells = <2>;\n",
                   f"            memory = <0x0 0x{kib:x}>;\n",
                   f"            cpus = <{d.vcpus}>;\n"]
        if d.vpl011:
            chosen.append("            vpl011;\n")
        for m in d.modules:
            chosen.append(_module_node(m, 12))
        for port, peer, peer_port in d.evtchns:
            chosen += [f"            ec_{d.name}_{port}: evtchn-{port} {{\n",
                       '                compatible = "xen,evtchn-v1";\n',
                       f"                xen,evtchn = <{port} &ec_{peer}_{peer_port}>;\n",
                       "            };\n"]
        chosen.append("        };\n")
    chosen += ["    };\n", "};\n"]
    src = out_dtb + ".dts"
    with open(src, "w") as f:
        f.write(dts + "".join(chosen))
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", out_dtb, src], check=True)

    loaders = []
    for m in mods:
        loaders += ["-device", f"loader,file={m.path},addr=0x{m.addr:x},force-raw=on"]
    return loaders
