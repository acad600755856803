/*
 * sim/nt/mm_pages.c - physical pages for an MDL (MmAllocatePagesForMdlEx,
 * MmAllocatePagesForMdl) and their return (MmFreePagesFromMdl), as a
 * balloon driver takes pages to give to Xen.
 *
 * The pages are frames of the domain's RAM that nothing else uses: the
 * same free-frame map pool and images come from (os/posix), taken one by
 * one within the caller's address ranges, so they are rarely adjacent.
 * Fewer pages than asked come back when the ranges hold fewer free frames,
 * none with MM_ALLOCATE_FULLY_REQUIRED; a sixteenth of RAM is kept back for
 * pool and images, as Windows keeps pages for its own needs. The MDL is pool (the driver frees
 * it with ExFreePool after MmFreePagesFromMdl); the kernel keeps its own
 * copy of the frames, so a driver that changed the PFN array, freed the
 * pages twice or still maps them is caught, and pages an image still holds
 * at its unload are reported.
 */
#include <stdlib.h>
#include <string.h>

#include "exports_impl.h"
#include "held.h"
#include "kernel.h"
#include "mm.h"
#include "os.h"
#include "os_posix.h"

#define MDL_MAX_PAGES     (0x100000000ull / OS_PAGE_SIZE - 1) /* (4 GB - PAGE_SIZE) a call */
#define MM_ALLOCATE_KNOWN 0x3f
#define NON_PAGED_POOL_NX 0x200
#define MDL_TAG           0x206c644du /* "Mdl " */

struct page_allocation {
    struct nt_held held; /* keyed by the MDL */
    size_t count;
    uint64_t gfns[];
};

static struct nt_held_list allocations = NT_HELD_LIST_INIT;

bool nt_frame_range(uint64_t low, uint64_t high, uint64_t *first, uint64_t *last)
{
    uint64_t end = high / OS_PAGE_SIZE; /* the frame holding @high */

    if (high % OS_PAGE_SIZE != OS_PAGE_SIZE - 1) {
        if (end == 0)
            return false;
        end--; /* only part of it is in range */
    }
    *first = low / OS_PAGE_SIZE + (low % OS_PAGE_SIZE != 0);
    *last = end;
    return *first <= *last;
}

/*
 * Up to @count free frames into @gfns from [@low, @high], then from the
 * ranges @skip bytes further each, while any lies in RAM. How many.
 */
static size_t take_frames(uint64_t low, uint64_t high, uint64_t skip, size_t count, uint64_t *gfns)
{
    uint64_t first, last, step = skip / OS_PAGE_SIZE, ram = os_posix_guest_memory_pages();
    size_t taken = 0;

    if (!nt_frame_range(low, high, &first, &last))
        return 0;
    for (; taken < count && first < ram; first += step, last += step) {
        taken += os_posix_guest_frames_take(first, last, count - taken, gfns + taken);
        if (step == 0 || last + step < last)
            break;
    }
    return taken;
}

static void check_request(uint64_t low, uint64_t high, uint64_t skip, uint32_t cache,
                          uint32_t flags, uint64_t caller)
{
    if (skip % OS_PAGE_SIZE || high < low || cache >= MmMaximumCacheType ||
        (flags & ~MM_ALLOCATE_KNOWN))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "MmAllocatePagesForMdlEx(low %#llx, high %#llx, skip %#llx, cache %u, "
                         "flags %#x): skip a multiple of the page size, low at most high, a "
                         "cache type, MM_ALLOCATE_* flags",
                         (unsigned long long)low, (unsigned long long)high,
                         (unsigned long long)skip, cache, flags);
    /*
     * Pages in chunks of SkipBytes each, physically contiguous: this kernel
     * takes frames one by one and does not make chunks, so a driver that
     * needs them is told so rather than given pages that are not. (The
     * other flags ask nothing it does not do: it never waits, has one
     * node, and contiguity is only preferred.)
     */
    if (flags & MM_ALLOCATE_REQUIRE_CONTIGUOUS_CHUNKS)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "MmAllocatePagesForMdlEx: MM_ALLOCATE_REQUIRE_CONTIGUOUS_CHUNKS is not "
                         "implemented by this kernel");
}

static NT_EXPORT MDL *MmAllocatePagesForMdlEx(int64_t low, int64_t high, int64_t skip,
                                              uint64_t total, uint32_t cache, uint32_t flags)
{
    uint64_t caller = NT_CALLER;
    size_t wanted = (size_t)(total / OS_PAGE_SIZE + (total % OS_PAGE_SIZE != 0)), taken;
    struct page_allocation *a;
    MDL *mdl = NULL;

    /* At or below APC_LEVEL, and at DISPATCH_LEVEL since Windows Server 2008. */
    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    check_request((uint64_t)low, (uint64_t)high, (uint64_t)skip, cache, flags, caller);
    if (total == 0 || nt_alloc_fails(__func__, caller))
        return NULL;
    if (wanted > MDL_MAX_PAGES)
        wanted = MDL_MAX_PAGES;
    a = malloc(sizeof(*a) + wanted * sizeof(a->gfns[0]));
    if (a == NULL)
        return NULL;
    taken = take_frames((uint64_t)low, (uint64_t)high, (uint64_t)skip, wanted, a->gfns);
    if (taken && (taken == wanted || !(flags & MM_ALLOCATE_FULLY_REQUIRED)))
        mdl = nt_pool_alloc_block(NON_PAGED_POOL_NX, sizeof(MDL) + taken * sizeof(PFN_NUMBER),
                                  MDL_TAG, caller);
    if (mdl == NULL) {
        os_posix_guest_frames_give(a->gfns, taken);
        free(a);
        return NULL;
    }
    nt_mdl_init(mdl, NULL, taken * OS_PAGE_SIZE);
    mdl->MdlFlags = MDL_PAGES_LOCKED;
    for (size_t i = 0; i < taken; i++) {
        memset(os_posix_gfn_to_va(a->gfns[i]), flags & MM_DONT_ZERO_ALLOCATION ? NT_MM_FILL : 0,
               OS_PAGE_SIZE);
        nt_mdl_pfns(mdl)[i] = a->gfns[i];
    }
    a->count = taken;
    nt_held_add(&allocations, &a->held, mdl, caller);
    return mdl;
}
NT_REGISTER(NTOSKRNL, MmAllocatePagesForMdlEx);

/* Zeroed pages, cached. */
static NT_EXPORT MDL *MmAllocatePagesForMdl(int64_t low, int64_t high, int64_t skip, uint64_t total)
{
    return MmAllocatePagesForMdlEx(low, high, skip, total, MmCached, 0);
}
NT_REGISTER(NTOSKRNL, MmAllocatePagesForMdl);

static NT_EXPORT void MmFreePagesFromMdl(MDL *mdl)
{
    uint64_t caller = NT_CALLER;
    struct nt_held *held;
    struct page_allocation *a;

    /* As MmAllocatePagesForMdlEx: DISPATCH_LEVEL since Windows Server 2008. */
    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    held = nt_held_take(&allocations, mdl);
    if (held == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "MmFreePagesFromMdl(%p): no MDL of MmAllocatePagesForMdlEx with pages "
                         "(freed already?)",
                         (void *)mdl);
    a = nt_held_of(held, struct page_allocation, held);
    if (mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "MmFreePagesFromMdl(%p): its pages are still mapped at %p", (void *)mdl,
                         mdl->MappedSystemVa);
    if (memcmp(nt_mdl_pfns(mdl), a->gfns, a->count * sizeof(a->gfns[0])) != 0)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "MmFreePagesFromMdl(%p): its PFN array is not the frames it was given",
                         (void *)mdl);
    /*
     * Windows would take such a frame back unknowing and fault whoever it
     * gives it to next: stopped here, where the mistake is.
     */
    for (size_t i = 0; i < a->count; i++)
        if (!os_posix_guest_frame_present(a->gfns[i]))
            nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                             "MmFreePagesFromMdl(%p): frame %#llx was given to Xen and not "
                             "populated again",
                             (void *)mdl, (unsigned long long)a->gfns[i]);
    os_posix_guest_frames_give(a->gfns, a->count);
    for (size_t i = 0; i < a->count; i++)
        nt_mdl_pfns(mdl)[i] = NT_MDL_NO_PFN;
    mdl->MdlFlags &= (int16_t)~MDL_PAGES_LOCKED;
    free(a);
}
NT_REGISTER(NTOSKRNL, MmFreePagesFromMdl);

static bool is_key(struct nt_held *held, void *arg)
{
    return held->key == arg;
}

bool nt_mdl_allocated_pages(const MDL *mdl)
{
    return nt_held_visit(&allocations, is_key, (void *)mdl);
}

static void print_leak(const struct nt_held *held, const char *caller)
{
    const struct page_allocation *a = nt_held_of(held, struct page_allocation, held);

    nt_log("mm: leaked %zu page(s) of MmAllocatePagesForMdlEx (MDL %p), allocated by %s\n",
           a->count, held->key, caller);
}

size_t nt_mdl_pages_report_leaks(uint64_t image_base, uint64_t image_size)
{
    return nt_held_report(&allocations, image_base, image_size, print_leak);
}
