/* SPDX-License-Identifier: Apache-2.0 */
/*
 * X keysym to Linux key code.  Keysym values from X11's keysymdef.h (Latin-1 keysyms equal
 * their character codes; function keys are 0xff..); key codes from Linux's
 * include/uapi/linux/input-event-codes.h.  Upper and lower case map to the same key: a client
 * sends Shift as a key of its own.
 */
#include "keysym.h"

#include <stddef.h>

static const uint8_t letters[26] = { 30, 48, 46, 32, 18, 33, 34, 35, 23, 36, 37, 38, 50,
                                     49, 24, 25, 16, 19, 31, 20, 22, 47, 17, 45, 21, 44 };

static const struct {
    uint16_t keysym;
    uint8_t key;
} others[] = {
    { ' ', 57 },     { '-', 12 },     { '=', 13 },     { '[', 26 },     { ']', 27 },
    { ';', 39 },     { '\'', 40 },    { '`', 41 },     { '\\', 43 },    { ',', 51 },
    { '.', 52 },     { '/', 53 },     { 0xff08, 14 },  { 0xff09, 15 },  { 0xff0d, 28 },
    { 0xff1b, 1 },   { 0xffff, 111 }, { 0xff50, 102 }, { 0xff51, 105 }, { 0xff52, 103 },
    { 0xff53, 106 }, { 0xff54, 108 }, { 0xff55, 104 }, { 0xff56, 109 }, { 0xff57, 107 },
    { 0xffe1, 42 },  { 0xffe2, 54 },  { 0xffe3, 29 },  { 0xffe4, 97 },  { 0xffe9, 56 },
    { 0xffea, 100 },
};

uint32_t keysym_to_key(uint32_t keysym)
{
    if (keysym >= 'a' && keysym <= 'z')
        return letters[keysym - 'a'];
    if (keysym >= 'A' && keysym <= 'Z')
        return letters[keysym - 'A'];
    if (keysym >= '1' && keysym <= '9')
        return 2 + (keysym - '1');
    if (keysym == '0')
        return 11;
    if (keysym >= 0xffbe && keysym <= 0xffc7) /* F1..F10 */
        return 59 + (keysym - 0xffbe);
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
        if (others[i].keysym == keysym)
            return others[i].key;
    return 0;
}
