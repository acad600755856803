/*
 * sim/nt/mm_iospace.c - MmMapIoSpace and MmUnmapIoSpace: physical
 * addresses (guest frames outside the driver's own pool: Xen's shared pages,
 * the toolstack's rings) mapped for a driver.
 *
 * Every guest frame is already mapped in this process at its place in the
 * domain's memory, so a mapping is that address; what the kernel adds is
 * the bookkeeping Windows's checks rely on: an unmap must name a mapping
 * with its size, and mappings an image leaves at unload are reported.
 * Limitation: a use after unmap is not caught (the address stays valid).
 */
#include <stdlib.h>

#include "exports_impl.h"
#include "kernel.h"
#include "mm.h"
#include "os.h"
#include "os_posix.h"

struct mapping {
    struct mapping *next;
    void *va;
    uint64_t size;
    uint64_t caller;
};

static pthread_mutex_t mappings_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mapping *mappings;

static NT_EXPORT void *MmMapIoSpace(int64_t physical, uint64_t size, uint32_t cache_type)
{
    uint64_t caller = NT_CALLER;
    uint64_t first = (uint64_t)physical / OS_PAGE_SIZE;
    uint64_t last = ((uint64_t)physical + size - 1) / OS_PAGE_SIZE;
    struct mapping *m;
    uint8_t *va;

    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    if (physical < 0 || size == 0)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "MmMapIoSpace(%#llx, %llu)",
                         (unsigned long long)physical, (unsigned long long)size);
    va = os_posix_gfn_to_va(first);
    if (va == NULL || os_posix_gfn_to_va(last) == NULL)
        return NULL; /* no such physical memory */
    m = calloc(1, sizeof(*m));
    if (m == NULL)
        return NULL;
    m->va = va + (uint64_t)physical % OS_PAGE_SIZE;
    m->size = size;
    m->caller = caller;
    pthread_mutex_lock(&mappings_lock);
    m->next = mappings;
    mappings = m;
    pthread_mutex_unlock(&mappings_lock);
    return m->va;
}
NT_REGISTER(NTOSKRNL, MmMapIoSpace);

static NT_EXPORT void MmUnmapIoSpace(void *va, uint64_t size)
{
    uint64_t caller = NT_CALLER;
    struct mapping **p, *m = NULL;

    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    pthread_mutex_lock(&mappings_lock);
    for (p = &mappings; *p; p = &(*p)->next) {
        if ((*p)->va == va && (*p)->size == size) {
            m = *p;
            *p = m->next;
            break;
        }
    }
    pthread_mutex_unlock(&mappings_lock);
    if (m == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "MmUnmapIoSpace(%p, %llu): no such mapping",
                         va, (unsigned long long)size);
    free(m);
}
NT_REGISTER(NTOSKRNL, MmUnmapIoSpace);

bool nt_iospace_holds(const void *va, uint64_t length)
{
    bool held = false;

    pthread_mutex_lock(&mappings_lock);
    for (struct mapping *m = mappings; m && !held; m = m->next)
        held = nt_range_within(va, length, m->va, m->size);
    pthread_mutex_unlock(&mappings_lock);
    return held;
}

size_t nt_iospace_report_leaks(uint64_t image_base, uint64_t image_size)
{
    char where[1200];
    size_t leaks = 0;

    pthread_mutex_lock(&mappings_lock);
    for (struct mapping *m = mappings; m; m = m->next) {
        if (m->caller < image_base || m->caller >= image_base + image_size)
            continue;
        nt_describe_address(m->caller, where, sizeof(where));
        nt_log("mm: %llu bytes of I/O space still mapped at %p, mapped by %s\n",
               (unsigned long long)m->size, m->va, where);
        leaks++;
    }
    pthread_mutex_unlock(&mappings_lock);
    return leaks;
}
