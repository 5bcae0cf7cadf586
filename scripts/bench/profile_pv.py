#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Where the machine time of one PV throughput figure (make bench's PV rows) goes.

    scripts/bench/profile_pv.py FIGURE [--system keel|xen ...] [--after FIGURE... | --steady]
                                [--top N] [--part PART]

FIGURE is disk_write, disk_read, net_dom0 or net_domu.  Runs the PV workload of bench.py twice
per system under -icount with a QEMU plugin counting every executed block's instructions
(scripts/bench/insncount.c): once with the domU's rounds of FIGURE alone (pvbench.only), once
with none (the same boot and set-up), and prints the difference, split into parts (with
--after, both runs first run those figures' rounds, as make bench's runs do; with --steady the
first run has one round of FIGURE and the second all of them, so that only the rounds after
the first, which make bench's medians come from, are counted):

  hypervisor   by function for Keel (build/keel.elf), by 4 KiB page of text for Xen 4.17
               (Debian ships it stripped; its text is at 2-4 MiB)
  dom0-kernel  the guests' kernel image: dom0's copy (the one mapping grants, and mapped 1:1,
  domU-kernel  so at one offset from its addresses in the host's RAM) and the domUs' copies,
               by function (the kernel's own /proc/kallsyms, printed by dom0 in a run
               of its own; the runs boot dom0 with nokaslr)
  modules      kernel code outside the image (xen-blkback, the front ends, virtio...), by page
  user         user space

With two systems (--system keel xen) the parts and functions are printed side by side with
their difference.  Under -icount shift=0 one instruction is one nanosecond of machine time, so
the totals compare with the figure's time.  The two runs agree only until the first virtio
completion or timer lands differently, so differences of a few thousand instructions are
noise.  scripts/bench.sh pv (or make bench) builds what the runs need first.
"""
import argparse
import bisect
import collections
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
import profile  # noqa: E402

XEN_TEXT = (0x200000, 0x400000)
KALLSYMS = os.path.join(bench.B, "kallsyms")
PLUGIN_SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "insncount.c")
PLUGIN = os.path.join(bench.B, "insncount.so")


def build_plugin():
    if os.path.exists(PLUGIN) and os.path.getmtime(PLUGIN) >= os.path.getmtime(PLUGIN_SRC):
        return
    subprocess.run(["gcc", "-O2", "-Wall", "-shared", "-fPIC", "-fvisibility=hidden", "-o",
                    PLUGIN, PLUGIN_SRC], check=True)


def kernel_symbols():
    """(addresses, names) of the kernel image's code without KASLR, and the image's code range.
    Debian's System.map is a placeholder, so the symbols come from the kernel itself: a
    wall-clock Keel run once, with dom0 printing /proc/kallsyms (kept in build/bench)."""
    if not os.path.exists(KALLSYMS) or os.path.getmtime(KALLSYMS) < os.path.getmtime(bench.LINUX):
        cfg = bench.Config("keel", "kallsyms", 1, False, role="dom0")
        r = bench.run_qemu(cfg, 900, os.path.join(bench.B, "logs", "kallsyms.log"))
        text = r["text"]
        if r["status"] != "ok" or "KALLSYMS-BEGIN" not in text:
            sys.exit(f"profile_pv: no symbols from the kallsyms run (log {r['log']})")
        lines = text[text.index("KALLSYMS-BEGIN"):].splitlines()[1:]
        with open(KALLSYMS + ".tmp", "w") as f:
            for line in lines:
                parts = line.split()[-3:]  # Keel prefixes dom0's lines with its name
                if len(parts) == 3 and len(parts[0]) == 16 and parts[1] in "tTwW":
                    f.write(" ".join(parts) + "\n")
        os.replace(KALLSYMS + ".tmp", KALLSYMS)
    addrs, names = [], []
    with open(KALLSYMS) as f:
        for line in f:
            a, _, name = line.split()
            addrs.append(int(a, 16))
            names.append(name)
    order = sorted(range(len(addrs)), key=addrs.__getitem__)
    addrs, names = [addrs[i] for i in order], [names[i] for i in order]
    return (addrs, names), (addrs[0], addrs[-1] + 0x1000)


class Attribution:
    """Turns a block (vaddr, host address) into (part, where)."""

    def __init__(self, system, dom0_offset):
        self.system = system
        self.keel = profile.symbols(profile.KEEL_ELF, profile.KEEL_LOAD) \
            if system == "keel" else None
        self.hyp = (profile.KEEL_LOAD, self.keel[0][-1] + 0x1000) if self.keel else XEN_TEXT
        self.ksyms, self.ktext = kernel_symbols()
        self.dom0_offset = dom0_offset

    def is_entry(self, vaddr):
        """Whether vaddr is where a named function begins (a run of it is a call)."""
        for addrs, _ in (self.keel or ([], []), self.ksyms):
            i = bisect.bisect_left(addrs, vaddr)
            if i < len(addrs) and addrs[i] == vaddr:
                return True
        return False

    def __call__(self, vaddr, haddr):
        if self.hyp[0] <= vaddr < self.hyp[1]:
            where = profile.lookup(self.keel, vaddr) if self.keel else \
                f"xen-text+{(vaddr - self.hyp[0]) & ~0xfff:#07x}"
            return "hypervisor", where
        if vaddr >> 63 == 0:
            return "user", "user"
        if self.ktext[0] <= vaddr < self.ktext[1]:
            # dom0's RAM is mapped 1:1 (on Keel and on Xen), so its kernel image lies at one
            # offset from its addresses; the domUs' pages are wherever their RAM came from.
            dom = "dom0" if ((haddr - vaddr) & (2**64 - 1)) == self.dom0_offset else "domU"
            return f"{dom}-kernel", profile.lookup(self.ksyms, vaddr)
        return "modules", f"module-page {vaddr & ~0xfff:#x}"


def dom0_offset(blocks, ksyms):
    """dom0's host-minus-virtual offset of its kernel image: dom0's RAM is mapped 1:1, so the
    image lies at one offset; dom0 is the domain that maps other domains' grants (the back
    ends' rings and buffers), which the domUs never do."""
    offsets = collections.Counter()
    for (v, h), (n, _) in blocks.items():
        if profile.lookup(ksyms, v) == "gnttab_map_refs":
            offsets[(h - v) & (2**64 - 1)] += n
    if not offsets:
        sys.exit("profile_pv: no kernel ran gnttab_map_refs: cannot tell dom0's kernel apart")
    return offsets.most_common(1)[0][0]


def counted_run(system, only, reps=None):
    """Instructions by block of the PV workload with only these figures (reps rounds of them,
    else bench's); and its figures."""
    tag = only.replace(",", "+") + (f"-r{reps}" if reps else "")  # -plugin splits at commas
    out = os.path.join(bench.B, f"profile-pv-{system}-{tag}.counts")
    cfg = bench.pv_config(system, True)
    saved = bench.LINUX_ARGS
    # Without KASLR dom0's kernel runs at the addresses of the symbols.
    saved_reps = bench.PV_REPS
    bench.LINUX_ARGS = f"{saved} nokaslr pvbench.only={only}"
    bench.PV_REPS = reps or saved_reps
    try:
        cmd = cfg.qemu_args() + ["-plugin", f"{PLUGIN},out={out}"]
    finally:
        bench.LINUX_ARGS, bench.PV_REPS = saved, saved_reps
    cfg.qemu_args = lambda: cmd
    if os.path.exists(out):
        os.remove(out)
    # To QEMU's exit (dom0 powers the machine off): stopping it at the last line would count
    # whatever ran until it took the signal, different in every run.
    r = bench.run_qemu(cfg, 3600, os.path.join(bench.B, "logs", f"profile-pv-{system}-{tag}.log"),
                       until_exit=True)
    if r["status"] != "ok":
        sys.exit(f"profile_pv: the {system} {only} run ended with {r['status']} (log {r['log']})")
    blocks = collections.defaultdict(lambda: [0, 0])  # (vaddr, host address) -> [insns, runs]
    with open(out) as f:
        for line in f:
            v, h, n, size = line.split()
            b = blocks[(int(v, 16), int(h, 16))]
            b[0] += int(n)
            b[1] += int(n) // int(size)
    os.remove(out)
    return blocks, bench.parse_pv(r["text"])


def profile_system(system, figure, after, steady=False):
    """(parts, functions, calls, figures): the figure's instructions by part and by (part,
    where), and the calls of each function.  after: figures run before it in both runs.
    steady: its rounds after the first only (a run of one round is the baseline)."""
    ksyms = kernel_symbols()[0]
    parts, where, calls = collections.Counter(), collections.Counter(), collections.Counter()
    res = {}
    runs = [(",".join(after) or "none", None, -1), (",".join(after + [figure]), None, 1)]
    if steady:
        runs = [(figure, 1, -1), (figure, None, 1)]
    for only, reps, sign in runs:
        blocks, res = counted_run(system, only, reps)
        # Host addresses differ from run to run (QEMU's RAM is wherever the host put it).
        attr = Attribution(system, dom0_offset(blocks, ksyms))
        for key, (n, runs) in blocks.items():
            p, w = attr(*key)
            parts[p] += sign * n
            where[(p, w)] += sign * n
            if attr.is_entry(key[0]):
                calls[(p, w)] += sign * runs
    return parts, where, calls, res.get(figure, {}).get("reps", [])


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("figure", choices=bench.PV_FIGS)
    ap.add_argument("--system", nargs="+", choices=["keel", "xen"], default=["keel"])
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--part", help="functions of this part only (hypervisor, dom0-kernel, ...)")
    ap.add_argument("--after", nargs="*", default=[], choices=bench.PV_FIGS,
                    help="figures whose rounds run first in both runs, as in make bench "
                         "(which runs them in the order of pvperf: disk_write, disk_read, ...)")
    ap.add_argument("--steady", action="store_true",
                    help="the rounds after the first only (the first pays for setting up: "
                         "blkback's persistent grants, the TCP connection's warm-up...)")
    args = ap.parse_args()
    if args.steady and args.after:
        ap.error("--steady takes no --after")
    os.makedirs(os.path.join(bench.B, "logs"), exist_ok=True)
    build_plugin()
    bench.make_guest_disk(bench.PV_DISK, bench.PV_FILES)
    per_round = bench.PV_DISK_MIB if args.figure.startswith("disk") else bench.PV_NET_MIB
    results = {}
    for system in args.system:
        parts, where, calls, reps = profile_system(system, args.figure, args.after, args.steady)
        results[system] = (parts, where, calls)
        mib = (len(reps) - args.steady) * per_round
        total = sum(parts.values())
        print(f"{system} {args.figure}: {len(reps)} rounds of {per_round} MiB at "
              f"{' '.join(f'{r:.1f}' for r in reps)} MiB/s; {total:,} instructions"
              + (f", {total / mib:,.0f} per MiB" if mib else ""))
    systems = args.system
    two = len(systems) == 2
    head = "".join(f"{s:>16}" for s in systems) + ("      difference" if two else "")
    print(f"\n== parts{head}")
    for p in sorted(set().union(*(results[s][0] for s in systems))):
        vals = [results[s][0].get(p, 0) for s in systems]
        print(f"  {p:<20}" + "".join(f"{v:16,d}" for v in vals)
              + (f"{vals[1] - vals[0]:+16,d}" if two else ""))
    keys = set().union(*(results[s][1] for s in systems))
    if args.part:
        keys = {k for k in keys if k[0] == args.part}
    vals = {k: [results[s][1].get(k, 0) for s in systems] for k in keys}
    rank = (lambda k: -abs(vals[k][1] - vals[k][0])) if two else (lambda k: -vals[k][0])
    print(f"\n== functions: instructions{head}   calls, per call ({', '.join(systems)})")
    for k in sorted(keys, key=rank)[:args.top]:
        v = vals[k]
        c = [results[s][2].get(k, 0) for s in systems]
        per = " ".join(f"{ci:9,d} {vi / ci:7.1f}" if ci > 0 else f"{'':17}"
                       for vi, ci in zip(v, c))
        print(f"  {k[0] + ':' + k[1]:<52}" + "".join(f"{x:16,d}" for x in v)
              + (f"{v[1] - v[0]:+16,d}" if two else "") + "   " + per)


if __name__ == "__main__":
    main()
