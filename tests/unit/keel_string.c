/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hyp/lib/string.c under keel_ names: its memcpy, strlen etc. would otherwise replace the host
 * C library's for the whole test binary, cmocka and the sanitizers included.  Listed in
 * UNIT_DEPS_string for rebuilds.
 */
#define memcpy keel_memcpy
#define memmove keel_memmove
#define memset keel_memset
#define memcmp keel_memcmp
#define strlen keel_strlen
#define strnlen keel_strnlen
#define strcmp keel_strcmp
#define strncmp keel_strncmp
#define strchr keel_strchr
#define strlcpy keel_strlcpy
#include "../../hyp/lib/string.c"
