/* SPDX-License-Identifier: Apache-2.0 */
/* Number parsing for command lines and device-tree strings.  Pure function. */
#include <hyp/errno.h>
#include <hyp/string.h>

int parse_u64(const char *s, size_t len, bool suffix, uint64_t *out)
{
    unsigned base = 10;
    uint64_t v = 0;
    size_t i = 0;
    if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    }
    size_t first = i;
    for (; i < len; i++) {
        unsigned d;
        char c = s[i];
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            break;
        if (v > (UINT64_MAX - d) / base)
            return -ERANGE;
        v = v * base + d;
    }
    if (i == first)
        return -EINVAL; /* no digits: "", "0x", and a bare suffix such as "K" */
    if (i < len && suffix && i + 1 == len) {
        unsigned shift = 0;
        switch (s[i]) {
        case 'k':
        case 'K':
            shift = 10;
            break;
        case 'm':
        case 'M':
            shift = 20;
            break;
        case 'g':
        case 'G':
            shift = 30;
            break;
        default:
            return -EINVAL;
        }
        if (v > (UINT64_MAX >> shift))
            return -ERANGE;
        v <<= shift;
        i++;
    }
    if (i != len)
        return -EINVAL;
    *out = v;
    return 0;
}
