/* SPDX-License-Identifier: Apache-2.0 */
/* ChaCha20 block function against RFC 8439 section 2.3.2's test vector, and the generator's
 * stream does not repeat. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <hyp/rng.h>

static void rfc8439_block(void **state)
{
    uint32_t key[8];
    uint8_t kb[32];
    for (int i = 0; i < 32; i++)
        kb[i] = (uint8_t)i;
    memcpy(key, kb, sizeof(key));
    static const uint8_t nb[12] = { 0, 0, 0, 9, 0, 0, 0, 0x4a, 0, 0, 0, 0 };
    uint32_t nonce[3];
    memcpy(nonce, nb, sizeof(nonce));
    static const uint8_t want[16] = { 0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15,
                                      0x50, 0x0f, 0xdd, 0x1f, 0xa3, 0x20, 0x71, 0xc4 };
    uint8_t out[64];
    chacha20_block(key, 1, nonce, out);
    assert_memory_equal(out, want, sizeof(want));
}

static void stream_differs(void **state)
{
    uint8_t a[100], b[100];
    rng_init("seed", 4);
    rng_bytes(a, sizeof(a));
    rng_bytes(b, sizeof(b));
    assert_memory_not_equal(a, b, sizeof(a));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc8439_block),
        cmocka_unit_test(stream_differs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
