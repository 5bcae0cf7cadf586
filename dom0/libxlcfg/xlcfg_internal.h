/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared between the syntax pass (xlcfg_syntax.c) and the keys pass (xlcfg.c); not part of
 * the library's interface.
 */
#pragma once

#include "xlcfg.h"

#if defined(__GNUC__)
#define XLCFG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define XLCFG_PRINTF(f, a)
#endif

struct parser {
    const char *s, *end;
    unsigned line;
    const char *file; /* name in messages */
    const char *key;  /* key being parsed, for messages; NULL between statements */
    struct xlcfg *cfg;
    struct xlcfg_diag *diag;
};

/* Record the first error as "FILE:LINE: KEY: message" (line 0 and key NULL are left out);
 * always returns -1. */
int xlcfg_fail_at(struct parser *p, unsigned line, const char *key, const char *fmt, ...)
    XLCFG_PRINTF(4, 5);

/* Pass a warning in the same format to diag->warn, if set. */
void xlcfg_warn_at(struct parser *p, unsigned line, const char *key, const char *fmt, ...)
    XLCFG_PRINTF(4, 5);

/* A malloc'ed copy, or NULL when out of memory. */
char *xlcfg_strdup(const char *s);

void xlcfg_value_free(struct xlcfg_value *v);

/* Turn the text into p->cfg->settings.  Returns 0 or -1 with the error recorded. */
int xlcfg_parse_syntax(struct parser *p);
