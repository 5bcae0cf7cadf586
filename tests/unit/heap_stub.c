/* SPDX-License-Identifier: Apache-2.0 */
/* The heap for unit tests whose code under test allocates but does not test the heap: the C
 * library's, zeroed where Keel's is. */
#include <stdlib.h>
#include <hyp/heap.h>

void *heap_zalloc(size_t size)
{
    return calloc(1, size);
}

void heap_free(void *p)
{
    free(p);
}
