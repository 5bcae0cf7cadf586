#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Where the machine time of each micro-benchmark goes: instructions per sample, by function.

    scripts/bench/profile.py [--samples N] [--smp N] [--top N] [--bench NAME...]

Runs the bench guest once on Keel under -icount with QEMU's execution trace
(-d in_asm,exec,nochain), then attributes every executed translation block to the function
holding its first instruction (Keel's from build/keel.elf, the guest's from
build/guests/bench.elf) and to the benchmark running at the time (the guest's bench_* function
seen last).  Under -icount shift=0 one instruction is one nanosecond of the guest's counter, so
the per-sample instruction counts printed here are the figures make bench measures, broken
down.  For developers working on a hot path; scripts/bench.sh builds what it needs first.
"""
import argparse
import bisect
import collections
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

KEEL_ELF = os.path.join(bench.TOP, "build", "keel.elf")
GUEST_ELF = os.path.join(bench.TOP, "build", "guests", "bench.elf")
KEEL_LOAD = 0x40200000  # QEMU puts a Linux-style Image 2 MiB into RAM; Keel runs where loaded
NM = os.environ.get("CROSS", "aarch64-linux-gnu-") + "nm"
OBJDUMP = os.environ.get("CROSS", "aarch64-linux-gnu-") + "objdump"

TRACE = re.compile(r"^Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+/([0-9a-f]+)/[0-9a-f]+/([0-9a-f]+)\]")
IN_ASM = re.compile(r"^0x([0-9a-f]+):  ")


def symbols(elf, bias):
    out = subprocess.run([NM, "-n", elf], capture_output=True, text=True, check=True).stdout
    addrs, names = [], []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            addrs.append(int(parts[0], 16) + bias)
            names.append(parts[2])
    return addrs, names


def lookup(table, pc):
    addrs, names = table
    i = bisect.bisect_right(addrs, pc) - 1
    return names[i] if i >= 0 else f"?{pc:#x}"


def blocks(trace_path):
    """The translation blocks a -d in_asm,exec,nochain trace executed, in order: (pc,
    instructions in the block).  A block translated before the log began listing counts one."""
    counts = {}  # (pc, cflags) -> instructions in the block
    pending_pc, pending_n = None, 0
    with open(trace_path, errors="replace") as f:
        for line in f:
            if line.startswith("IN:"):
                pending_pc, pending_n = None, 0
                continue
            m = IN_ASM.match(line)
            if m:
                if pending_pc is None:
                    pending_pc = int(m.group(1), 16)
                pending_n += 1
                continue
            m = TRACE.match(line)
            if not m:
                continue
            pc, key = int(m.group(1), 16), (int(m.group(1), 16), m.group(2))
            if pending_pc == pc:
                counts[key] = pending_n
                pending_pc = None
            yield pc, counts.get(key, 1)


def profile(trace_path, samples, visits_of=None, skip=10, keep=6):
    """Instructions by phase and function; and, for phase visits_of, the path of a few visits
    to Keel (runs of Keel blocks between guest blocks), after the first `skip`."""
    keel = symbols(KEEL_ELF, KEEL_LOAD)
    guest = symbols(GUEST_ELF, 0)
    keel_end = keel[0][-1] + 0x1000
    phase, seen, after_report = "(start)", collections.Counter(), False
    cost = collections.defaultdict(collections.Counter)  # phase -> function -> instructions
    visits, cur, in_keel = [], None, False
    per_insn = collections.Counter()  # Keel pc -> executions during phase visits_of
    for pc, n in blocks(trace_path):
        if KEEL_LOAD <= pc < keel_end:
            fn = "keel:" + lookup(keel, pc)
            if phase == visits_of and len(visits) < skip + keep:
                if not in_keel:
                    cur = []
                    visits.append(cur)
                    in_keel = True
                if len(visits) > skip:
                    for k in range(n):
                        per_insn[pc + 4 * k] += 1
                if cur and cur[-1][0] == fn:
                    cur[-1][1] += n
                else:
                    cur.append([fn, n])
        else:
            in_keel = False
            fn = lookup(guest, pc)
            if fn.startswith("report"):  # the figures are in: printing is not measured
                after_report, phase = True, "(reporting)"
            elif fn.startswith("bench_") and (not phase.startswith(fn)):
                # bench_timer runs twice (spinning, then in WFI): number the runs.
                seen[fn] += 1
                phase = fn if seen[fn] == 1 else f"{fn}#{seen[fn]}"
                after_report = False
        cost[phase][fn] += n
    return cost, visits[skip:], per_insn


def annotate(fn, per_insn, samples):
    """objdump of Keel's fn with how often each instruction ran per visit shown."""
    out = subprocess.run([OBJDUMP, "-d", "--no-show-raw-insn", f"--disassemble={fn}", KEEL_ELF],
                         capture_output=True, text=True, check=True).stdout
    print(f"== {fn}: executions per visit")
    for line in out.splitlines():
        m = re.match(r"^\s*([0-9a-f]+):\s+(.*)$", line)
        if m:
            k = per_insn.get(int(m.group(1), 16) + KEEL_LOAD, 0) / samples
            print(f"  {k:6.2f}  {m.group(1)}  {m.group(2)}" if k else f"          {m.group(1)}  {m.group(2)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", type=int, default=50)
    ap.add_argument("--smp", type=int, default=1)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--bench", nargs="*", default=["bench_xen_version", "bench_mmio",
                                                     "bench_timer"],
                    help="phases to show: bench_* functions, bench_timer#2 for the WFI run")
    ap.add_argument("--path", metavar="PHASE",
                    help="also print the call path of a few Keel visits during PHASE")
    ap.add_argument("--annotate", nargs="*", default=[], metavar="FN",
                    help="with --path: Keel functions to disassemble with execution counts")
    ap.add_argument("--trace", help="reuse an existing trace instead of running QEMU")
    args = ap.parse_args()
    trace = args.trace or os.path.join(bench.B, "profile-trace.log")
    if not args.trace:
        bench.probe.join(bench.GUEST, bench.PROBE_BIN, bench.BENCH_IMG)
        cfg = bench.Config("keel", "micro", args.smp, True, samples=args.samples)
        cmd = cfg.qemu_args() + ["-d", "in_asm,exec,nochain", "-D", trace]
        cfg.qemu_args = lambda: cmd
        r = bench.run_qemu(cfg, 600, os.path.join(bench.B, "logs", "profile.log"))
        if r["status"] != "ok":
            sys.exit(f"profile: run ended with {r['status']} (log {r['log']})")
    cost, visits, per_insn = profile(trace, args.samples, args.path)
    for phase in args.bench:
        fns = cost.get(phase)
        if not fns:
            print(f"{phase}: not seen")
            continue
        keel_total = sum(v for k, v in fns.items() if k.startswith("keel:"))
        guest_total = sum(v for k, v in fns.items() if not k.startswith("keel:"))
        print(f"== {phase}: per sample, Keel {keel_total / args.samples:.0f} instructions, "
              f"guest {guest_total / args.samples:.0f} (with its waiting)")
        keel_fns = collections.Counter({k: v for k, v in fns.items() if k.startswith("keel:")})
        for fn, n in keel_fns.most_common(args.top):
            print(f"  {n / args.samples:8.1f}  {fn}")
    for i, v in enumerate(visits):
        print(f"== visit {i} to Keel during {args.path}: {sum(n for _, n in v)} instructions")
        for fn, n in v:
            print(f"  {n:5d}  {fn}")
    for fn in args.annotate:
        annotate(fn, per_insn, len(visits))


if __name__ == "__main__":
    main()
