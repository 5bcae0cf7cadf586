/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the console (hyp/core/console.c): how Keel's log messages and the other
 * writers (domains' UARTs, the command console) share the physical console's lines, seen
 * through a fake UART and the log ring.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <hyp/arch/cpu.h>
#include <hyp/console.h>

/* What reaches the UART, exactly (the console turns each '\n' into "\r\n"). */
static char out[4096];
static size_t out_len;

static void uart_putc(void *ctx, char c)
{
    assert_true(out_len + 1 < sizeof(out));
    out[out_len++] = c;
    out[out_len] = 0;
}

static const struct console_dev uart = { uart_putc, NULL, NULL };

static const struct console_writer web = { "[web] " };
static const struct console_writer db = { "[db] " };
static const struct console_writer keel = { NULL };

static uint64_t ring_pos;

/* What went into the ring since the last call. */
static const char *ring_since(void)
{
    static char buf[4096];
    size_t n = console_ring_read(&ring_pos, buf, sizeof(buf) - 1);
    buf[n] = 0;
    return buf;
}

static int setup(void **state)
{
    console_register(&uart);
    console_enable_locking();
    console_set_level(LOG_INFO);
    host_counter = 1500000000; /* 1.5 s */
    out_len = 0;
    out[0] = 0;
    ring_since();
    return 0;
}

/* Each test leaves the console at a line start, as it found it. */
static int teardown(void **state)
{
    console_end_line(&web);
    console_end_line(&db);
    console_end_line(&keel);
    pr_info("end\n");
    return 0;
}

static void test_log_lines(void **state)
{
    pr_info("one\n");
    pr_info("two: ");
    pr_info("more\n");
    assert_string_equal(out, "(keel) [   1.500000] one\r\n"
                             "(keel) [   1.500000] two: more\r\n");
    assert_string_equal(ring_since(), "(keel) [   1.500000] one\n"
                                      "(keel) [   1.500000] two: more\n");
    console_write(&keel, "", 0); /* nothing to print: nothing happens */
    assert_int_equal(ring_since()[0], 0);
}

/* A writer's prefix starts each line it begins; its own open line goes on without one. */
static void test_writer_lines(void **state)
{
    console_write(&web, "login: ", 7);
    console_write(&web, "root\n", 5);
    console_write(&web, "\n", 1);
    assert_string_equal(ring_since(), "[web] login: root\n[web] \n");
    console_write(&keel, "keel> ", 6);
    console_write(&keel, "help\nKeel console commands:\n", 28);
    assert_string_equal(ring_since(), "keel> help\nKeel console commands:\n");
}

/* Whoever prints ends a line another writer left open; the interrupted writer's next text
 * starts a new line with its prefix. */
static void test_open_line_ended(void **state)
{
    console_write(&web, "login: ", 7);
    pr_info("domain db: started\n");
    console_write(&web, "root\n", 5);
    assert_string_equal(ring_since(), "[web] login: \n"
                                      "(keel) [   1.500000] domain db: started\n"
                                      "[web] root\n");
    /* A line already ended is not ended again (the command console once printed an empty
     * line after a log message had ended a domain's prompt). */
    console_write(&web, "$ ", 2);
    pr_info("tick\n");
    console_write(&keel, "keel> ", 6);
    console_end_line(&keel);
    assert_string_equal(ring_since(), "[web] $ \n(keel) [   1.500000] tick\nkeel> \n");
    console_write(&web, "$ ", 2);
    console_write(&db, "db up\n", 6);
    console_write(&keel, "keel> ", 6);
    console_write(&web, "ls\n", 3);
    assert_string_equal(ring_since(), "[web] $ \n[db] db up\nkeel> \n[web] ls\n");
    /* Keel's log is a writer too: its unfinished message is ended before a domain prints. */
    pr_info("half ");
    console_write(&db, "x\n", 2);
    pr_info("rest\n");
    assert_string_equal(ring_since(), "(keel) [   1.500000] half \n[db] x\n"
                                      "(keel) [   1.500000] rest\n");
    assert_string_equal(out + out_len - 6, "rest\r\n");
}

/* console_end_line ends only the line its writer left open. */
static void test_end_line(void **state)
{
    console_end_line(&web);
    assert_int_equal(out_len, 0);
    console_write(&web, "bye", 3);
    console_end_line(&db);
    console_end_line(&keel);
    assert_string_equal(ring_since(), "[web] bye");
    console_end_line(&web);
    console_end_line(&web);
    assert_string_equal(ring_since(), "\n");
    console_write(&web, "again\n", 6);
    assert_string_equal(ring_since(), "[web] again\n");
    assert_string_equal(out, "[web] bye\r\n[web] again\r\n");
}

/* A message above the console level goes only to the ring. */
static void test_hidden_message(void **state)
{
    pr_debug("quiet\n");
    assert_int_equal(out_len, 0);
    assert_string_equal(ring_since(), "(keel) [   1.500000] quiet\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_log_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writer_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_line_ended, setup, teardown),
        cmocka_unit_test_setup_teardown(test_end_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hidden_message, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
