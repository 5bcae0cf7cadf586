/* Command-line word lookup.  Pure functions over a caller-owned string. */
#include <hyp/cmdline.h>
#include <hyp/string.h>

bool cmdline_get(const char *cmdline, const char *name, const char **val, size_t *len)
{
    const char *s = cmdline;
    size_t nlen = strlen(name);
    bool found = false;
    /* The last occurrence wins, as on Xen's and Linux's command lines. */
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
            found = true;
        }
    }
    return found;
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
