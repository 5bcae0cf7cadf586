/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hyp/lib/fmt.c under keel_ names, so test_fmt can link it next to the host C library and
 * compare the two snprintf implementations.  Listed in UNIT_DEPS_fmt for rebuilds.
 */
#define vsnprintf keel_vsnprintf
#define snprintf keel_snprintf
#include "../../hyp/lib/fmt.c"
