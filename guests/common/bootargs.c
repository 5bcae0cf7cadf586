/* Reading the guest's command line from the device tree (/chosen/bootargs). */
#include "bootargs.h"
#include "arm.h"
#include "fdt.h"

const char *bootarg(const char *key, uint32_t *vlen)
{
    struct fdt_node n;
    uint32_t len;
    size_t klen = strlen(key);
    if (!fdt_find_name("chosen", 1, &n))
        return NULL;
    const char *args = fdt_getprop(&n, "bootargs", &len);
    for (uint32_t i = 0; args && i + klen + 1 < len; i++) {
        if ((i == 0 || args[i - 1] == ' ') && !strncmp(args + i, key, klen) &&
            args[i + klen] == '=') {
            const char *v = args + i + klen + 1;
            uint32_t j = 0;
            while (i + klen + 1 + j < len && v[j] && v[j] != ' ')
                j++;
            *vlen = j;
            return v;
        }
    }
    return NULL;
}

bool bootarg_is(const char *key, const char *want)
{
    uint32_t len;
    const char *v = bootarg(key, &len);
    return v && len == strlen(want) && !strncmp(v, want, len);
}

uint64_t bootarg_u64(const char *key, uint64_t def)
{
    uint32_t len;
    const char *v = bootarg(key, &len);
    if (!v || !len || v[0] < '0' || v[0] > '9')
        return def;
    uint64_t x = 0;
    for (uint32_t j = 0; j < len && v[j] >= '0' && v[j] <= '9'; j++)
        x = x * 10 + (uint64_t)(v[j] - '0');
    return x;
}

bool bootarg_has(const char *key, const char *word)
{
    uint32_t len;
    const char *v = bootarg(key, &len);
    size_t wlen = strlen(word);
    for (uint32_t i = 0; v && i + wlen <= len; i++) {
        if ((i == 0 || v[i - 1] == ',') && !strncmp(v + i, word, wlen) &&
            (i + wlen == len || v[i + wlen] == ','))
            return true;
    }
    return false;
}
