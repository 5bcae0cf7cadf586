/* The guest's command line (/chosen/bootargs): "key=value" words separated by spaces. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* The value of "key=" (up to the next space), or NULL; *vlen = its length. */
const char *bootarg(const char *key, uint32_t *vlen);
/* Whether "key=" is given with exactly the value want. */
bool bootarg_is(const char *key, const char *want);
/* The decimal number after "key=", or def if the key is absent or has no digits. */
uint64_t bootarg_u64(const char *key, uint64_t def);
/* Whether word is one of the comma-separated items of "key=a,b,c". */
bool bootarg_has(const char *key, const char *word);
