/* SPDX-License-Identifier: Apache-2.0 */
/* Command-line word lookup.  Pure functions over a caller-owned string. */
#include <hyp/cmdline.h>
#include <hyp/errno.h>
#include <hyp/string.h>

bool cmdline_next(const char *cmdline, const char *name, const char **pos, const char **val,
                  size_t *len)
{
    const char *s = *pos ? *pos : cmdline;
    size_t nlen = strlen(name);
    while (s && *s) {
        while (*s == ' ' || *s == '\t')
            s++;
        const char *w = s;
        while (*s && *s != ' ' && *s != '\t')
            s++;
        size_t wlen = (size_t)(s - w);
        if (wlen >= nlen && !strncmp(w, name, nlen) && (wlen == nlen || w[nlen] == '=')) {
            const char *v = wlen == nlen ? w + nlen : w + nlen + 1;
            if (val)
                *val = v;
            if (len)
                *len = (size_t)(s - v);
            *pos = s;
            return true;
        }
    }
    *pos = s;
    return false;
}

bool cmdline_get(const char *cmdline, const char *name, const char **val, size_t *len)
{
    /* The last occurrence wins, as on Xen's and Linux's command lines. */
    const char *pos = NULL, *v, *last = NULL;
    size_t l = 0, last_len = 0;
    while (cmdline_next(cmdline, name, &pos, &v, &l)) {
        last = v;
        last_len = l;
    }
    if (!last)
        return false;
    if (val)
        *val = last;
    if (len)
        *len = last_len;
    return true;
}

bool cmdline_has(const char *cmdline, const char *name)
{
    return cmdline_get(cmdline, name, NULL, NULL);
}

uint64_t cmdline_u64(const char *cmdline, const char *name, uint64_t def)
{
    const char *v;
    size_t len;
    uint64_t out;
    if (!cmdline_get(cmdline, name, &v, &len) || parse_u64(v, len, true, &out))
        return def;
    return out;
}

bool cmdline_is(const char *cmdline, const char *name, const char *want)
{
    const char *v;
    size_t len;
    return cmdline_get(cmdline, name, &v, &len) && len == strlen(want) && !strncmp(v, want, len);
}

/* Whether the len bytes at v are one of the words in list (NULL-terminated). */
static bool word_in(const char *v, size_t len, const char *const *list)
{
    for (; *list; list++)
        if (strlen(*list) == len && !strncmp(v, *list, len))
            return true;
    return false;
}

int cmdline_bool(const char *cmdline, const char *name, int def)
{
    static const char *const on[] = { "1", "yes", "true", "on", "enable", NULL };
    static const char *const off[] = { "0", "no", "false", "off", "disable", NULL };
    const char *v;
    size_t len;
    if (!cmdline_get(cmdline, name, &v, &len))
        return def;
    /* A bare word's value starts right after the name; "name=" has an empty one. */
    if ((!len && v[-1] != '=') || word_in(v, len, on))
        return 1;
    return word_in(v, len, off) ? 0 : -EINVAL;
}
