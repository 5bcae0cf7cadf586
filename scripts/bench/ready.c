/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /init of the boot-benchmark initramfs: the first user instruction of the guest Linux.  Prints
 * the userspace marker with the guest's virtual counter (readable at EL0 under Linux) and the
 * "keel.t0=" values the first-instruction probe (firstinsn.S) left in the command line, logs the
 * marker through /dev/kmsg so it also carries the kernel's printk timestamp, and powers off.
 * Freestanding (raw system calls, no C library) so the initramfs holds one small static file.
 *
 * Built with -DSTAMP it is instead an ordinary program (the bench's dom0 runs it around
 * `xl create`, tests/e2e/initramfs/tests/xlbench): it prints the same "cntvct=... cntfrq=...
 * keel.t0=..." fields to its standard output and exits, so that a shell can label the moment
 * with the machine time.
 */
#include <stdint.h>

#define SYS_mknodat 33
#define SYS_mount 40
#define SYS_openat 56
#define SYS_read 63
#define SYS_write 64
#define SYS_exit 93
#define SYS_reboot 142
#define AT_FDCWD (-100)
#define O_WRONLY 1
#define REBOOT_MAGIC1 0xfee1dead
#define REBOOT_MAGIC2 672274793
#define REBOOT_CMD_POWER_OFF 0x4321fedc

static long sys6(long n, long a, long b, long c, long d, long e)
{
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;
    register long x4 __asm__("x4") = e;
    __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4) : "memory");
    return x0;
}

static unsigned put_dec(char *p, uint64_t v)
{
    char t[24];
    unsigned n = 0, i = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        p[i++] = t[--n];
    return i;
}

static unsigned put_str(char *p, const char *s)
{
    unsigned i = 0;
    while (s[i]) {
        p[i] = s[i];
        i++;
    }
    return i;
}

void _start(void);
void _start(void)
{
    uint64_t cnt, frq;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(cnt));
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(frq));
    char line[256];
#ifdef STAMP
    unsigned n = put_str(line, "cntvct=");
#else
    /* No /dev in the archive: devtmpfs gives /dev/console and /dev/kmsg. */
    sys6(SYS_mount, (long)"devtmpfs", (long)"/dev", (long)"devtmpfs", 0, 0);
    unsigned n = put_str(line, "KEEL-GUEST-READY cntvct=");
#endif
    n += put_dec(line + n, cnt);
    n += put_str(line + n, " cntfrq=");
    n += put_dec(line + n, frq);
#ifndef STAMP
    sys6(SYS_mount, (long)"proc", (long)"/proc", (long)"proc", 0, 0);
#endif
    char cmd[1024];
    long fd = sys6(SYS_openat, AT_FDCWD, (long)"/proc/cmdline", 0, 0, 0);
    long len = fd >= 0 ? sys6(SYS_read, fd, (long)cmd, sizeof(cmd) - 1, 0, 0) : 0;
    for (long i = 0; i + 41 <= len; i++) {
        if (cmd[i] == 'k' && cmd[i + 1] == 'e' && cmd[i + 2] == 'e' && cmd[i + 3] == 'l' &&
            cmd[i + 4] == '.' && cmd[i + 5] == 't' && cmd[i + 6] == '0' && cmd[i + 7] == '=') {
            line[n++] = ' ';
            for (long j = 0; j < 41; j++)
                line[n++] = cmd[i + j];
            break;
        }
    }
    line[n++] = '\n';
#ifdef STAMP
    sys6(SYS_write, 1, (long)line, n, 0, 0);
    sys6(SYS_exit, 0, 0, 0, 0, 0);
#endif
    long con = sys6(SYS_openat, AT_FDCWD, (long)"/dev/console", O_WRONLY, 0, 0);
    if (con >= 0)
        sys6(SYS_write, con, (long)line, n, 0, 0);
    /* Level 3 so the line reaches the console even with "quiet". */
    long kmsg = sys6(SYS_openat, AT_FDCWD, (long)"/dev/kmsg", O_WRONLY, 0, 0);
    if (kmsg >= 0)
        sys6(SYS_write, kmsg, (long)"<3>KEEL-GUEST-KMSG\n", 19, 0, 0);
    sys6(SYS_reboot, REBOOT_MAGIC1, REBOOT_MAGIC2, REBOOT_CMD_POWER_OFF, 0, 0);
    for (;;)
        __asm__ volatile("wfi");
}
