/* SPDX-License-Identifier: Apache-2.0 */
/* printf-style formatting into a bounded buffer, following C11 7.21.6.1 for what it supports
 * (including '#').  No floating point (EL2 code never touches FP/SIMD registers), no %n.
 * Widths and precisions saturate at FIELD_MAX. */
#include <hyp/string.h>

struct out {
    char *buf;
    size_t size;
    size_t len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

/* F_PTR: %p, whose 0x prefix is unconditional (for '#', zero has none). */
enum { F_LEFT = 1, F_ZERO = 2, F_PLUS = 4, F_SPACE = 8, F_ALT = 16, F_PTR = 32 };

/* Far beyond any real use; keeps width and precision arithmetic free of int overflow. */
#define FIELD_MAX 4096

static void put_padded(struct out *o, const char *s, size_t n, const char *prefix, int width,
                       unsigned flags, int zeros)
{
    size_t plen = strlen(prefix);
    int pad = width - (int)(n + plen + (size_t)zeros);
    if (!(flags & F_LEFT))
        while (pad-- > 0)
            put(o, ' ');
    while (*prefix)
        put(o, *prefix++);
    while (zeros-- > 0)
        put(o, '0');
    for (size_t i = 0; i < n; i++)
        put(o, s[i]);
    if (flags & F_LEFT)
        while (pad-- > 0)
            put(o, ' ');
}

static void put_number(struct out *o, uint64_t v, bool neg, unsigned base, bool upper, int width,
                       int prec, unsigned flags)
{
    char tmp[24];
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    size_t n = 0;
    bool zero = v == 0;
    do {
        tmp[sizeof(tmp) - 1 - n++] = digits[v % base];
        v /= base;
    } while (v);
    if (prec == 0 && n == 1 && tmp[sizeof(tmp) - 1] == '0')
        n = 0;
    const char *prefix = neg ? "-" : (flags & F_PLUS) ? "+" : (flags & F_SPACE) ? " " : "";
    if (((flags & F_ALT) && base == 16 && !zero) || (flags & F_PTR))
        prefix = upper ? "0X" : "0x";
    int zeros = prec > (int)n ? prec - (int)n : 0;
    if ((flags & F_ZERO) && !(flags & F_LEFT) && prec < 0) {
        int room = width - (int)(n + strlen(prefix));
        zeros = room > 0 ? room : 0;
    }
    /* '#' with 'o' raises the precision just enough for the first digit to be 0. */
    if ((flags & F_ALT) && base == 8 && zeros == 0 && (n == 0 || tmp[sizeof(tmp) - n] != '0'))
        zeros = 1;
    put_padded(o, tmp + sizeof(tmp) - n, n, prefix, width, flags, zeros);
}

static int parse_field(const char **fmt)
{
    int v = 0;
    for (; **fmt >= '0' && **fmt <= '9'; (*fmt)++)
        v = MIN(v * 10 + (**fmt - '0'), FIELD_MAX);
    return v;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        fmt++;
        unsigned flags = 0;
        for (;; fmt++) {
            if (*fmt == '-')
                flags |= F_LEFT;
            else if (*fmt == '0')
                flags |= F_ZERO;
            else if (*fmt == '+')
                flags |= F_PLUS;
            else if (*fmt == ' ')
                flags |= F_SPACE;
            else if (*fmt == '#')
                flags |= F_ALT;
            else
                break;
        }
        int width = 0, prec = -1;
        if (*fmt == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                flags |= F_LEFT; /* written so that INT_MIN is not negated */
                width = width < -FIELD_MAX ? FIELD_MAX : -width;
            }
            width = MIN(width, FIELD_MAX);
            fmt++;
        } else {
            width = parse_field(&fmt);
        }
        if (*fmt == '.') {
            fmt++;
            if (*fmt == '*') {
                prec = va_arg(ap, int); /* negative: as if omitted */
                prec = MIN(prec, FIELD_MAX);
                fmt++;
            } else {
                prec = parse_field(&fmt);
            }
        }
        int lng = 0; /* 0 int, 1 long, 2 long long/size/ptrdiff/intmax, -1 short, -2 char */
        for (;; fmt++) {
            if (*fmt == 'l')
                lng++;
            else if (*fmt == 'h')
                lng--;
            else if (*fmt == 'z' || *fmt == 't' || *fmt == 'j')
                lng = 2;
            else
                break;
        }
        char c = *fmt;
        if (!c)
            break;
        uint64_t u;
        int64_t s;
        switch (c) {
        case 'd':
        case 'i':
            s = lng >= 1 ? va_arg(ap, long) : va_arg(ap, int);
            if (lng == -1)
                s = (short)s;
            if (lng <= -2)
                s = (signed char)s;
            put_number(&o, s < 0 ? (uint64_t)0 - (uint64_t)s : (uint64_t)s, s < 0, 10, false, width,
                       prec, flags);
            break;
        case 'u':
        case 'x':
        case 'X':
        case 'o':
            u = lng >= 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
            if (lng == -1)
                u = (unsigned short)u;
            if (lng <= -2)
                u = (unsigned char)u;
            /* '+' and ' ' are for signed conversions only. */
            put_number(&o, u, false,
                       c == 'u'   ? 10
                       : c == 'o' ? 8
                                  : 16,
                       c == 'X', width, prec, flags & ~(unsigned)(F_PLUS | F_SPACE));
            break;
        case 'p':
            put_number(&o, (uintptr_t)va_arg(ap, void *), false, 16, false, width, prec,
                       (flags & ~(unsigned)(F_PLUS | F_SPACE)) | F_PTR);
            break;
        case 'c': {
            char ch = (char)va_arg(ap, int);
            put_padded(&o, &ch, 1, "", width, flags, 0);
            break;
        }
        case 's': {
            const char *str = va_arg(ap, const char *);
            if (!str)
                str = "(null)";
            size_t n = prec >= 0 ? strnlen(str, (size_t)prec) : strlen(str);
            put_padded(&o, str, n, "", width, flags, 0);
            break;
        }
        case '%':
            put(&o, '%');
            break;
        default:
            put(&o, '%');
            put(&o, c);
            break;
        }
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = 0;
    return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
