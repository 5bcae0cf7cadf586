/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CPU-share probe: every vCPU spins for spin_ms of virtual-counter time, reading CNTVCT_EL0 in a
 * tight loop.  Two consecutive reads closer than gap_us mean the vCPU ran in between; a larger
 * gap means it was descheduled.  Each vCPU prints one machine-readable line
 *
 *   SPIN share=S max_window_us=M windows=N vcpu=I run_us=.. elapsed_us=.. gaps=.. max_gap_us=..
 *        phase_us=P max_window_start_us=M0 window_us=W bucket_us=B gap_us=G
 *
 * share = running time / elapsed time.  Running time is kept per bucket_us bucket, and
 * max_window_us is the most running time in any window_us window, for the alignment of the
 * windows (phase_us after the start, a multiple of bucket_us) that makes this maximum smallest:
 * a scheduler's accounting period (RTDS) starts when it starts, not when we do, so windows
 * aligned to our start could span two periods.  If every period grants at most budget, some
 * phase shows max_window_us <= budget + bucket_us (the true phase lies within one bucket of a
 * tried one).  max_window_start_us is the maximum for windows aligned to our start.
 *
 * Boot arguments (/chosen/bootargs): spin_ms=2000 window_us=10000 bucket_us=100 gap_us=20
 * (period_us= is another name for window_us=).
 */
#include "arm.h"
#include "bootargs.h"
#include "console.h"
#include "guest.h"
#include "platform.h"
#include "smccc.h"
#include "test.h"
#include "timer.h"

const char guest_name[] = "spin";

#define MAX_BUCKETS 32768 /* per vCPU: 3.2 s at 100 us; bucket_us grows for longer spins */
#define WAIT_EXTRA_US 20000000UL

static uint64_t spin_ms = 2000, window_us = 10000, bucket_us = 100, gap_us = 20;
static uint64_t freq;
static uint32_t buckets[MAX_VCPUS][MAX_BUCKETS];
static unsigned done;

struct result {
    uint64_t run, elapsed, gaps, max_gap; /* ticks */
    unsigned nbuckets;
};
static struct result results[MAX_VCPUS];

static uint64_t ticks_to_us(uint64_t t)
{
    return t / freq * 1000000 + t % freq * 1000000 / freq;
}

/* Credit the running interval [a, b) (ticks since the start) to the buckets it covers. */
static void add_run(uint32_t *b, uint64_t bucket_ticks, unsigned nbuckets, uint64_t a, uint64_t e)
{
    while (a < e) {
        uint64_t i = a / bucket_ticks;
        if (i >= nbuckets)
            return;
        uint64_t end = (i + 1) * bucket_ticks;
        uint64_t seg = (e < end ? e : end) - a;
        b[i] += (uint32_t)seg;
        a += seg;
    }
}

static void spin(unsigned cpu)
{
    uint64_t bucket_ticks = timer_us_to_ticks(bucket_us);
    uint64_t gap_ticks = timer_us_to_ticks(gap_us);
    uint64_t len = timer_us_to_ticks(spin_ms * 1000);
    unsigned nbuckets = (unsigned)((len + bucket_ticks - 1) / bucket_ticks);
    uint32_t *b = buckets[cpu];
    struct result r = { .nbuckets = nbuckets };
    uint64_t start = timer_now(), prev = start, now = start;
    /* Where the current bucket ends: most samples fall in the same bucket as the last one. */
    uint64_t cur_end = bucket_ticks, cur = 0;
    while (now - start < len) {
        now = timer_now();
        uint64_t d = now - prev;
        if (d <= gap_ticks) {
            uint64_t e = now - start;
            if (e <= cur_end) {
                b[cur] += (uint32_t)d;
            } else {
                add_run(b, bucket_ticks, nbuckets, prev - start, e);
                cur = e / bucket_ticks;
                cur_end = (cur + 1) * bucket_ticks;
                if (cur >= nbuckets)
                    cur = nbuckets - 1;
            }
            r.run += d;
        } else {
            r.gaps++;
            if (d > r.max_gap)
                r.max_gap = d;
            uint64_t e = now - start;
            cur = e / bucket_ticks;
            cur_end = (cur + 1) * bucket_ticks;
            if (cur >= nbuckets)
                cur = nbuckets - 1;
        }
        prev = now;
    }
    r.elapsed = now - start;
    results[cpu] = r;
}

/* Most running time in a window of w buckets starting at phase + k * w (whole windows only). */
static uint64_t max_window(const uint32_t *b, unsigned nbuckets, unsigned w, unsigned phase,
                           unsigned *nwin)
{
    uint64_t best = 0;
    unsigned n = 0;
    for (unsigned s = phase; s + w <= nbuckets; s += w, n++) {
        uint64_t sum = 0;
        for (unsigned i = s; i < s + w; i++)
            sum += b[i];
        if (sum > best)
            best = sum;
    }
    if (nwin)
        *nwin = n;
    return best;
}

static void report(unsigned cpu)
{
    const struct result *r = &results[cpu];
    const uint32_t *b = buckets[cpu];
    unsigned w = (unsigned)(window_us / bucket_us), nwin = 0, best_phase = 0;
    uint64_t at_start = max_window(b, r->nbuckets, w, 0, &nwin);
    uint64_t best = at_start;
    for (unsigned p = 1; p < w; p++) {
        uint64_t m = max_window(b, r->nbuckets, w, p, NULL);
        if (m < best) {
            best = m;
            best_phase = p;
        }
    }
    uint64_t share = r->elapsed ? r->run * 10000 / r->elapsed : 0;
    printf("SPIN share=%lu.%04lu max_window_us=%lu windows=%u vcpu=%u run_us=%lu elapsed_us=%lu "
           "gaps=%lu max_gap_us=%lu phase_us=%lu max_window_start_us=%lu window_us=%lu "
           "bucket_us=%lu gap_us=%lu\n",
           share / 10000, share % 10000, ticks_to_us(best), nwin, cpu, ticks_to_us(r->run),
           ticks_to_us(r->elapsed), r->gaps, ticks_to_us(r->max_gap),
           (uint64_t)best_phase * bucket_us, ticks_to_us(at_start), window_us, bucket_us, gap_us);
}

static void spin_and_report(unsigned cpu)
{
    spin(cpu);
    report(cpu);
    __atomic_add_fetch(&done, 1, __ATOMIC_RELEASE);
}

void guest_secondary_main(unsigned idx)
{
    spin_and_report(idx);
}

static void read_args(void)
{
    spin_ms = bootarg_u64("spin_ms", spin_ms);
    window_us = bootarg_u64("period_us", window_us); /* the scheduler's word for it */
    window_us = bootarg_u64("window_us", window_us);
    bucket_us = bootarg_u64("bucket_us", bucket_us);
    gap_us = bootarg_u64("gap_us", gap_us);
    if (!spin_ms)
        spin_ms = 1;
    if (!bucket_us)
        bucket_us = 1;
    /* Longer spins get coarser buckets, so that the run fits MAX_BUCKETS. */
    while (spin_ms * 1000 / bucket_us >= MAX_BUCKETS)
        bucket_us *= 2;
    if (window_us < bucket_us)
        window_us = bucket_us;
    window_us -= window_us % bucket_us;
}

void guest_main(void *dtb)
{
    (void)dtb;
    freq = timer_freq();
    read_args();
    if (!check(freq != 0, "spin_freq", "CNTFRQ_EL0 = %lu", freq))
        return;
    unsigned started = 1;
    for (unsigned i = 1; i < plat.nr_cpus; i++) {
        int64_t rc = psci_cpu_on_index(i);
        if (rc == PSCI_SUCCESS)
            started++;
        else
            check(false, "spin_cpu_on", "vCPU %u: PSCI CPU_ON returned %ld", i, rc);
    }
    note("spin: %u vCPU(s) spin %lu ms each; windows %lu us, buckets %lu us, gaps over %lu us "
         "are time descheduled",
         started, spin_ms, window_us, bucket_us, gap_us);
    spin_and_report(0);
    bool all = WAIT_FOR(__atomic_load_n(&done, __ATOMIC_ACQUIRE) == started,
                        spin_ms * 1000 + WAIT_EXTRA_US);
    check(all, "spin_done", "%u of %u vCPUs reported", __atomic_load_n(&done, __ATOMIC_ACQUIRE),
          started);
    uint64_t want = timer_us_to_ticks(spin_ms * 1000);
    for (unsigned i = 0; all && i < started; i++)
        check(results[i].elapsed >= want && results[i].run > 0, "spin_measured",
              "vCPU %u: ran %lu us of %lu us", i, ticks_to_us(results[i].run),
              ticks_to_us(results[i].elapsed));
}
