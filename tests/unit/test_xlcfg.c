/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the xl configuration parser (dom0/libxlcfg): the syntax (comments, quoting,
 * escapes, multi-line lists, duplicates and "+="), every known key with its default, range and
 * error message, relative paths, warnings for unknown keys, and reading from a file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../dom0/libxlcfg/xlcfg.h"

#define BASE "name = \"web\"\nmemory = 512\nkernel = \"Image\"\n"

static struct xlcfg cfg;
static struct xlcfg_diag diag;
static char warnings[4096];

static void collect_warning(void *ctx, const char *msg)
{
    (void)ctx;
    strncat(warnings, msg, sizeof(warnings) - strlen(warnings) - 2);
    strcat(warnings, "\n");
}

static int parse_as(const char *path, const char *text)
{
    xlcfg_free(&cfg);
    warnings[0] = 0;
    diag.warn = collect_warning;
    diag.ctx = NULL;
    return xlcfg_parse_text(&cfg, text, strlen(text), path, &diag);
}

static int parse(const char *text)
{
    return parse_as("guest.cfg", text);
}

/* Parse BASE followed by extra lines (so line numbers of the extra text start at 4). */
static int parse_base(const char *extra)
{
    static char text[4096];
    snprintf(text, sizeof(text), "%s%s", BASE, extra);
    return parse(text);
}

static void expect_error(const char *text, const char *msg)
{
    assert_int_equal(parse(text), -1);
    assert_string_equal(diag.error, msg);
    /* A failed parse leaves nothing behind. */
    assert_null(cfg.name);
    assert_int_equal(cfg.nr_settings, 0);
}

static void expect_base_error(const char *extra, const char *msg)
{
    static char text[4096];
    snprintf(text, sizeof(text), "%s%s", BASE, extra);
    expect_error(text, msg);
}

static int teardown(void **state)
{
    xlcfg_free(&cfg);
    return 0;
}

static void minimal_file_gets_xl_defaults(void **state)
{
    assert_int_equal(parse(BASE), 0);
    assert_string_equal(cfg.name, "web");
    assert_int_equal(cfg.memory_mib, 512);
    assert_int_equal(cfg.vcpus, 1);
    assert_string_equal(cfg.kernel, "Image");
    assert_null(cfg.ramdisk);
    assert_null(cfg.extra);
    assert_null(cfg.root);
    assert_string_equal(cfg.bootargs, "");
    assert_int_equal(cfg.on_poweroff, XLCFG_DESTROY);
    assert_int_equal(cfg.on_reboot, XLCFG_RESTART);
    assert_int_equal(cfg.on_crash, XLCFG_DESTROY);
    assert_string_equal(cfg.type, "pvh");
    assert_false(cfg.has_cpu_weight);
    assert_int_equal(cfg.cpu_weight, 256);
    assert_false(cfg.has_cap);
    assert_int_equal(cfg.cap, 0);
    assert_null(cfg.pool);
    assert_false(cfg.has_budget);
    assert_false(cfg.has_period);
    assert_int_equal(cfg.budget_us, XLCFG_RTDS_DEFAULT_BUDGET);
    assert_int_equal(cfg.period_us, XLCFG_RTDS_DEFAULT_PERIOD);
    assert_null(cfg.cpus);
    assert_string_equal(cfg.file, "guest.cfg");
    assert_string_equal(warnings, "");
}

static void every_key_set(void **state)
{
    const char *text = "name = 'db'\n"
                       "memory = 2048\n"
                       "vcpus = 4\n"
                       "kernel = \"/boot/Image\"\n"
                       "ramdisk = \"/boot/initrd.gz\"\n"
                       "extra = \"console=ttyAMA0 quiet\"\n"
                       "root = \"/dev/xvda1\"\n"
                       "on_poweroff = \"preserve\"\n"
                       "on_reboot = \"destroy\"\n"
                       "on_crash = \"coredump-restart\"\n"
                       "type = \"pvh\"\n"
                       "cpu_weight = 512\n"
                       "cap = 150\n"
                       "pool = \"rt-pool\"\n"
                       "budget = 2000\n"
                       "period = 5000\n"
                       "cpus = \"0-3,5\"\n";
    assert_int_equal(parse(text), 0);
    assert_string_equal(cfg.name, "db");
    assert_int_equal(cfg.memory_mib, 2048);
    assert_int_equal(cfg.vcpus, 4);
    assert_string_equal(cfg.kernel, "/boot/Image");
    assert_string_equal(cfg.ramdisk, "/boot/initrd.gz");
    assert_string_equal(cfg.extra, "console=ttyAMA0 quiet");
    assert_string_equal(cfg.root, "/dev/xvda1");
    assert_string_equal(cfg.bootargs, "root=/dev/xvda1 console=ttyAMA0 quiet");
    assert_int_equal(cfg.on_poweroff, XLCFG_PRESERVE);
    assert_int_equal(cfg.on_reboot, XLCFG_DESTROY);
    assert_int_equal(cfg.on_crash, XLCFG_COREDUMP_RESTART);
    assert_true(cfg.has_cpu_weight);
    assert_int_equal(cfg.cpu_weight, 512);
    assert_true(cfg.has_cap);
    assert_int_equal(cfg.cap, 150);
    assert_string_equal(cfg.pool, "rt-pool");
    assert_true(cfg.has_budget);
    assert_true(cfg.has_period);
    assert_int_equal(cfg.budget_us, 2000);
    assert_int_equal(cfg.period_us, 5000);
    assert_string_equal(cfg.cpus, "0-3,5");
    assert_string_equal(warnings, "");
    assert_int_equal(cfg.nr_settings, 17);
    assert_int_equal(xlcfg_find(&cfg, "cap")->line, 13);
    assert_null(xlcfg_find(&cfg, "maxmem"));
}

static void comments_blank_lines_and_semicolons(void **state)
{
    const char *text = "# a domain\n"
                       "\n"
                       "   # indented comment\n"
                       "name = \"a#b\"   # the '#' inside quotes is not a comment\n"
                       "memory = 64; vcpus = 2 ;\n"
                       "kernel='k'#no space before the comment\n"
                       "\t\n";
    assert_int_equal(parse(text), 0);
    assert_string_equal(cfg.name, "a#b");
    assert_int_equal(cfg.memory_mib, 64);
    assert_int_equal(cfg.vcpus, 2);
    assert_string_equal(cfg.kernel, "k");
    assert_int_equal(xlcfg_find(&cfg, "vcpus")->line, 5);
}

static void crlf_line_endings(void **state)
{
    assert_int_equal(parse("name = \"w\"\r\nmemory = 8\r\nkernel = \"k\"\r\n"), 0);
    assert_string_equal(cfg.name, "w");
    assert_int_equal(cfg.memory_mib, 8);
}

static void quoting_and_escapes(void **state)
{
    assert_int_equal(parse_base("extra = 'say \"hi\" it''s'\n"), -1);
    assert_int_equal(parse_base("extra = 'say \"hi\"'\nroot = \"it's\"\n"), 0);
    assert_string_equal(cfg.extra, "say \"hi\"");
    assert_string_equal(cfg.root, "it's");

    assert_int_equal(parse_base("extra = \"a\\tb\\nc\\\\d\\\"e\\'f\\x41\\101\\x7e\"\n"), 0);
    assert_string_equal(cfg.extra, "a\tb\nc\\d\"e'fAA~");
    assert_int_equal(parse_base("extra = \"\"\n"), 0);
    assert_string_equal(cfg.extra, "");
    assert_string_equal(cfg.bootargs, "");
    assert_true(xlcfg_find(&cfg, "extra")->value.quoted);

    expect_base_error("extra = \"open\n", "guest.cfg:4: extra: unterminated string");
    expect_base_error("extra = 'open", "guest.cfg:4: extra: unterminated string");
    expect_base_error("extra = \"a\\qb\"\n", "guest.cfg:4: extra: unknown escape '\\q' in string");
    expect_base_error("extra = \"a\\xg\"\n",
                      "guest.cfg:4: extra: '\\x' without hex digits in string");
    expect_base_error("extra = \"a\\0\"\n",
                      "guest.cfg:4: extra: escape gives a NUL or out-of-range byte");
    expect_base_error("extra = \"a\\", "guest.cfg:4: extra: unterminated string");
}

static void multi_line_lists(void **state)
{
    const char *text = BASE "disk = [ 'phy:/dev/a,xvda,w',   # first\n"
                            "         \"file:/b.img,xvdb,r\",\n"
                            "\n"
                            "         # a comment between items\n"
                            "         42,\n"
                            "       ]\n"
                            "vif = []\n"
                            "vcpus = 2\n";
    assert_int_equal(parse(text), 0);
    const struct xlcfg_setting *disk = xlcfg_find(&cfg, "disk");
    assert_non_null(disk);
    assert_true(disk->value.is_list);
    assert_int_equal(disk->line, 4);
    assert_int_equal(disk->value.nr_items, 3);
    assert_string_equal(disk->value.items[0], "phy:/dev/a,xvda,w");
    assert_string_equal(disk->value.items[1], "file:/b.img,xvdb,r");
    assert_string_equal(disk->value.items[2], "42");
    assert_int_equal(xlcfg_find(&cfg, "vif")->value.nr_items, 0);
    assert_int_equal(cfg.vcpus, 2);
    assert_int_equal(xlcfg_find(&cfg, "vcpus")->line, 11);
}

static void list_errors(void **state)
{
    expect_base_error("disk = [ 'a', ['b'] ]\n", "guest.cfg:4: disk: lists cannot be nested");
    expect_base_error("disk = [ 'a',\n 'b'\n", "guest.cfg:4: disk: unterminated list (no ']')");
    expect_base_error("disk = [ 'a' 'b' ]\n",
                      "guest.cfg:4: disk: expected ',' or ']' in list, found a string");
    expect_base_error("disk = [ 'a',\n  b ]\n",
                      "guest.cfg:5: disk: unquoted word 'b' in list (strings need quotes)");
    expect_base_error("disk = [ , ]\n", "guest.cfg:4: disk: expected a list item, found ','");
    expect_base_error(
        "disk = [ 'a', ] 'x'\n",
        "guest.cfg:4: disk: expected the end of the line after the value, found a string");
    expect_base_error("memory = [ 512 ]\n", "guest.cfg:4: memory: expected an integer, not a list");
    expect_base_error("name = [ 'x' ]\n", "guest.cfg:4: name: expected a string, not a list");
    expect_base_error("on_crash = [ 'destroy' ]\n",
                      "guest.cfg:4: on_crash: expected an action, not a list");
    expect_base_error("extra = [ 'x' ]\n", "guest.cfg:4: extra: expected a string, not a list");
    expect_base_error("cmdline = [ 'x' ]\n", "guest.cfg:4: cmdline: expected a string, not a list");
    expect_base_error(
        "cpus = [ '1', '2' ]\n",
        "guest.cfg:4: cpus: per-vCPU lists are not supported; give one string such as \"0-3\"");
}

static void duplicates_last_wins(void **state)
{
    assert_int_equal(parse_base("memory = 1024\nname = 'second'\nmemory = 'oops'\nmemory = 256\n"),
                     0);
    assert_int_equal(cfg.memory_mib, 256);
    assert_string_equal(cfg.name, "second");
    assert_int_equal(xlcfg_find(&cfg, "memory")->line, 7);
    assert_int_equal(cfg.nr_settings, 3);
    /* The error names the line of the assignment that counts. */
    expect_base_error("vcpus = 2\nvcpus = 0\n", "guest.cfg:5: vcpus: must be between 1 and 128");
}

static void append_operator(void **state)
{
    assert_int_equal(parse_base("extra = 'a'\nextra += ' b'\ndisk = ['x']\ndisk += ['y', 'z']\n"
                                "vif += ['v']\n"),
                     0);
    assert_string_equal(cfg.extra, "a b");
    const struct xlcfg_setting *disk = xlcfg_find(&cfg, "disk");
    assert_int_equal(disk->value.nr_items, 3);
    assert_string_equal(disk->value.items[2], "z");
    assert_int_equal(disk->line, 7);
    assert_int_equal(xlcfg_find(&cfg, "vif")->value.nr_items, 1);
    expect_base_error("disk = ['x']\ndisk += 'y'\n",
                      "guest.cfg:5: disk: '+=' cannot mix a list and a single value");
}

static void syntax_errors(void **state)
{
    expect_base_error("memory 512\n",
                      "guest.cfg:4: memory: expected '=' after the key, found a number");
    expect_base_error("memory =\n", "guest.cfg:4: memory: missing value");
    expect_base_error("memory = ", "guest.cfg:4: memory: missing value");
    expect_base_error("memory = ;\n", "guest.cfg:4: memory: missing value");
    expect_base_error(
        "memory = 512 1024\n",
        "guest.cfg:4: memory: expected the end of the line after the value, found a number");
    expect_base_error("= 5\n",
                      "guest.cfg:4: expected a key at the start of a statement, found '='");
    expect_base_error("\"name\" = 5\n",
                      "guest.cfg:4: expected a key at the start of a statement, found a string");
    expect_base_error("memory = 12ab\n", "guest.cfg:4: memory: malformed number '12ab'");
    expect_base_error("memory = 0x\n", "guest.cfg:4: memory: malformed number '0x'");
    expect_base_error("memory = 1.5\n", "guest.cfg:4: memory: malformed number '1.5'");
    expect_base_error("on_crash = restart\n",
                      "guest.cfg:4: on_crash: unquoted word 'restart' (strings need quotes)");
    expect_base_error("memory = @\n", "guest.cfg:4: memory: unexpected character '@'");
    expect_base_error("mem-ory = 5\n", "guest.cfg:4: mem: unexpected character '-'");
    expect_base_error("memory = = 5\n", "guest.cfg:4: memory: expected a value, found '='");
    expect_base_error("x = \x01\n", "guest.cfg:4: x: unexpected control character 0x01");

    static const char with_nul[] = BASE "extra = 1\0\n";
    xlcfg_free(&cfg);
    assert_int_equal(xlcfg_parse_text(&cfg, with_nul, sizeof(with_nul) - 1, "g.cfg", &diag), -1);
    assert_string_equal(diag.error, "g.cfg:4: extra: NUL byte in the file");
}

static void required_keys(void **state)
{
    expect_error("memory = 1\nkernel = 'k'\n", "guest.cfg: name: required but not set");
    expect_error("name = 'n'\nkernel = 'k'\n", "guest.cfg: memory: required but not set");
    expect_error("name = 'n'\nmemory = 1\n", "guest.cfg: kernel: required but not set");
    expect_error("", "guest.cfg: name: required but not set");
    expect_error("name = ''\nmemory = 1\nkernel = 'k'\n", "guest.cfg:1: name: must not be empty");
    expect_error("name = 'n'\nmemory = 1\nkernel = \"\"\n",
                 "guest.cfg:3: kernel: must not be empty");
    expect_base_error("ramdisk = ''\n", "guest.cfg:4: ramdisk: must not be empty");
}

static void memory_values(void **state)
{
    expect_error("name = 'n'\nkernel = 'k'\n# c\n\n\n\nmemory = 'lots'\n",
                 "guest.cfg:7: memory: expected an integer");
    expect_error("name = 'n'\nkernel = 'k'\nmemory = 0\n",
                 "guest.cfg:3: memory: must be between 1 and 16777216");
    expect_error("name = 'n'\nkernel = 'k'\nmemory = -5\n",
                 "guest.cfg:3: memory: must be between 1 and 16777216");
    expect_error("name = 'n'\nkernel = 'k'\nmemory = 16777217\n",
                 "guest.cfg:3: memory: must be between 1 and 16777216");
    expect_error("name = 'n'\nkernel = 'k'\nmemory = 99999999999999999999999\n",
                 "guest.cfg:3: memory: must be between 1 and 16777216");
    expect_error("name = 'n'\nkernel = 'k'\nmemory = ''\n",
                 "guest.cfg:3: memory: expected an integer");
    expect_error("name = 'n'\nkernel = 'k'\nmemory = '12 '\n",
                 "guest.cfg:3: memory: expected an integer");
    /* xl keeps numbers as text, so a quoted number is still a number; hex is accepted. */
    assert_int_equal(parse("name = 'n'\nkernel = 'k'\nmemory = \"768\"\n"), 0);
    assert_int_equal(cfg.memory_mib, 768);
    assert_int_equal(parse("name = 'n'\nkernel = 'k'\nmemory = 0x100\n"), 0);
    assert_int_equal(cfg.memory_mib, 256);
    assert_int_equal(parse("name = 'n'\nkernel = 'k'\nmemory = +16777216\n"), 0);
    assert_int_equal(cfg.memory_mib, 16777216);
}

static void numbers_are_strings_too(void **state)
{
    assert_int_equal(parse("name = 42\nmemory = 1\nkernel = 'k'\n"), 0);
    assert_string_equal(cfg.name, "42");
    assert_false(xlcfg_find(&cfg, "name")->value.quoted);
}

static void vcpus_values(void **state)
{
    assert_int_equal(parse_base("vcpus = 128\n"), 0);
    assert_int_equal(cfg.vcpus, 128);
    expect_base_error("vcpus = 0\n", "guest.cfg:4: vcpus: must be between 1 and 128");
    expect_base_error("vcpus = 129\n", "guest.cfg:4: vcpus: must be between 1 and 128");
    expect_base_error("vcpus = 'two'\n", "guest.cfg:4: vcpus: expected an integer");
}

static void relative_paths_follow_the_file(void **state)
{
    const char *text = "name='n'\nmemory=1\nkernel='Image'\nramdisk='../initrd.gz'\n";
    assert_int_equal(parse_as("/etc/keel/web.cfg", text), 0);
    assert_string_equal(cfg.kernel, "/etc/keel/Image");
    assert_string_equal(cfg.ramdisk, "/etc/keel/../initrd.gz");
    assert_int_equal(parse_as("build/e2e/web.cfg", text), 0);
    assert_string_equal(cfg.kernel, "build/e2e/Image");
    assert_int_equal(parse_as("web.cfg", text), 0);
    assert_string_equal(cfg.kernel, "Image");
    assert_string_equal(cfg.ramdisk, "../initrd.gz");
    assert_int_equal(parse_as("/etc/keel/web.cfg", "name='n'\nmemory=1\nkernel='/abs/Image'\n"), 0);
    assert_string_equal(cfg.kernel, "/abs/Image");
    assert_null(cfg.ramdisk);
    /* No path at all: messages say <config>, paths stay as written. */
    xlcfg_free(&cfg);
    assert_int_equal(xlcfg_parse_text(&cfg, text, strlen(text), NULL, &diag), 0);
    assert_string_equal(cfg.kernel, "Image");
    assert_string_equal(cfg.file, "<config>");
}

static void extra_cmdline_and_root(void **state)
{
    assert_int_equal(parse_base("extra = 'console=ttyAMA0'\n"), 0);
    assert_string_equal(cfg.bootargs, "console=ttyAMA0");
    assert_int_equal(parse_base("cmdline = 'a=1'\n"), 0);
    assert_string_equal(cfg.extra, "a=1");
    assert_string_equal(cfg.bootargs, "a=1");
    assert_int_equal(parse_base("root = '/dev/xvda'\n"), 0);
    assert_string_equal(cfg.bootargs, "root=/dev/xvda");
    assert_string_equal(warnings, "");

    /* cmdline wins over extra and root, with a warning for each ignored key. */
    assert_int_equal(parse_base("cmdline = 'c'\nextra = 'e'\nroot = 'r'\n"), 0);
    assert_string_equal(cfg.extra, "c");
    assert_string_equal(cfg.bootargs, "c");
    assert_string_equal(cfg.root, "r");
    assert_string_equal(warnings, "guest.cfg:5: extra: ignored because cmdline is set\n"
                                  "guest.cfg:6: root: ignored because cmdline is set\n");
    assert_int_equal(parse_base("extra = 'e'\ncmdline = 'c'\n"), 0);
    assert_string_equal(cfg.bootargs, "c");
}

static void shutdown_actions(void **state)
{
    static const char *const names[] = { "destroy",        "restart",          "preserve",
                                         "rename-restart", "coredump-destroy", "coredump-restart" };
    static const char *const keys[] = { "on_poweroff", "on_reboot", "on_crash" };
    char extra[128];
    for (unsigned k = 0; k < 3; k++)
        for (unsigned a = 0; a < 6; a++) {
            snprintf(extra, sizeof(extra), "%s = \"%s\"\n", keys[k], names[a]);
            assert_int_equal(parse_base(extra), 0);
            enum xlcfg_action got = k == 0   ? cfg.on_poweroff
                                    : k == 1 ? cfg.on_reboot
                                             : cfg.on_crash;
            assert_int_equal(got, a);
            assert_string_equal(xlcfg_action_name(got), names[a]);
        }
    expect_base_error("on_reboot = 'reset'\n",
                      "guest.cfg:4: on_reboot: unknown action 'reset' (expected destroy, restart, "
                      "preserve, rename-restart, coredump-destroy or coredump-restart)");
    expect_base_error(
        "on_poweroff = 'Destroy'\n",
        "guest.cfg:4: on_poweroff: unknown action 'Destroy' (expected destroy, restart, "
        "preserve, rename-restart, coredump-destroy or coredump-restart)");
    assert_string_equal(xlcfg_action_name((enum xlcfg_action)99), "?");
}

static void type_key(void **state)
{
    assert_int_equal(parse_base("type = 'pvh'\n"), 0);
    assert_string_equal(cfg.type, "pvh");
    expect_base_error("type = 'hvm'\n",
                      "guest.cfg:4: type: 'hvm' is not available on Arm (only \"pvh\")");
    expect_base_error("type = 'pv'\n",
                      "guest.cfg:4: type: 'pv' is not available on Arm (only \"pvh\")");
}

static void weight_and_cap(void **state)
{
    assert_int_equal(parse_base("cpu_weight = 1\n"), 0);
    assert_int_equal(cfg.cpu_weight, 1);
    assert_int_equal(parse_base("cpu_weight = 65535\n"), 0);
    assert_int_equal(cfg.cpu_weight, 65535);
    expect_base_error("cpu_weight = 0\n", "guest.cfg:4: cpu_weight: must be between 1 and 65535");
    expect_base_error("cpu_weight = 65536\n",
                      "guest.cfg:4: cpu_weight: must be between 1 and 65535");
    expect_base_error("cpu_weight = 'heavy'\n", "guest.cfg:4: cpu_weight: expected an integer");

    assert_int_equal(parse_base("cap = 0\n"), 0);
    assert_true(cfg.has_cap);
    assert_int_equal(cfg.cap, 0);
    assert_int_equal(parse_base("cap = 100\n"), 0);
    assert_int_equal(cfg.cap, 100);
    expect_base_error("cap = 101\n", "guest.cfg:4: cap: must be between 0 and 100");
    /* The limit scales with the vCPU count, wherever vcpus appears in the file. */
    assert_int_equal(parse_base("cap = 200\nvcpus = 2\n"), 0);
    assert_int_equal(cfg.cap, 200);
    expect_base_error("vcpus = 2\ncap = 201\n", "guest.cfg:5: cap: must be between 0 and 200");
    expect_base_error("cap = -1\n", "guest.cfg:4: cap: must be between 0 and 100");
}

static void pool_key(void **state)
{
    assert_int_equal(parse_base("pool = 'Pool-0'\n"), 0);
    assert_string_equal(cfg.pool, "Pool-0");
    expect_base_error("pool = ''\n", "guest.cfg:4: pool: must not be empty");
}

/* Keel's switch for Xen's PV interfaces, spelled as the dom0less property's values. */
static void xen_enhanced_key(void **state)
{
    assert_int_equal(parse_base(""), 0);
    assert_null(cfg.xen_enhanced);
    assert_int_equal(parse_base("xen_enhanced = 'disabled'\n"), 0);
    assert_string_equal(cfg.xen_enhanced, "disabled");
    assert_int_equal(parse_base("xen_enhanced = \"enabled\"\n"), 0);
    assert_string_equal(cfg.xen_enhanced, "enabled");
    assert_int_equal(parse_base("xen_enhanced = \"no-xenstore\"\n"), 0);
    expect_base_error("xen_enhanced = 'off'\n",
                      "guest.cfg:4: xen_enhanced: 'off' is not \"enabled\", \"no-xenstore\" or "
                      "\"disabled\"");
    expect_base_error("xen_enhanced = 0\n", "guest.cfg:4: xen_enhanced: '0' is not \"enabled\", "
                                            "\"no-xenstore\" or \"disabled\"");
}

/* Keel's control_domain: 0 or 1, off unless set. */
static void control_domain_key(void **state)
{
    assert_int_equal(parse_base(""), 0);
    assert_false(cfg.control_domain);
    assert_int_equal(parse_base("control_domain = 1\n"), 0);
    assert_true(cfg.control_domain);
    assert_int_equal(parse_base("control_domain = 0\n"), 0);
    assert_false(cfg.control_domain);
    assert_string_equal(warnings, "");
    expect_base_error("control_domain = 2\n",
                      "guest.cfg:4: control_domain: must be between 0 and 1");
    expect_base_error("control_domain = 'yes'\n",
                      "guest.cfg:4: control_domain: expected an integer");
}

static void rtds_budget_and_period(void **state)
{
    assert_int_equal(parse_base("budget = 10000\nperiod = 10000\n"), 0);
    assert_int_equal(cfg.budget_us, 10000);
    assert_int_equal(cfg.period_us, 10000);
    assert_int_equal(parse_base("period = 20000\n"), 0);
    assert_false(cfg.has_budget);
    assert_int_equal(cfg.budget_us, XLCFG_RTDS_DEFAULT_BUDGET);
    assert_int_equal(cfg.period_us, 20000);
    expect_base_error("period = 1000\nbudget = 2000\n",
                      "guest.cfg:5: budget: budget (2000 us) must not exceed period (1000 us)");
    expect_base_error("budget = 2000\nperiod = 1000\n",
                      "guest.cfg:5: period: budget (2000 us) must not exceed period (1000 us)");
    /* Only one given: compared with the RTDS default of the other. */
    expect_base_error("budget = 20000\n",
                      "guest.cfg:4: budget: budget (20000 us) must not exceed period (10000 us)");
    expect_base_error("period = 3000\n",
                      "guest.cfg:4: period: budget (4000 us) must not exceed period (3000 us)");
    expect_base_error("budget = 0\n", "guest.cfg:4: budget: must be between 1 and 4294967295");
    expect_base_error("period = 4294967296\n",
                      "guest.cfg:4: period: must be between 1 and 4294967295");
    expect_base_error("period = 'long'\n", "guest.cfg:4: period: expected an integer");
}

static void cpu_pinning(void **state)
{
    static const char *const good[] = { "0-3,5", "all", "7", "^1", "0-7,^3", "1-1", "0,1,2" };
    char extra[128];
    for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        snprintf(extra, sizeof(extra), "cpus = \"%s\"\n", good[i]);
        assert_int_equal(parse_base(extra), 0);
        assert_string_equal(cfg.cpus, good[i]);
    }
    expect_base_error("cpus = '3-1'\n", "guest.cfg:4: cpus: bad CPU range in '3-1'");
    expect_base_error("cpus = '1,'\n",
                      "guest.cfg:4: cpus: bad CPU list '1,' (expected e.g. \"0-3,5\")");
    expect_base_error("cpus = 'a'\n",
                      "guest.cfg:4: cpus: bad CPU list 'a' (expected e.g. \"0-3,5\")");
    expect_base_error("cpus = '1-'\n",
                      "guest.cfg:4: cpus: bad CPU list '1-' (expected e.g. \"0-3,5\")");
    expect_base_error("cpus = '1 2'\n",
                      "guest.cfg:4: cpus: bad CPU list '1 2' (expected e.g. \"0-3,5\")");
    expect_base_error("cpus = '70000'\n", "guest.cfg:4: cpus: bad CPU range in '70000'");
    expect_base_error("cpus = 'nodes:0'\n",
                      "guest.cfg:4: cpus: NUMA node affinity is not supported");
    expect_base_error("cpus = ''\n", "guest.cfg:4: cpus: must not be empty");
    /* A bare number is a one-CPU list. */
    assert_int_equal(parse_base("cpus = 2\n"), 0);
    assert_string_equal(cfg.cpus, "2");
}

/* Arm passthrough as xl.cfg(5) has it: irqs, a list of interrupt numbers; iomem, a list of
 * "START,PAGES[@GFN]" in hexadecimal, 1:1 without @GFN. */
static void passthrough_keys(void **state)
{
    assert_int_equal(parse_base("irqs = [ 34, 0x30, \"49\" ]\n"
                                "iomem = [ \"9010,1\", \"0x9020,2@3f000\", \"A0000,10@B0000\" ]\n"),
                     0);
    assert_string_equal(warnings, "");
    assert_int_equal(cfg.nr_irqs, 3);
    assert_int_equal(cfg.irqs[0], 34);
    assert_int_equal(cfg.irqs[1], 48);
    assert_int_equal(cfg.irqs[2], 49);
    assert_int_equal(cfg.nr_iomem, 3);
    assert_int_equal(cfg.iomem[0].start, 0x9010);
    assert_int_equal(cfg.iomem[0].pages, 1);
    assert_int_equal(cfg.iomem[0].gfn, 0x9010);
    assert_int_equal(cfg.iomem[1].start, 0x9020);
    assert_int_equal(cfg.iomem[1].pages, 2);
    assert_int_equal(cfg.iomem[1].gfn, 0x3f000);
    assert_int_equal(cfg.iomem[2].pages, 0x10);
    assert_int_equal(cfg.iomem[2].gfn, 0xb0000);
    /* Absent or empty: none. */
    assert_int_equal(parse_base("irqs = []\n"), 0);
    assert_int_equal(cfg.nr_irqs, 0);
    assert_int_equal(cfg.nr_iomem, 0);
    expect_base_error("irqs = 34\n", "guest.cfg:4: irqs: wants a list [ NUMBER, ... ]");
    expect_base_error("irqs = [ 34, -1 ]\n", "guest.cfg:4: irqs: '-1' is not an interrupt number");
    expect_base_error("irqs = [ 'x' ]\n", "guest.cfg:4: irqs: 'x' is not an interrupt number");
    expect_base_error("irqs = [ 4294967296 ]\n",
                      "guest.cfg:4: irqs: '4294967296' is not an interrupt number");
    expect_base_error("irqs = [ 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,"
                      "26,27,28,29,30,31,32,33 ]\n",
                      "guest.cfg:4: irqs: at most 32 interrupts");
    expect_base_error("iomem = \"9010,1\"\n",
                      "guest.cfg:4: iomem: wants a list [ \"START,PAGES[@GFN]\", ... ]");
    static const char *const bad[] = { "9010",     "9010,",           "9010,0",           ",1",
                                       "9010,1@",  "9010;1",          "9010,1x",          "g010,1",
                                       "9010,1@z", "fffffffffffff,1", "1,1@fffffffffffff" };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char extra[64], msg[160];
        snprintf(extra, sizeof(extra), "iomem = [ \"%s\" ]\n", bad[i]);
        snprintf(msg, sizeof(msg),
                 "guest.cfg:4: iomem: '%s' is not \"START,PAGES[@GFN]\" (page numbers in "
                 "hexadecimal, at least one page)",
                 bad[i]);
        expect_base_error(extra, msg);
    }
}

static void unknown_keys_warn(void **state)
{
    assert_int_equal(parse_base("maxmem = 1024\nvif = [ 'bridge=xenbr0' ]\n"), 0);
    assert_string_equal(warnings, "guest.cfg:4: maxmem: unknown key, ignored\n"
                                  "guest.cfg:5: vif: unknown key, ignored\n");
    assert_int_equal(xlcfg_find(&cfg, "maxmem")->line, 4);
    /* Without a callback, warnings are dropped silently. */
    xlcfg_free(&cfg);
    struct xlcfg_diag quiet = { 0 };
    const char *text = BASE "mystery = 1\n";
    assert_int_equal(xlcfg_parse_text(&cfg, text, strlen(text), "q.cfg", &quiet), 0);
    assert_string_equal(quiet.error, "");
}

static void booleans(void **state)
{
    bool b = true;
    assert_int_equal(parse_base("a = 0\nb = 1\nc = '1'\nd = 2\ne = 'yes'\nf = [1]\n"), 0);
    assert_int_equal(xlcfg_get_bool(&cfg, "a", true, &b, &diag), 0);
    assert_false(b);
    assert_int_equal(xlcfg_get_bool(&cfg, "b", false, &b, &diag), 0);
    assert_true(b);
    assert_int_equal(xlcfg_get_bool(&cfg, "c", false, &b, &diag), 0);
    assert_true(b);
    assert_int_equal(xlcfg_get_bool(&cfg, "absent", false, &b, &diag), 0);
    assert_false(b);
    assert_int_equal(xlcfg_get_bool(&cfg, "absent", true, &b, &diag), 0);
    assert_true(b);
    assert_int_equal(xlcfg_get_bool(&cfg, "d", false, &b, &diag), -1);
    assert_string_equal(diag.error, "guest.cfg:7: d: expected 0 or 1");
    assert_int_equal(xlcfg_get_bool(&cfg, "e", false, &b, &diag), -1);
    assert_string_equal(diag.error, "guest.cfg:8: e: expected 0 or 1");
    assert_int_equal(xlcfg_get_bool(&cfg, "f", false, &b, &diag), -1);
    assert_string_equal(diag.error, "guest.cfg:9: f: expected 0 or 1");
}

static void reads_files(void **state)
{
    char dir[] = "/tmp/xlcfg-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof(path), "%s/dom.cfg", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("name = \"filed\"\nmemory = 128\nkernel = \"Image\"\nvcpus = 'x'\n", f);
    fclose(f);

    xlcfg_free(&cfg);
    assert_int_equal(xlcfg_parse_file(&cfg, path, &diag), -1);
    char want[512];
    snprintf(want, sizeof(want), "%s:4: vcpus: expected an integer", path);
    assert_string_equal(diag.error, want);

    f = fopen(path, "w");
    fputs("name = \"filed\"\nmemory = 128\nkernel = \"Image\"\n", f);
    fclose(f);
    assert_int_equal(xlcfg_parse_file(&cfg, path, &diag), 0);
    snprintf(want, sizeof(want), "%s/Image", dir);
    assert_string_equal(cfg.kernel, want);
    assert_string_equal(cfg.file, path);
    xlcfg_free(&cfg);
    unlink(path);

    assert_int_equal(xlcfg_parse_file(&cfg, path, &diag), -1);
    snprintf(want, sizeof(want), "%s: cannot open: No such file or directory", path);
    assert_string_equal(diag.error, want);
    rmdir(dir);
}

static void free_is_idempotent(void **state)
{
    struct xlcfg c = { 0 };
    xlcfg_free(&c);
    xlcfg_free(&c);
    assert_null(c.name);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(minimal_file_gets_xl_defaults, teardown),
        cmocka_unit_test_teardown(every_key_set, teardown),
        cmocka_unit_test_teardown(comments_blank_lines_and_semicolons, teardown),
        cmocka_unit_test_teardown(crlf_line_endings, teardown),
        cmocka_unit_test_teardown(quoting_and_escapes, teardown),
        cmocka_unit_test_teardown(multi_line_lists, teardown),
        cmocka_unit_test_teardown(list_errors, teardown),
        cmocka_unit_test_teardown(duplicates_last_wins, teardown),
        cmocka_unit_test_teardown(append_operator, teardown),
        cmocka_unit_test_teardown(syntax_errors, teardown),
        cmocka_unit_test_teardown(required_keys, teardown),
        cmocka_unit_test_teardown(memory_values, teardown),
        cmocka_unit_test_teardown(numbers_are_strings_too, teardown),
        cmocka_unit_test_teardown(vcpus_values, teardown),
        cmocka_unit_test_teardown(relative_paths_follow_the_file, teardown),
        cmocka_unit_test_teardown(extra_cmdline_and_root, teardown),
        cmocka_unit_test_teardown(shutdown_actions, teardown),
        cmocka_unit_test_teardown(type_key, teardown),
        cmocka_unit_test_teardown(weight_and_cap, teardown),
        cmocka_unit_test_teardown(pool_key, teardown),
        cmocka_unit_test_teardown(xen_enhanced_key, teardown),
        cmocka_unit_test_teardown(control_domain_key, teardown),
        cmocka_unit_test_teardown(rtds_budget_and_period, teardown),
        cmocka_unit_test_teardown(cpu_pinning, teardown),
        cmocka_unit_test_teardown(passthrough_keys, teardown),
        cmocka_unit_test_teardown(unknown_keys_warn, teardown),
        cmocka_unit_test_teardown(booleans, teardown),
        cmocka_unit_test_teardown(reads_files, teardown),
        cmocka_unit_test(free_is_idempotent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
