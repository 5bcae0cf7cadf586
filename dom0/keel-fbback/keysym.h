/* SPDX-License-Identifier: Apache-2.0 */
/* X keysyms (what RFB key events carry, RFC 6143 7.5.4) to Linux input key codes, for a US
 * keyboard layout: letters, digits, the common punctuation and editing keys.  Pure. */
#pragma once

#include <stdint.h>

/* The Linux KEY_* code of keysym, or 0 if it has none here. */
uint32_t keysym_to_key(uint32_t keysym);
