/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log_printf() for host unit tests that check what the code under test says: log_stub.c keeps
 * the last message and counts warnings and errors.  A test resets them as it needs.
 */
#ifndef TESTS_UNIT_LOG_STUB_H
#define TESTS_UNIT_LOG_STUB_H

extern char stub_last_log[256];
extern unsigned stub_nr_warnings, stub_nr_errors;

#endif
