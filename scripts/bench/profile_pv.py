#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Where the hypervisor's machine time goes in one PV throughput figure (make bench's PV rows).

    scripts/bench/profile_pv.py FIGURE [--system keel|xen] [--top N]

FIGURE is disk_write, disk_read, net_dom0 or net_domu.  Runs the PV workload of bench.py twice
under -icount with QEMU's execution trace limited to the hypervisor's code (-dfilter): once
with the domU's rounds of FIGURE alone (pvbench.only), once with none (the same boot and
set-up), and prints the difference: the hypervisor's instructions for the figure's rounds, in
all and per MiB moved, by function for Keel (build/keel.elf) and by 4 KiB page of text for
Xen 4.17 (Debian ships it stripped; its text is at 2-4 MiB).  Under -icount shift=0 one
instruction is one nanosecond of machine time, so the totals compare with the figure's time.
The two runs agree only until the first virtio completion or timer lands differently, so
differences of a few thousand instructions are noise.  Each trace takes a few GB under
build/bench while it is read; scripts/bench.sh builds what the runs need.
"""
import argparse
import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
import profile  # noqa: E402

TEXT = {"keel": (profile.KEEL_LOAD, None), "xen": (0x200000, 0x400000)}


def trace_run(system, only, keel):
    """Run the PV workload with only these figures; returns (instructions by function or page,
    calls by function, the run's figures).  keel: Keel's symbols (profile.symbols), or None
    for Xen."""
    lo, hi = TEXT[system]
    hi = hi or keel[0][-1] + 0x1000
    trace = os.path.join(bench.B, f"profile-pv-{system}-{only}.trace")
    cfg = bench.pv_config(system, True)
    saved = bench.LINUX_ARGS
    bench.LINUX_ARGS = f"{saved} pvbench.only={only}"
    try:
        cmd = cfg.qemu_args() + ["-d", "in_asm,exec,nochain", "-dfilter", f"{lo:#x}..{hi:#x}",
                                 "-D", trace]
    finally:
        bench.LINUX_ARGS = saved
    cfg.qemu_args = lambda: cmd
    r = bench.run_qemu(cfg, 3600, os.path.join(bench.B, "logs", f"profile-pv-{system}-{only}.log"))
    if r["status"] != "ok":
        sys.exit(f"profile_pv: the {only} run ended with {r['status']} (log {r['log']})")
    starts = set(keel[0]) if keel else set()
    cost, calls = collections.Counter(), collections.Counter()
    for pc, n in profile.blocks(trace):
        where = profile.lookup(keel, pc) if keel else f"text+{(pc - lo) & ~0xfff:#07x}"
        cost[where] += n
        if pc in starts:
            calls[where] += 1
    os.remove(trace)
    return cost, calls, bench.parse_pv(r["text"])


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("figure", choices=bench.PV_FIGS)
    ap.add_argument("--system", choices=list(TEXT), default="keel")
    ap.add_argument("--top", type=int, default=30)
    args = ap.parse_args()
    os.makedirs(os.path.join(bench.B, "logs"), exist_ok=True)
    bench.make_guest_disk(bench.PV_DISK, bench.PV_FILES)
    keel = profile.symbols(profile.KEEL_ELF, profile.KEEL_LOAD) if args.system == "keel" else None
    base, base_calls, _ = trace_run(args.system, "none", keel)
    fig, fig_calls, res = trace_run(args.system, args.figure, keel)
    reps = res.get(args.figure, {}).get("reps", [])
    per_round = bench.PV_DISK_MIB if args.figure.startswith("disk") else bench.PV_NET_MIB
    mib = len(reps) * per_round
    ms = sum(per_round / r for r in reps if r) * 1e3  # the rounds' machine time
    total = sum(fig.values()) - sum(base.values())
    print(f"{args.system} {args.figure}: {len(reps)} rounds of {per_round} MiB at "
          f"{' '.join(f'{r:.1f}' for r in reps)} MiB/s, {ms:.1f} ms")
    if mib:
        print(f"  hypervisor: {total:,} instructions ({total / 1e6:.1f} ms), "
              f"{total / mib:,.0f} per MiB")
    diff = {k: fig[k] - base.get(k, 0) for k in fig}
    for where, n in sorted(diff.items(), key=lambda kv: -kv[1])[:args.top]:
        c = fig_calls.get(where, 0) - base_calls.get(where, 0)
        per = f"{n / c:8.1f} per call" if c > 0 else ""
        print(f"  {n:12,d}  {c:9,d} calls {per:>18}  {where}")


if __name__ == "__main__":
    main()
