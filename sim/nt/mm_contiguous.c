/*
 * sim/nt/mm_contiguous.c - physically contiguous memory
 * (MmAllocateContiguousMemorySpecifyCache, MmAllocateContiguousMemory,
 * MmFreeContiguousMemory, MmFreeContiguousMemorySpecifyCache): a run of
 * free frames of the domain's RAM in the caller's range, crossing no
 * boundary it names, at its place in guest memory (adjacent frames are
 * adjacent addresses there). Not zeroed, as on Windows: filled instead, so
 * reliance on zeros shows. Freed only by its own address, and by
 * MmFreeContiguousMemorySpecifyCache only with the size and cache type it
 * was allocated with; what an image still holds at its unload is reported.
 */
#include <stdlib.h>
#include <string.h>

#include "exports_impl.h"
#include "held.h"
#include "kernel.h"
#include "mm.h"
#include "os.h"
#include "os_posix.h"

struct contiguous {
    struct nt_held held; /* keyed by its address */
    size_t pages;
    uint64_t size;  /* as asked */
    uint32_t cache; /* as asked */
};

static struct nt_held_list blocks = NT_HELD_LIST_INIT;

static NT_EXPORT void *MmAllocateContiguousMemorySpecifyCache(uint64_t size, int64_t low,
                                                              int64_t high, int64_t boundary,
                                                              uint32_t cache)
{
    uint64_t caller = NT_CALLER, first_ok, last_ok, gfn;
    size_t pages = nt_mdl_pages_spanned(0, size);
    struct contiguous *c;
    uint8_t *va;

    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    if (size == 0 || (uint64_t)boundary % OS_PAGE_SIZE || (uint64_t)high < (uint64_t)low ||
        cache >= MmMaximumCacheType)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "%s(%llu bytes, low %#llx, high %#llx, boundary %#llx, cache %u)",
                         __func__, (unsigned long long)size, (unsigned long long)low,
                         (unsigned long long)high, (unsigned long long)boundary, cache);
    if ((boundary && size > (uint64_t)boundary) || nt_alloc_fails(__func__, caller) ||
        !nt_frame_range((uint64_t)low, (uint64_t)high, &first_ok, &last_ok))
        return NULL;
    c = malloc(sizeof(*c));
    if (c == NULL)
        return NULL;
    if (!os_posix_guest_run_take(first_ok, last_ok, pages, (uint64_t)boundary / OS_PAGE_SIZE,
                                 &gfn)) {
        free(c);
        return NULL;
    }
    va = os_posix_gfn_to_va(gfn);
    memset(va, NT_MM_FILL, pages * OS_PAGE_SIZE);
    c->pages = pages;
    c->size = size;
    c->cache = cache;
    nt_held_add(&blocks, &c->held, va, caller);
    return va;
}
NT_REGISTER(NTOSKRNL, MmAllocateContiguousMemorySpecifyCache);

static NT_EXPORT void *MmAllocateContiguousMemory(uint64_t size, int64_t high)
{
    return MmAllocateContiguousMemorySpecifyCache(size, 0, high, 0, MmCached);
}
NT_REGISTER(NTOSKRNL, MmAllocateContiguousMemory);

/*
 * The block at @va, freed; a verifier stop when there is none, or when
 * @specify (MmFreeContiguousMemorySpecifyCache) and it was allocated with
 * another @size or @cache.
 */
static void free_block(void *va, bool specify, uint64_t size, uint32_t cache, uint64_t caller,
                       const char *function)
{
    struct nt_held *held;
    struct contiguous *c;

    nt_require_irql(DISPATCH_LEVEL, caller, function);
    held = nt_held_take(&blocks, va);
    c = held ? nt_held_of(held, struct contiguous, held) : NULL;
    if (c == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "%s(%p): no contiguous memory allocated there (freed already?)", function,
                         va);
    if (specify && (size != c->size || cache != c->cache))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "%s(%p, %llu bytes, cache %u): it was allocated as %llu bytes, cache %u "
                         "(size and cache type must match)",
                         function, va, (unsigned long long)size, cache, (unsigned long long)c->size,
                         c->cache);
    os_pages_free(va, c->pages);
    free(c);
}

static NT_EXPORT void MmFreeContiguousMemory(void *va)
{
    free_block(va, false, 0, 0, NT_CALLER, __func__);
}
NT_REGISTER(NTOSKRNL, MmFreeContiguousMemory);

static NT_EXPORT void MmFreeContiguousMemorySpecifyCache(void *va, uint64_t size, uint32_t cache)
{
    free_block(va, true, size, cache, NT_CALLER, __func__);
}
NT_REGISTER(NTOSKRNL, MmFreeContiguousMemorySpecifyCache);

static uint64_t block_bytes(const struct nt_held *held)
{
    return nt_held_of(held, struct contiguous, held)->size;
}

bool nt_contiguous_holds(const void *va, uint64_t length)
{
    return nt_held_holds(&blocks, va, length, block_bytes);
}

static void print_leak(const struct nt_held *held, const char *caller)
{
    const struct contiguous *c = nt_held_of(held, struct contiguous, held);

    nt_log("mm: leaked %zu page(s) of contiguous memory at %p, allocated by %s\n", c->pages,
           held->key, caller);
}

size_t nt_contiguous_report_leaks(uint64_t image_base, uint64_t image_size)
{
    return nt_held_report(&blocks, image_base, image_size, print_leak);
}
