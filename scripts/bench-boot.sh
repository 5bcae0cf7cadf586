#!/bin/bash
# Boot-time benchmark: Debian's arm64 kernel with the test initramfs, booted until its /init
# prints KEEL-GUEST-READY, (a) directly on QEMU at EL1 and (b) as a Keel domain, run in
# alternation (A B A B ...) after one warm-up boot of each.
#   scripts/bench-boot.sh [--runs N] [--vcpus N] [--mem MiB]
# Both go through scripts/keel-qemu (--direct for a), which stops QEMU when the marker line
# arrives, so both are measured the same way.  Every run uses -icount shift=0,sleep=off with
# a fixed seed and RTC, and gives two figures:
#   machine time  deterministic: under -icount the counter advances 1 ns per guest instruction,
#                 so these repeat exactly whatever the host load.
#                   guest_s  the printk timestamp of the marker line: the guest kernel's own
#                            clock, from its start to userspace (Keel starts the guest's
#                            virtual counter near 0, Linux's sched_clock starts at 0 anyway)
#                   total_s  machine time from power-on: guest_s for (a); for (b) plus the
#                            Keel timestamp of "domain NAME: created" (Keel's boot and the
#                            domain build, copying the kernel included)
#   wall_s        wall-clock seconds from starting QEMU to seeing the marker (host-dependent:
#                 compare medians from one invocation, as the runs alternate)
# Prints each run, the medians, the ratios b/a, and writes build/bench/boot.csv.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
runs=5 vcpus=1 mem=256
while [ $# -gt 0 ]; do
    case $1 in
    --runs) runs=${2:?}; shift 2 ;;
    --vcpus) vcpus=${2:?}; shift 2 ;;
    --mem) mem=${2:?}; shift 2 ;;
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-boot: unknown argument $1" >&2; exit 2 ;;
    esac
done
[[ $runs =~ ^[1-9][0-9]*$ && $vcpus =~ ^[1-9][0-9]*$ && $mem =~ ^[1-9][0-9]*$ ]] ||
    { echo "bench-boot: --runs, --vcpus and --mem want positive numbers" >&2; exit 2; }

out=$top/build/bench
logs=$out/boot-logs
mkdir -p "$out" "$logs"
initrd=$top/build/e2e/initramfs.cpio.gz
"$top/scripts/fetch-guest.sh" || exit 1
make -s -C "$top" hyp build/tools/keel-cfg "$initrd" || exit 1

cfg=$out/boot.cfg
cat > "$cfg" <<EOF
# Written by scripts/bench-boot.sh
name = "bench"
vcpus = $vcpus
memory = $mem
kernel = "$top/build/cache/Image"
ramdisk = "$initrd"
extra = "console=ttyAMA0"
EOF

# One boot; prints "wall_s guest_s total_s status".
boot() { # a|b run
    local sys=$1 log=$logs/$1-$2.log mode=() wall guest created status=ok
    [ "$sys" = a ] && mode=(--direct)
    "$top/scripts/keel-qemu" "${mode[@]}" --smp "$vcpus" --icount --timeout 300 \
        --stop-on KEEL-GUEST-READY "$cfg" < /dev/null > "$log" 2>&1
    local rc=$?
    wall=$(sed -n "s/^keel-qemu: stopped at .* after \([0-9.]*\) s$/\1/p" "$log")
    guest=$(tr -d '\r' < "$log" | sed -n 's/.*\[ *\([0-9]*\.[0-9]*\)\] KEEL-GUEST-READY.*/\1/p' | head -1)
    created=0
    if [ "$sys" = b ]; then
        created=$(tr -d '\r' < "$log" | sed -n 's/.*\[ *\([0-9]*\.[0-9]*\)\] domain bench: created.*/\1/p' | head -1)
    fi
    if [ "$rc" != 0 ] || [ -z "$wall" ] || [ -z "$guest" ] || [ -z "$created" ]; then
        status="failed(exit-$rc)"
        wall=${wall:-} guest=${guest:-} created=${created:-0}
    fi
    local total=""
    [ -n "$guest" ] && total=$(awk -v g="$guest" -v c="$created" 'BEGIN { printf "%.6f", g + c }')
    echo "${wall:--} ${guest:--} ${total:--} $status"
}

csv=$out/boot.csv
echo "run,system,wall_s,guest_s,total_s,status" > "$csv"
echo "bench-boot: $runs runs each, $vcpus vCPU(s), $mem MiB, -icount shift=0; logs in ${logs#"$top"/}"
echo "bench-boot: warm-up"
boot a 0 > /dev/null
boot b 0 > /dev/null
for ((r = 1; r <= runs; r++)); do
    for sys in a b; do
        read -r wall guest total status < <(boot "$sys" "$r")
        printf 'run %d %s: wall %6s s  guest %9s s  total %9s s  %s\n' "$r" "$sys" "$wall" "$guest" "$total" "$status"
        echo "$r,$sys,$wall,$guest,$total,$status" >> "$csv"
    done
done

# Medians over the successful runs, ratios b/a.
awk -F, -v runs="$runs" '
function median(arr, n,    i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && arr[j - 1] > arr[j]; j--) { t = arr[j]; arr[j] = arr[j - 1]; arr[j - 1] = t }
    return n % 2 ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2
}
NR > 1 && $6 == "ok" {
    n[$2]++; w[$2, n[$2]] = $3; g[$2, n[$2]] = $4; t[$2, n[$2]] = $5
    if (n[$2] == 1) { g1[$2] = $4 } else if ($4 != g1[$2]) { varies[$2] = 1 }
}
END {
    names["a"] = "a (QEMU, no hypervisor)"; names["b"] = "b (Keel domain)"
    for (s = 0; s < 2; s++) {
        sys = s ? "b" : "a"
        if (!n[sys]) { printf "%-24s no successful run\n", names[sys]; continue }
        for (i = 1; i <= n[sys]; i++) { ww[i] = w[sys, i]; gg[i] = g[sys, i]; tt[i] = t[sys, i] }
        mw[sys] = median(ww, n[sys]); mg[sys] = median(gg, n[sys]); mt[sys] = median(tt, n[sys])
        printf "%-24s %d/%d ok  median wall %.3f s  guest %.6f s  total %.6f s  machine time %s\n", names[sys], n[sys], runs, mw[sys], mg[sys], mt[sys], varies[sys] ? "VARIES between runs" : "repeats exactly"
    }
    if (n["a"] && n["b"]) {
        printf "ratio b/a: wall-clock %.2f (median)  machine time: guest boot %.3f, from power-on %.3f\n", mw["b"] / mw["a"], mg["b"] / mg["a"], mt["b"] / mt["a"]
    }
    exit !(n["a"] == runs && n["b"] == runs)
}' "$csv"
rc=$?
echo "bench-boot: results in ${csv#"$top"/}"
exit "$rc"
