/*
 * os/nt/memory.c - non-paged pool and guest pages.
 *
 * ExAllocatePoolWithTag, not ExAllocatePool2, so the drivers load on
 * Windows releases before 10 2004 as well; memory is zeroed here instead.
 */
#include "os.h"

#define WINPV_POOL_TAG 'vPnW' /* shows as "WnPv" in pool tools */

void *os_alloc(size_t size)
{
    void *p = ExAllocatePoolWithTag(NonPagedPoolNx, size ? size : 1, WINPV_POOL_TAG);

    if (p)
        RtlZeroMemory(p, size);
    return p;
}

void os_free(void *p)
{
    if (p)
        ExFreePoolWithTag(p, WINPV_POOL_TAG);
}

/*
 * Pool allocations of a page or more start on a page boundary, and the
 * pages need not be physically contiguous: each is granted by its own frame.
 */
void *os_pages_alloc(size_t count, uint64_t *gfns)
{
    uint8_t *va;

    if (count == 0)
        return NULL;
    va = os_alloc(count * OS_PAGE_SIZE);
    if (va == NULL)
        return NULL;
    for (size_t i = 0; i < count; i++)
        gfns[i] = (uint64_t)MmGetPhysicalAddress(va + i * OS_PAGE_SIZE).QuadPart >> OS_PAGE_SHIFT;
    return va;
}

void os_pages_free(void *va, size_t count)
{
    os_free(va);
}

/* A frame outside our RAM: mapped cached, as Xen's shared pages are ordinary memory. */
void *os_map_gfn(uint64_t gfn)
{
    PHYSICAL_ADDRESS address;

    address.QuadPart = (LONGLONG)(gfn << OS_PAGE_SHIFT);
    return MmMapIoSpace(address, OS_PAGE_SIZE, MmCached);
}

void os_unmap_gfn(void *va)
{
    if (va)
        MmUnmapIoSpace(va, OS_PAGE_SIZE);
}

/*
 * Pages the memory manager can spare, one MDL per set: it gives fewer (or
 * none) rather than take what Windows needs. Not zeroed: their contents go
 * to Xen, which scrubs a page before anyone else gets it.
 */
struct os_balloon_pages *os_balloon_pages_take(size_t count, uint64_t *gfns, size_t *taken)
{
    PHYSICAL_ADDRESS low, high, skip;
    PFN_NUMBER *pfns;
    MDL *mdl;

    *taken = 0;
    if (count == 0)
        return NULL;
    low.QuadPart = 0;
    high.QuadPart = -1;
    skip.QuadPart = 0;
    mdl = MmAllocatePagesForMdlEx(low, high, skip, (SIZE_T)count * OS_PAGE_SIZE, MmCached,
                                  MM_DONT_ZERO_ALLOCATION);
    if (mdl == NULL)
        return NULL;
    pfns = MmGetMdlPfnArray(mdl);
    *taken = MmGetMdlByteCount(mdl) / OS_PAGE_SIZE;
    for (size_t i = 0; i < *taken; i++)
        gfns[i] = pfns[i];
    return (struct os_balloon_pages *)mdl;
}

void os_balloon_pages_give(struct os_balloon_pages *pages)
{
    MDL *mdl = (MDL *)pages;

    MmFreePagesFromMdl(mdl);
    ExFreePool(mdl);
}
