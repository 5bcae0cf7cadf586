/* SPDX-License-Identifier: Apache-2.0 */
#include "log_stub.h"
#include <stdarg.h>
#include <stdio.h>
#include <hyp/console.h>

char stub_last_log[256];
unsigned stub_nr_warnings, stub_nr_errors;

void log_printf(enum log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(stub_last_log, sizeof(stub_last_log), fmt, ap);
    va_end(ap);
    if (level == LOG_WARN)
        stub_nr_warnings++;
    if (level == LOG_ERR)
        stub_nr_errors++;
}
