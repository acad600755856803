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
