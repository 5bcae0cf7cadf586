/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Random bytes: ChaCha20 (RFC 8439) in counter mode over a key set once at boot from the boot
 * device tree's rng-seed and the counter.  rng_lock serialises the stream position.
 */
#include <hyp/arch/cpu.h>
#include <hyp/rng.h>
#include <hyp/spinlock.h>
#include <hyp/string.h>

static uint32_t key[8];
static uint32_t nonce[3];
static uint32_t block_counter;
static struct spinlock rng_lock = SPINLOCK_INIT;

static inline uint32_t rotl(uint32_t v, unsigned n)
{
    return v << n | v >> (32 - n);
}

#define QR(a, b, c, d)                                                                             \
    do {                                                                                           \
        a += b;                                                                                    \
        d ^= a;                                                                                    \
        d = rotl(d, 16);                                                                           \
        c += d;                                                                                    \
        b ^= c;                                                                                    \
        b = rotl(b, 12);                                                                           \
        a += b;                                                                                    \
        d ^= a;                                                                                    \
        d = rotl(d, 8);                                                                            \
        c += d;                                                                                    \
        b ^= c;                                                                                    \
        b = rotl(b, 7);                                                                            \
    } while (0)

void chacha20_block(const uint32_t k[8], uint32_t counter, const uint32_t n[3], uint8_t out[64])
{
    uint32_t in[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574, k[0],    k[1], k[2], k[3],
                        k[4],       k[5],       k[6],       k[7],       counter, n[0], n[1], n[2] };
    uint32_t x[16];
    memcpy(x, in, sizeof(x));
    for (int i = 0; i < 10; i++) {
        QR(x[0], x[4], x[8], x[12]);
        QR(x[1], x[5], x[9], x[13]);
        QR(x[2], x[6], x[10], x[14]);
        QR(x[3], x[7], x[11], x[15]);
        QR(x[0], x[5], x[10], x[15]);
        QR(x[1], x[6], x[11], x[12]);
        QR(x[2], x[7], x[8], x[13]);
        QR(x[3], x[4], x[9], x[14]);
    }
    for (int i = 0; i < 16; i++) {
        uint32_t v = x[i] + in[i];
        out[4 * i] = (uint8_t)v;
        out[4 * i + 1] = (uint8_t)(v >> 8);
        out[4 * i + 2] = (uint8_t)(v >> 16);
        out[4 * i + 3] = (uint8_t)(v >> 24);
    }
}

void rng_init(const void *seed, size_t len)
{
    /* Fold the seed into the key: each seed byte perturbs one key byte, then one ChaCha20
     * block over the folded key (with the counter as nonce) becomes the real key. */
    uint8_t k[32] = { 0 };
    const uint8_t *s = seed;
    for (size_t i = 0; s && i < len; i++)
        k[i % 32] = (uint8_t)(k[i % 32] * 31 + s[i]);
    uint64_t c = arch_counter();
    uint32_t n[3] = { (uint32_t)c, (uint32_t)(c >> 32), (uint32_t)len };
    uint32_t kw[8];
    memcpy(kw, k, sizeof(kw));
    uint8_t block[64];
    chacha20_block(kw, 0, n, block);
    memcpy(key, block, sizeof(key));
    memcpy(nonce, block + 32, sizeof(nonce));
    block_counter = 1;
}

void rng_bytes(void *buf, size_t len)
{
    uint8_t *b = buf;
    unsigned long flags = spin_lock_irqsave(&rng_lock);
    while (len) {
        uint8_t block[64];
        chacha20_block(key, block_counter++, nonce, block);
        size_t n = MIN(len, sizeof(block));
        memcpy(b, block, n);
        b += n;
        len -= n;
    }
    spin_unlock_irqrestore(&rng_lock, flags);
}
