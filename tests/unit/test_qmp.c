/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for keel-fbback's QMP answers to libxl (qmp.c): request framing (partial,
 * several in one read, braces inside strings, garbage), the replies libxl reads for a PV
 * device model (query-status before and after "cont", query-chardev, query-vnc), the "id" echo
 * and CommandNotFound for what it does not know. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../dom0/keel-fbback/qmp.h"

static void test_framing(void **state)
{
    const char two[] = "{\"execute\": \"a\"}\r\n{\"execute\": \"b\"}";

    (void)state;
    assert_int_equal(qmp_object_len("", 0), 0);
    assert_int_equal(qmp_object_len("{\"execute\": ", 12), 0); /* not complete yet */
    assert_int_equal(qmp_object_len(two, strlen(two)), 16);
    assert_int_equal(qmp_object_len("  \r\n{}", 6), 6);
    assert_int_equal(qmp_object_len("{\"x\": \"}{\\\"\"}", 13), 13); /* braces in a string */
    assert_int_equal(qmp_object_len("x{}", 3), -1);
    assert_int_equal(qmp_object_len("}", 1), -1);
}

static void test_replies(void **state)
{
    struct qmp_state st = { 0 };
    char out[512];

    (void)state;
    qmp_reply(&st, "{\"execute\": \"qmp_capabilities\", \"id\": 1}", out, sizeof(out));
    assert_string_equal(out, "{\"return\": {}, \"id\": 1}\r\n");
    qmp_reply(&st, "{\"execute\":\"query-chardev\",\"id\":2}", out, sizeof(out));
    assert_string_equal(out, "{\"return\": [], \"id\": 2}\r\n");
    qmp_reply(&st, "{\"execute\": \"query-vnc\", \"id\": 3}", out, sizeof(out));
    assert_string_equal(out, "{\"return\": {\"enabled\": false}, \"id\": 3}\r\n");
    qmp_reply(&st, "{\"execute\": \"query-status\"}", out, sizeof(out));
    assert_non_null(strstr(out, "\"status\": \"running\""));
    assert_null(strstr(out, "\"id\""));
    assert_false(st.quit);
    st.vnc_port = 5901;
    strcpy(st.vnc_host, "127.0.0.1");
    qmp_reply(&st, "{\"execute\": \"query-vnc\", \"id\": 8}", out, sizeof(out));
    assert_string_equal(out, "{\"return\": {\"enabled\": true, \"host\": \"127.0.0.1\", "
                             "\"service\": \"5901\"}, \"id\": 8}\r\n");
    qmp_reply(&st, "{\"execute\": \"quit\", \"id\": 9}", out, sizeof(out));
    assert_true(st.quit);
}

static void test_prelaunch(void **state)
{
    struct qmp_state st = { .prelaunch = true };
    char out[512];

    (void)state;
    qmp_reply(&st, "{\"execute\": \"query-status\", \"id\": 4}", out, sizeof(out));
    assert_non_null(strstr(out, "\"status\": \"prelaunch\""));
    qmp_reply(&st, "{\"execute\": \"cont\", \"id\": 5}", out, sizeof(out));
    assert_true(st.cont_seen);
    assert_false(st.prelaunch);
    qmp_reply(&st, "{\"execute\": \"query-status\", \"id\": 6}", out, sizeof(out));
    assert_non_null(strstr(out, "\"status\": \"running\""));
}

static void test_unknown(void **state)
{
    struct qmp_state st = { 0 };
    char out[512];

    (void)state;
    qmp_reply(&st, "{\"execute\": \"query-blockstats\", \"id\": \"libxenstat-1\"}", out,
              sizeof(out));
    assert_string_equal(out,
                        "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command "
                        "query-blockstats has not been found\"}, \"id\": \"libxenstat-1\"}\r\n");
    /* a name or id that would need escaping is not echoed as it is */
    qmp_reply(&st, "{\"execute\": \"x\\\"y\", \"id\": \"a\\\"\"}", out, sizeof(out));
    assert_null(strstr(out, "\\"));
    assert_null(strstr(out, "\"id\""));
    qmp_reply(&st, "{}", out, sizeof(out));
    assert_non_null(strstr(out, "CommandNotFound"));
    /* a reply cut to a small buffer stays a C string */
    qmp_reply(&st, "{\"execute\": \"query-vnc\", \"id\": 3}", out, 8);
    assert_int_equal(strlen(out), 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_framing),
        cmocka_unit_test(test_replies),
        cmocka_unit_test(test_prelaunch),
        cmocka_unit_test(test_unknown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
