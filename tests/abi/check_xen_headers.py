#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Keel's guest ABI headers (abi/xen/) against Debian's own Xen 4.17 headers (libxen-dev).

Keel writes its ABI headers itself, from the facts, and pins each layout with XEN_ABI_SIZE and
XEN_ABI_OFFSET assertions.  Those assertions only check the header against itself: a wrong fact
passes them.  This check applies every one of them, unchanged, to Debian's definitions of the
same structs, the ones libxenctrl, xl and Linux are built with, and compares every constant the
two define under the same name.  Both sides are compiled for arm64 (the cross compiler), so
Debian's headers take their Arm layout.

A struct or constant that Debian's headers do not have is listed and counted as unchecked, not
failed: some of Keel's names are its own (a union's arm, a fixed-size array for a handle).
Usage: check_xen_headers.py [--cc CC] [--xen-include DIR]; last line "N passed, N failed".
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The public headers Keel's abi/xen/ covers, with the toolstack-only parts (domctl, sysctl).
DEBIAN_HEADERS = ["xen/xen.h", "xen/domctl.h", "xen/sysctl.h", "xen/event_channel.h",
                  "xen/grant_table.h", "xen/memory.h", "xen/vcpu.h", "xen/sched.h",
                  "xen/version.h", "xen/physdev.h", "xen/platform.h", "xen/errno.h",
                  "xen/hvm/params.h", "xen/hvm/hvm_op.h"]
PRELUDE = "#define __XEN_TOOLS__ 1\n#define __XEN_INTERFACE_VERSION__ 0x00040e00\n" + \
          "#include <stdint.h>\n#include <stddef.h>\n"
ASSERT = re.compile(r"XEN_ABI_(SIZE|OFFSET)\(([^;]*)\);")
DEFINE = re.compile(r"^#define\s+([A-Z_][A-Za-z0-9_]*)\s+(\S.*)$")
INTEGER_EXPR = re.compile(r"^[0-9a-fA-FxXuUlL()\s<>|&~+*-]+$")


def xen_name(name):
    """Xen's spelling of one of Keel's names (Keel avoids identifiers with two underscores)."""
    return "__" + name if name.startswith("HYPERVISOR_") else name


def keel_headers():
    return sorted(glob.glob(os.path.join(TOP, "abi/xen/*.h")))


def layout_checks():
    """(header, line, C text of the assertion) for every layout pin in Keel's headers."""
    out = []
    for path in keel_headers():
        text = open(path).read()
        for m in ASSERT.finditer(text):
            if m.group(0).startswith("XEN_ABI_SIZE(type") or "(type," in m.group(0):
                continue  # the macros' own definitions
            line = text.count("\n", 0, m.start()) + 1
            args = [a.strip() for a in m.group(2).split(",")]
            if m.group(1) == "SIZE":
                expr = f"sizeof({args[0]}) == ({args[1]})"
                what = f"sizeof({args[0]}) == {args[1]}"
            else:
                expr = f"offsetof({args[0]}, {args[1]}) == ({args[2]})"
                what = f"offsetof({args[0]}, {args[1]}) == {args[2]}"
            out.append((os.path.relpath(path, TOP), line, expr, what))
    return out


def constants(cc):
    """{name: (header, value)} for Keel's object-like macros that are integer constants."""
    names = {}
    for path in keel_headers():
        for n, line in enumerate(open(path), 1):
            m = DEFINE.match(line.rstrip())
            if m and not m.group(1).startswith("XEN_ABI_") and "(" not in m.group(1):
                names.setdefault(m.group(1), (os.path.relpath(path, TOP), n))
    src = "".join(f"#include <{os.path.relpath(p, os.path.join(TOP, 'abi'))}>\n"
                  for p in keel_headers())
    src += "".join(f"\"{k}\" {k}\n" for k in names)  # a string is not expanded
    r = subprocess.run([cc, "-E", "-P", "-I", os.path.join(TOP, "abi"), "-x", "c", "-"],
                       input=src, capture_output=True, text=True)
    if r.returncode:
        sys.exit("check_xen_headers: Keel's headers do not preprocess:\n" + r.stderr)
    out = {}
    for line in r.stdout.splitlines():
        m = re.match(r'^"(\w+)" (.*)$', line)
        if m and INTEGER_EXPR.match(m.group(2)) and m.group(2).strip() != m.group(1):
            out[m.group(1)] = (names[m.group(1)], m.group(2).strip())
    return out


def compile_errors(cc, xen_include, body):
    """(line, message) of each error compiling body against Debian's headers."""
    with tempfile.TemporaryDirectory() as tmp:
        tu = os.path.join(tmp, "xen_headers_check.c")
        open(tu, "w").write(body)
        r = subprocess.run([cc, "-std=gnu11", "-fsyntax-only", "-fmax-errors=0", "-w",
                            "-isystem", xen_include, tu], capture_output=True, text=True)
    found = (re.match(r"^.*xen_headers_check\.c:(\d+):\d+: error: (.*)$", e)
             for e in r.stderr.splitlines())
    return [(int(m.group(1)), m.group(2)) for m in found if m]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cc", default=os.environ.get("CC_A64", "aarch64-linux-gnu-gcc"))
    ap.add_argument("--xen-include", default=os.path.join(TOP, "build/cache/libxen-dev/usr/include"))
    args = ap.parse_args()
    if not os.path.isfile(os.path.join(args.xen_include, "xen/domctl.h")):
        sys.exit(f"check_xen_headers: no Debian Xen headers in {args.xen_include} "
                 "(scripts/fetch-dom0.sh unpacks them)")

    checks = layout_checks()
    consts = sorted(constants(args.cc).items())
    head = PRELUDE + "".join(f"#include <{h}>\n" for h in DEBIAN_HEADERS)
    first = len(head.splitlines()) + 1
    # One line per layout check, so that an error's line number names the check; then the
    # constants, each under #ifdef (a name Debian lacks is unchecked, not an error).
    body = head + "".join(f"_Static_assert({expr}, \"L{i}\");\n"
                          for i, (_, _, expr, _) in enumerate(checks))
    cwhere, line = {}, first + len(checks)
    for i, (name, (_, value)) in enumerate(consts):
        x = xen_name(name)
        body += f"#ifdef {x}\n_Static_assert(({x}) == ({value}), \"C{i}\");\n#endif\n"
        cwhere[line + 1] = i
        line += 3
    presence = head + "".join(f"#ifdef {xen_name(n)}\n\"{n}\" present\n#endif\n"
                              for n, _ in consts)
    errors = compile_errors(args.cc, args.xen_include, body)
    ev = subprocess.run([args.cc, "-std=gnu11", "-E", "-P", "-isystem", args.xen_include,
                         "-x", "c", "-"], input=presence, capture_output=True, text=True)
    present = set(re.findall(r'^"(\w+)" present$', ev.stdout, re.M))

    bad_layout, gone_layout, bad_const = set(), set(), set()
    for n, msg in errors:
        if n in cwhere:
            bad_const.add(cwhere[n])
        elif first <= n < first + len(checks):
            i = n - first
            (bad_layout if "static assertion failed" in msg else gone_layout).add(i)
        elif n < first:
            sys.exit("check_xen_headers: Debian's headers do not compile:\n" +
                     "\n".join(f"line {n}: {m}" for n, m in errors))

    passed = failed = 0
    for i, (hdr, line, _, what) in enumerate(checks):
        if i in bad_layout:
            print(f"FAIL  {hdr}:{line}: {what}: Debian's header says otherwise")
            failed += 1
        elif i in gone_layout:
            print(f"skip  {hdr}:{line}: {what}: not in Debian's headers")
        else:
            passed += 1
    # Names that are no macro on Debian's side may still be enumerators (Xen's errno values are):
    # one assertion per line, where "undeclared" means Keel's own name.
    absent = [i for i, (name, _) in enumerate(consts) if name not in present]
    body = head + "".join(f"_Static_assert(({consts[i][0]}) == ({consts[i][1][1]}), \"E{i}\");\n"
                          for i in absent)
    own = set()
    for n, msg in compile_errors(args.cc, args.xen_include, body):
        if first <= n < first + len(absent):
            i = absent[n - first]
            (bad_const if "static assertion failed" in msg else own).add(i)

    unchecked = []
    for i, (name, ((hdr, line), value)) in enumerate(consts):
        if i in own:
            unchecked.append(name)
        elif i in bad_const:
            print(f"FAIL  {hdr}:{line}: {name} = {value}: Debian's value differs")
            failed += 1
        else:
            passed += 1
    print(f"layouts: {len(checks) - len(bad_layout) - len(gone_layout)} agree, "
          f"{len(bad_layout)} differ, {len(gone_layout)} not in Debian's headers")
    print(f"constants: {len(consts) - len(unchecked) - len(bad_const)} agree, {len(bad_const)} "
          f"differ, {len(unchecked)} Keel's own: {' '.join(unchecked)}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
