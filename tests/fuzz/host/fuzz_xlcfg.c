/*
 * libFuzzer harness for the xl configuration parser (dom0/libxlcfg), which reads files users
 * and toolstacks write.  The input is the file's text (not NUL-terminated, in a buffer of
 * exactly its size); every key the library interprets is looked up afterwards.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../../dom0/libxlcfg/xlcfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ignore(void *ctx, const char *msg)
{
    (void)ctx;
    (void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const keys[] = { "name",    "memory", "vcpus", "kernel", "extra",
                                        "cmdline", "pool",   "cpus",  "vif",    "disk" };
    char *text = malloc(size ? size : 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    struct xlcfg cfg;
    struct xlcfg_diag diag = { ignore, NULL, { 0 } };
    memset(&cfg, 0, sizeof(cfg));
    if (xlcfg_parse_text(&cfg, text, size, "dir/fuzz.cfg", &diag) == 0) {
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
            (void)xlcfg_find(&cfg, keys[i]);
        bool b;
        (void)xlcfg_get_bool(&cfg, "vpl011", false, &b, &diag);
        (void)xlcfg_action_name(cfg.on_crash);
    } else if (!memchr(diag.error, 0, sizeof(diag.error))) {
        abort(); /* the message must be a terminated string */
    }
    xlcfg_free(&cfg);
    free(text);
    return 0;
}
