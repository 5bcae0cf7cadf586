/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xl configuration syntax: turns text into settings (key, line, value as written).  A key
 * assigned twice keeps the last value, as in xl; "+=" appends.  Statements end at a newline or
 * ';', '#' starts a comment, lists may span lines.  No global state; stops at the first error.
 */
#include "xlcfg_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum tok {
    T_EOF,
    T_NL,
    T_SEMI,
    T_EQ,
    T_PLUSEQ,
    T_LBRACK,
    T_RBRACK,
    T_COMMA,
    T_STRING,
    T_NUMBER,
    T_WORD
};

struct token {
    enum tok kind;
    unsigned line;
    char *text; /* STRING, NUMBER, WORD: owned by the token's receiver */
};

/* ---- diagnostics ---- */

static void vreport(char *out, size_t size, const char *file, unsigned line, const char *key,
                    const char *fmt, va_list ap)
{
    int n = line ? snprintf(out, size, "%s:%u: ", file, line) : snprintf(out, size, "%s: ", file);
    if (n < 0 || (size_t)n >= size)
        return;
    if (key) {
        int k = snprintf(out + n, size - (size_t)n, "%s: ", key);
        if (k < 0 || (size_t)(n + k) >= size)
            return;
        n += k;
    }
    vsnprintf(out + n, size - (size_t)n, fmt, ap);
}

int xlcfg_fail_at(struct parser *p, unsigned line, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(p->diag->error, sizeof(p->diag->error), p->file, line, key, fmt, ap);
    va_end(ap);
    return -1;
}

void xlcfg_warn_at(struct parser *p, unsigned line, const char *key, const char *fmt, ...)
{
    char msg[XLCFG_ERROR_MAX];
    va_list ap;
    if (!p->diag->warn)
        return;
    va_start(ap, fmt);
    vreport(msg, sizeof(msg), p->file, line, key, fmt, ap);
    va_end(ap);
    p->diag->warn(p->diag->ctx, msg);
}

static int fail_nomem(struct parser *p)
{
    return xlcfg_fail_at(p, 0, NULL, "out of memory");
}

/* ---- small helpers ---- */

static char *dup_range(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

char *xlcfg_strdup(const char *s)
{
    return dup_range(s, strlen(s));
}

struct buf {
    char *p;
    size_t len, cap;
};

static int buf_put(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 32;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np)
            return -1;
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
    return 0;
}

static int buf_putc(struct buf *b, char c)
{
    return buf_put(b, &c, 1);
}

void xlcfg_value_free(struct xlcfg_value *v)
{
    free(v->text);
    for (size_t i = 0; i < v->nr_items; i++)
        free(v->items[i]);
    free(v->items);
    memset(v, 0, sizeof(*v));
}

/* ---- lexer ---- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int is_word_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_word_char(char c)
{
    return is_word_start(c) || is_digit(c);
}

/* One escape after a backslash; p->s points past the backslash. */
static int lex_escape(struct parser *p, struct buf *b)
{
    static const char plain_from[] = "\\\"'ntrabfv";
    static const char plain_to[] = "\\\"'\n\t\r\a\b\f\v";
    if (p->s == p->end || *p->s == '\n')
        return xlcfg_fail_at(p, p->line, p->key, "unterminated string");
    char c = *p->s++;
    const char *hit = strchr(plain_from, c);
    int v = 0;
    if (hit && c) {
        v = (unsigned char)plain_to[hit - plain_from];
    } else if (c == 'x') {
        int digits = 0;
        while (digits < 2 && p->s < p->end && hexval(*p->s) >= 0)
            v = v * 16 + hexval(*p->s++), digits++;
        if (!digits)
            return xlcfg_fail_at(p, p->line, p->key, "'\\x' without hex digits in string");
    } else if (c >= '0' && c <= '7') {
        v = c - '0';
        for (int digits = 1; digits < 3 && p->s < p->end && *p->s >= '0' && *p->s <= '7'; digits++)
            v = v * 8 + (*p->s++ - '0');
    } else {
        return xlcfg_fail_at(p, p->line, p->key, "unknown escape '\\%c' in string", c);
    }
    if (v == 0 || v > 255)
        return xlcfg_fail_at(p, p->line, p->key, "escape gives a NUL or out-of-range byte");
    return buf_putc(b, (char)v) ? fail_nomem(p) : 0;
}

static int lex_string(struct parser *p, struct token *t)
{
    char quote = *p->s++;
    struct buf b = { 0 };
    if (buf_put(&b, "", 0))
        return fail_nomem(p);
    for (;;) {
        if (p->s == p->end || *p->s == '\n') {
            free(b.p);
            return xlcfg_fail_at(p, t->line, p->key, "unterminated string");
        }
        char c = *p->s++;
        if (c == quote)
            break;
        if (c == '\\') {
            if (lex_escape(p, &b)) {
                free(b.p);
                return -1;
            }
        } else if (buf_putc(&b, c)) {
            free(b.p);
            return fail_nomem(p);
        }
    }
    t->kind = T_STRING;
    t->text = b.p;
    return 0;
}

/* Decimal or 0x-hex integer with an optional sign; anything glued to it is an error. */
static int lex_number(struct parser *p, struct token *t)
{
    const char *start = p->s;
    if (*p->s == '-' || *p->s == '+')
        p->s++;
    while (p->s < p->end && (is_word_char(*p->s) || *p->s == '.'))
        p->s++;
    const char *d = start + (*start == '-' || *start == '+');
    size_t n = (size_t)(p->s - d);
    int ok = n > 0;
    if (n > 2 && d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) {
        for (size_t i = 2; i < n; i++)
            ok &= hexval(d[i]) >= 0;
    } else {
        for (size_t i = 0; i < n; i++)
            ok &= is_digit(d[i]);
    }
    if (!ok)
        return xlcfg_fail_at(p, t->line, p->key, "malformed number '%.*s'", (int)(p->s - start),
                             start);
    t->kind = T_NUMBER;
    t->text = dup_range(start, (size_t)(p->s - start));
    return t->text ? 0 : fail_nomem(p);
}

static int lex(struct parser *p, struct token *t)
{
    t->text = NULL;
    while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\r'))
        p->s++;
    if (p->s < p->end && *p->s == '#') /* a comment runs to the end of the line */
        while (p->s < p->end && *p->s != '\n')
            p->s++;
    t->line = p->line;
    if (p->s == p->end) {
        t->kind = T_EOF;
        return 0;
    }
    char c = *p->s;
    static const char singles[] = "\n;=[],";
    static const enum tok single_kinds[] = { T_NL, T_SEMI, T_EQ, T_LBRACK, T_RBRACK, T_COMMA };
    const char *hit = c ? strchr(singles, c) : NULL;
    if (hit) {
        p->s++;
        if (c == '\n')
            p->line++;
        t->kind = single_kinds[hit - singles];
        return 0;
    }
    if (c == '+' && p->s + 1 < p->end && p->s[1] == '=') {
        p->s += 2;
        t->kind = T_PLUSEQ;
        return 0;
    }
    if (c == '"' || c == '\'')
        return lex_string(p, t);
    if (is_digit(c) || ((c == '-' || c == '+') && p->s + 1 < p->end && is_digit(p->s[1])))
        return lex_number(p, t);
    if (is_word_start(c)) {
        const char *start = p->s;
        while (p->s < p->end && is_word_char(*p->s))
            p->s++;
        t->kind = T_WORD;
        t->text = dup_range(start, (size_t)(p->s - start));
        return t->text ? 0 : fail_nomem(p);
    }
    if (c == 0)
        return xlcfg_fail_at(p, p->line, p->key, "NUL byte in the file");
    if ((unsigned char)c < 0x20 || c == 0x7f)
        return xlcfg_fail_at(p, p->line, p->key, "unexpected control character 0x%02x",
                             (unsigned)c);
    return xlcfg_fail_at(p, p->line, p->key, "unexpected character '%c'", c);
}

/* ---- syntax ---- */

static const char *tok_name(enum tok k)
{
    static const char *const names[] = { "end of file", "end of line", "';'",   "'='",
                                         "'+='",        "'['",         "']'",   "','",
                                         "a string",    "a number",    "a word" };
    return names[k];
}

static int list_push(struct parser *p, struct xlcfg_value *v, char *item)
{
    char **items = realloc(v->items, (v->nr_items + 1) * sizeof(*items));
    if (!items) {
        free(item);
        return fail_nomem(p);
    }
    v->items = items;
    v->items[v->nr_items++] = item;
    return 0;
}

/* The next token that is not an end of line (lists may span lines). */
static int lex_skip_nl(struct parser *p, struct token *t)
{
    do {
        if (lex(p, t))
            return -1;
    } while (t->kind == T_NL);
    return 0;
}

static int parse_list(struct parser *p, unsigned open_line, struct xlcfg_value *v)
{
    struct token t;
    v->is_list = true;
    for (;;) {
        if (lex_skip_nl(p, &t))
            return -1;
        if (t.kind == T_RBRACK)
            return 0;
        if (t.kind == T_EOF)
            return xlcfg_fail_at(p, open_line, p->key, "unterminated list (no ']')");
        if (t.kind == T_LBRACK)
            return xlcfg_fail_at(p, t.line, p->key, "lists cannot be nested");
        if (t.kind == T_WORD) {
            xlcfg_fail_at(p, t.line, p->key, "unquoted word '%s' in list (strings need quotes)",
                          t.text);
            free(t.text);
            return -1;
        }
        if (t.kind != T_STRING && t.kind != T_NUMBER)
            return xlcfg_fail_at(p, t.line, p->key, "expected a list item, found %s",
                                 tok_name(t.kind));
        if (list_push(p, v, t.text))
            return -1;
        if (lex_skip_nl(p, &t))
            return -1;
        if (t.kind == T_RBRACK)
            return 0;
        if (t.kind == T_EOF)
            return xlcfg_fail_at(p, open_line, p->key, "unterminated list (no ']')");
        free(t.text);
        if (t.kind != T_COMMA)
            return xlcfg_fail_at(p, t.line, p->key, "expected ',' or ']' in list, found %s",
                                 tok_name(t.kind));
    }
}

static int parse_value(struct parser *p, struct xlcfg_value *v)
{
    struct token t;
    if (lex(p, &t))
        return -1;
    switch (t.kind) {
    case T_STRING:
    case T_NUMBER:
        v->quoted = t.kind == T_STRING;
        v->text = t.text;
        return 0;
    case T_LBRACK:
        return parse_list(p, t.line, v);
    case T_WORD:
        xlcfg_fail_at(p, t.line, p->key, "unquoted word '%s' (strings need quotes)", t.text);
        free(t.text);
        return -1;
    case T_EOF:
    case T_NL:
    case T_SEMI:
        return xlcfg_fail_at(p, t.line, p->key, "missing value");
    default:
        return xlcfg_fail_at(p, t.line, p->key, "expected a value, found %s", tok_name(t.kind));
    }
}

static struct xlcfg_setting *find_mut(struct xlcfg *cfg, const char *key)
{
    for (size_t i = 0; i < cfg->nr_settings; i++)
        if (!strcmp(cfg->settings[i].key, key))
            return &cfg->settings[i];
    return NULL;
}

/* "a += b": lists are concatenated, strings joined; anything else is a plain assignment. */
static int append_value(struct parser *p, struct xlcfg_setting *s, struct xlcfg_value *v,
                        unsigned line)
{
    if (s->value.is_list != v->is_list)
        return xlcfg_fail_at(p, line, s->key, "'+=' cannot mix a list and a single value");
    if (v->is_list) {
        for (size_t i = 0; i < v->nr_items; i++) {
            if (list_push(p, &s->value, v->items[i]))
                return -1;
            v->items[i] = NULL;
        }
    } else {
        struct buf b = { 0 };
        if (buf_put(&b, s->value.text, strlen(s->value.text)) ||
            buf_put(&b, v->text, strlen(v->text))) {
            free(b.p);
            return fail_nomem(p);
        }
        free(s->value.text);
        s->value.text = b.p;
        s->value.quoted = true;
    }
    xlcfg_value_free(v);
    s->line = line;
    return 0;
}

/* Takes ownership of key and v on success and on failure. */
static int store(struct parser *p, char *key, unsigned line, struct xlcfg_value *v, bool append)
{
    struct xlcfg *cfg = p->cfg;
    struct xlcfg_setting *s = find_mut(cfg, key);
    if (s && append) {
        int rc = append_value(p, s, v, line);
        xlcfg_value_free(v);
        free(key);
        return rc;
    }
    if (s) {
        free(key);
        xlcfg_value_free(&s->value);
        s->value = *v;
        s->line = line;
        return 0;
    }
    struct xlcfg_setting *ns = realloc(cfg->settings, (cfg->nr_settings + 1) * sizeof(*ns));
    if (!ns) {
        free(key);
        xlcfg_value_free(v);
        return fail_nomem(p);
    }
    cfg->settings = ns;
    cfg->settings[cfg->nr_settings++] = (struct xlcfg_setting){ key, line, *v };
    return 0;
}

static int parse_statement(struct parser *p, struct token *first)
{
    char *key = first->text;
    unsigned line = first->line;
    struct token t;
    struct xlcfg_value v = { 0 };
    p->key = key;
    if (lex(p, &t))
        goto fail;
    if (t.kind != T_EQ && t.kind != T_PLUSEQ) {
        free(t.text);
        xlcfg_fail_at(p, t.line, key, "expected '=' after the key, found %s", tok_name(t.kind));
        goto fail;
    }
    bool append = t.kind == T_PLUSEQ;
    if (parse_value(p, &v))
        goto fail;
    if (lex(p, &t))
        goto fail;
    if (t.kind != T_NL && t.kind != T_SEMI && t.kind != T_EOF) {
        free(t.text);
        xlcfg_fail_at(p, t.line, key, "expected the end of the line after the value, found %s",
                      tok_name(t.kind));
        goto fail;
    }
    p->key = NULL;
    return store(p, key, line, &v, append);
fail:
    xlcfg_value_free(&v);
    free(key);
    p->key = NULL;
    return -1;
}

int xlcfg_parse_syntax(struct parser *p)
{
    struct token t;
    for (;;) {
        if (lex(p, &t))
            return -1;
        if (t.kind == T_EOF)
            return 0;
        if (t.kind == T_NL || t.kind == T_SEMI)
            continue;
        if (t.kind != T_WORD) {
            free(t.text);
            return xlcfg_fail_at(p, t.line, NULL,
                                 "expected a key at the start of a statement, found %s",
                                 tok_name(t.kind));
        }
        if (parse_statement(p, &t))
            return -1;
    }
}
