/* Check reporting and the end of a test guest (see test.h).  Counters are atomic: any vCPU
 * may report. */
#include "test.h"
#include "arm.h"
#include "console.h"
#include "smccc.h"

static unsigned passed, failed;
static int stopping;
static void (*at_finish)(void);

static void report(bool ok, const char *name, const char *detail, va_list ap)
{
    char buf[384];
    vsnprintf(buf, sizeof(buf), detail, ap);
    __atomic_fetch_add(ok ? &passed : &failed, 1, __ATOMIC_RELAXED);
    printf("GUEST-TEST %s: %s (%s)\n", name, ok ? "PASS" : "FAIL", buf);
}

bool check(bool ok, const char *name, const char *detail, ...)
{
    va_list ap;
    va_start(ap, detail);
    report(ok, name, detail, ap);
    va_end(ap);
    return ok;
}

void note(const char *fmt, ...)
{
    char buf[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    printf("GUEST-NOTE %s\n", buf);
}

unsigned test_failed_count(void)
{
    return __atomic_load_n(&failed, __ATOMIC_RELAXED);
}

void guest_summary(void)
{
    printf("GUEST-TESTS: %u passed, %u failed\n", __atomic_load_n(&passed, __ATOMIC_RELAXED),
           __atomic_load_n(&failed, __ATOMIC_RELAXED));
}

void guest_at_finish(void (*fn)(void))
{
    WRITE_ONCE(at_finish, fn);
}

void guest_finish(void)
{
    /* Only one vCPU prints the summary; another that gets here waits to be powered off. */
    if (__atomic_exchange_n(&stopping, 1, __ATOMIC_ACQ_REL)) {
        irq_disable();
        for (;;)
            wfi();
    }
    void (*fn)(void) = READ_ONCE(at_finish);
    if (fn)
        fn();
    guest_summary();
    psci_system_off();
}

void test_fail_stop(const char *name, const char *detail, ...)
{
    va_list ap;
    va_start(ap, detail);
    report(false, name, detail, ap);
    va_end(ap);
    guest_finish();
}
