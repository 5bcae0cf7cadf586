/* The guest's command line (/chosen/bootargs in its device tree) as "key=value" words. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* The value of "key=" (up to the next space), or NULL; *vlen = its length.  The value is not
 * NUL-terminated. */
const char *bootarg(const char *key, uint32_t *vlen);
/* Whether "key=want" is there. */
bool bootarg_is(const char *key, const char *want);
/* "key=N" as a decimal number (digits up to the first other character), or def. */
uint64_t bootarg_u64(const char *key, uint64_t def);
/* Whether word is one of the comma-separated items of "key=a,b,c". */
bool bootarg_has(const char *key, const char *word);
