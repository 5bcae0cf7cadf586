/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Random bytes for guests (their device tree's /chosen/rng-seed) and for Keel: a ChaCha20
 * stream (RFC 8439) keyed once from the boot device tree's /chosen/rng-seed (QEMU and most
 * boot loaders provide one) mixed with the counter.  Not for key material of Keel's own.
 */
#pragma once

#include <hyp/types.h>

/* Key the generator from seed (may be NULL/0 bytes: then only the counter is used). */
void rng_init(const void *seed, size_t len);
/* Fill buf with len bytes.  Any CPU (takes a lock). */
void rng_bytes(void *buf, size_t len);

/* One ChaCha20 block (RFC 8439 2.3): 64 bytes of keystream for key, counter, nonce. */
void chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3],
                    uint8_t out[64]);
