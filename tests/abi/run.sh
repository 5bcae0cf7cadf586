#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The ABI tier: Keel's abi/xen/ headers against Debian's own Xen 4.17 headers (libxen-dev, the
# ones xl, libxenctrl and Linux's tools are built with): every layout assertion and every
# constant the two share.  See check_xen_headers.py.  Fetches libxen-dev once (cached).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
"$top/scripts/fetch-dom0.sh" >/dev/null
exec python3 "$top/tests/abi/check_xen_headers.py" --cc "${CROSS:-aarch64-linux-gnu-}gcc"
