/*
 * sim/nt/mm_map.c - MmMapLockedPagesSpecifyCache and MmUnmapLockedPages:
 * the frames of a locked MDL mapped at one system address, in kernel mode.
 *
 * Every guest frame is mapped in this process at its place in the
 * domain's memory, a shared mapping of the domain's file; a mapping here is
 * a fresh range of addresses showing those same pages in the MDL's order
 * (mremap of each page, old size 0), so the frames need not be adjacent
 * and a write through it is a write to the frame. An unmapped range is
 * gone: a use after MmUnmapLockedPages faults as on Windows.
 * MmGetPhysicalAddress of an address in a mapping gives its frame.
 *
 * A mapping asked with MdlMappingNoWrite is read-only, so a write through
 * it faults as on Windows 8 and later. No mapping is executable, whether
 * or not MdlMappingNoExecute was asked: code run from one faults, as
 * under HVCI (Windows without it would run it).
 *
 * MmGetSystemAddressForMdlSafe is a macro over these: it calls the
 * function only for an MDL not mapped yet and not built for nonpaged pool.
 */
#include <stdlib.h>
#include <sys/mman.h>

#include "exports_impl.h"
#include "held.h"
#include "kernel.h"
#include "mm.h"
#include "os.h"
#include "os_posix.h"

struct mapping {
    struct nt_held held; /* keyed by the address the driver got */
    uint8_t *base;       /* the first page */
    size_t pages;
    uint64_t bytes; /* the MDL's ByteCount when mapped: what the driver's address shows */
    MDL *mdl;
    uint64_t gfns[]; /* the frames shown, in order */
};

static struct nt_held_list mappings = NT_HELD_LIST_INIT;

/*
 * The pages of @gfns one after the other at fresh addresses with
 * protection @prot, or NULL (the frame without memory in *@bad).
 */
static uint8_t *alias(const uint64_t *gfns, size_t pages, int prot, uint64_t *bad)
{
    uint8_t *base = mmap(NULL, pages * OS_PAGE_SIZE, PROT_NONE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

    if (base == MAP_FAILED)
        return NULL;
    for (size_t i = 0; i < pages; i++) {
        void *frame = os_posix_gfn_to_va(gfns[i]);

        if (frame == NULL || mremap(frame, 0, OS_PAGE_SIZE, MREMAP_MAYMOVE | MREMAP_FIXED,
                                    base + i * OS_PAGE_SIZE) == MAP_FAILED) {
            *bad = gfns[i];
            munmap(base, pages * OS_PAGE_SIZE);
            return NULL;
        }
    }
    /* Each page came with its frame's protection (an image's code is not writable): set ours. */
    if (mprotect(base, pages * OS_PAGE_SIZE, prot) != 0) {
        munmap(base, pages * OS_PAGE_SIZE);
        return NULL;
    }
    return base;
}

static void check_mappable(const MDL *mdl, int8_t mode, uint32_t cache, uint32_t bugcheck,
                           uint32_t priority, uint64_t caller)
{
    const char *wrong = NULL;

    if (mode != KernelMode)
        wrong = "a user-mode mapping (no user space is simulated)";
    else if (cache >= MmMaximumCacheType || bugcheck ||
             (priority & ~(MdlMappingNoWrite | MdlMappingNoExecute)) > HighPagePriority)
        wrong = "a cache type, priority, and BugCheckOnFailure FALSE as drivers must pass";
    else if (mdl == NULL)
        wrong = "no MDL";
    else if (mdl->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL)
        wrong = "an MDL built for nonpaged pool (mapped already: MappedSystemVa)";
    else if (mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA)
        wrong = "an MDL mapped already";
    else if (!(mdl->MdlFlags & MDL_PAGES_LOCKED))
        wrong = "an MDL whose pages are not locked";
    if (wrong)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "MmMapLockedPagesSpecifyCache(%p, mode %d, cache %u, priority %#x): %s",
                         (const void *)mdl, mode, cache, priority, wrong);
}

static NT_EXPORT void *MmMapLockedPagesSpecifyCache(MDL *mdl, int8_t mode, uint32_t cache,
                                                    void *requested, uint32_t bugcheck,
                                                    uint32_t priority)
{
    uint64_t caller = NT_CALLER, bad = 0;
    int prot = priority & MdlMappingNoWrite ? PROT_READ : PROT_READ | PROT_WRITE;
    struct mapping *m;
    size_t pages;

    nt_require_irql(mode == KernelMode ? DISPATCH_LEVEL : APC_LEVEL, caller, __func__);
    check_mappable(mdl, mode, cache, bugcheck, priority, caller);
    pages = nt_mdl_pages_checked(mdl, caller, __func__);
    if (nt_alloc_fails(__func__, caller))
        return NULL;
    m = malloc(sizeof(*m) + pages * sizeof(m->gfns[0]));
    if (m == NULL)
        return NULL;
    for (size_t i = 0; i < pages; i++)
        m->gfns[i] = nt_mdl_pfns(mdl)[i];
    m->base = alias(m->gfns, pages, prot, &bad);
    if (m->base == NULL) {
        free(m);
        if (bad)
            nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                             "MmMapLockedPagesSpecifyCache(%p): frame %#llx of the MDL has no "
                             "memory (given back to Xen?)",
                             (void *)mdl, (unsigned long long)bad);
        return NULL;
    }
    m->pages = pages;
    m->bytes = mdl->ByteCount;
    m->mdl = mdl;
    mdl->MappedSystemVa = m->base + mdl->ByteOffset;
    mdl->MdlFlags |= MDL_MAPPED_TO_SYSTEM_VA;
    nt_held_add(&mappings, &m->held, mdl->MappedSystemVa, caller);
    return mdl->MappedSystemVa;
}
NT_REGISTER(NTOSKRNL, MmMapLockedPagesSpecifyCache);

void nt_mdl_unmap(void *va, MDL *mdl, uint64_t caller, const char *function)
{
    struct nt_held *held = nt_held_take(&mappings, va);
    struct mapping *m = held ? nt_held_of(held, struct mapping, held) : NULL;

    if (m == NULL || m->mdl != mdl)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "%s(%p, %p): no mapping of that MDL there",
                         function, va, (void *)mdl);
    munmap(m->base, m->pages * OS_PAGE_SIZE);
    mdl->MdlFlags &= (int16_t)~MDL_MAPPED_TO_SYSTEM_VA;
    free(m);
}

static NT_EXPORT void MmUnmapLockedPages(void *va, MDL *mdl)
{
    uint64_t caller = NT_CALLER;

    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    nt_mdl_unmap(va, mdl, caller, __func__);
}
NT_REGISTER(NTOSKRNL, MmUnmapLockedPages);

struct lookup {
    const uint8_t *va;
    uint64_t physical;
};

static bool physical_in(struct nt_held *held, void *arg)
{
    const struct mapping *m = nt_held_of(held, struct mapping, held);
    struct lookup *l = arg;
    size_t offset;

    if (l->va < m->base || l->va >= m->base + m->pages * OS_PAGE_SIZE)
        return false;
    offset = (size_t)(l->va - m->base);
    l->physical = m->gfns[offset / OS_PAGE_SIZE] * OS_PAGE_SIZE + offset % OS_PAGE_SIZE;
    return true;
}

uint64_t nt_mdl_mapping_physical(const void *va)
{
    struct lookup l = {.va = va};

    nt_held_visit(&mappings, physical_in, &l);
    return l.physical;
}

static uint64_t mapped_bytes(const struct nt_held *held)
{
    return nt_held_of(held, struct mapping, held)->bytes;
}

bool nt_mdl_mapping_holds(const void *va, uint64_t length)
{
    return nt_held_holds(&mappings, va, length, mapped_bytes);
}

static void print_leak(const struct nt_held *held, const char *caller)
{
    const struct mapping *m = nt_held_of(held, struct mapping, held);

    nt_log("mm: MDL %p still mapped at %p (%zu pages), mapped by %s\n", (void *)m->mdl, held->key,
           m->pages, caller);
}

size_t nt_mdl_mappings_report_leaks(uint64_t image_base, uint64_t image_size)
{
    return nt_held_report(&mappings, image_base, image_size, print_leak);
}
