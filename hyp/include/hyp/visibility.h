/* SPDX-License-Identifier: Apache-2.0 */
/* Forced into every EL2 translation unit (mk/toolchain.mk): Keel is one static position-
 * independent image, so every symbol is local to it.  Declaring them hidden lets the compiler
 * use direct calls and PC-relative data accesses instead of loads through the GOT. */
#pragma GCC visibility push(hidden)
