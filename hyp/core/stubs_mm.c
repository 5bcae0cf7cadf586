/* TEMPORARY stand-ins until core/mm lands (page allocator, heap). */
#include <hyp/heap.h>
#include <hyp/page_alloc.h>

void page_alloc_init(void) {}
void *page_alloc(unsigned order) { return NULL; }
void *page_zalloc(unsigned order) { return NULL; }
void page_free(void *p, unsigned order) {}
void page_alloc_stats(struct page_stats *out) { out->total_pages = out->free_pages = 0; out->largest_free_order = 0; }
void heap_init(void) {}
