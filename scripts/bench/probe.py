# SPDX-License-Identifier: Apache-2.0
"""Put the first-instruction counter probe (firstinsn.S) into a Linux arm64 Image.

The probe is appended at the next 4 KiB boundary after the file (inside the image's own .bss
room when there is one, so loaders already reserve it), the header's first instruction becomes a
branch to it, and the probe continues where that first instruction would have gone: the target
of an original `b`, or the second instruction (Linux's code0 is an EFI "MZ" no-op and code1 its
branch into the kernel).  image_size grows if the probe lies past it.
"""

import struct

PLACEHOLDER = "keel.t0=" + "x" * 16 + "," + "x" * 16  # x: not hex, so "no probe ran" shows
CONT_MAGIC = 0x544E4F4345424F52  # the initial value of `cont` in firstinsn.S


def _branch_target(insn, at):
    """Target of an unconditional B at offset `at`, or None if insn is not one."""
    if insn >> 26 != 0b000101:
        return None
    imm = insn & 0x3FFFFFF
    if imm & 0x2000000:
        imm -= 1 << 26
    return at + imm * 4


def join(image_path, probe_bin, out_path):
    img = bytearray(open(image_path, "rb").read())
    probe = bytearray(open(probe_bin, "rb").read())
    cont_offset = bytes(probe).find(struct.pack("<Q", CONT_MAGIC))
    if cont_offset < 0 or cont_offset % 8:
        raise ValueError(f"{probe_bin}: no `cont` slot")
    if len(img) < 64 or img[56:60] != b"ARM\x64":
        raise ValueError(f"{image_path}: not an arm64 Image")
    code0 = struct.unpack_from("<I", img, 0)[0]
    target = _branch_target(code0, 0)
    cont = target if target is not None else 4
    at = (len(img) + 4095) & ~4095
    struct.pack_into("<q", probe, cont_offset, cont - at)
    img += b"\0" * (at - len(img)) + probe
    struct.pack_into("<I", img, 0, 0x14000000 | (at >> 2))
    text_offset, image_size = struct.unpack_from("<QQ", img, 8)
    if image_size < len(img):
        struct.pack_into("<Q", img, 16, (len(img) + 4095) & ~4095)
    open(out_path, "wb").write(img)


def parse(text):
    """(cntpct, cntvct) from the digits the probe wrote after "keel.t0=", or None."""
    i = text.find("keel.t0=")
    if i < 0:
        return None
    digits = text[i + 8:i + 8 + 33]
    try:
        pct, vct = digits.split(",")
        pct, vct = int(pct, 16), int(vct, 16)
    except ValueError:
        return None
    return pct, vct
