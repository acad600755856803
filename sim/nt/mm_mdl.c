/*
 * sim/nt/mm_mdl.c - MDLs a driver allocates (IoAllocateMdl, IoFreeMdl) and
 * fills with the frames of its buffer (MmBuildMdlForNonPagedPool for
 * nonpaged memory, MmProbeAndLockPages and MmUnlockPages for the rest).
 *
 * A buffer's frames are its guest frames (pool, images and their data are
 * the domain's RAM), so an MDL's PFN array names frames Xen and a backend
 * can use. The MDL itself is the kernel's: only IoFreeMdl frees it (not
 * ExFreePool), once, unlocked; an MDL an image still holds at its unload is
 * reported. Until a build or a lock fills it, the PFN array holds a frame
 * no memory has, so granting it fails loudly.
 *
 * The fields that say how many frames a buffer has (StartVa, ByteOffset,
 * ByteCount) are the driver's to write, so a build, lock, unlock or
 * mapping first checks them against the room the PFN array has: what
 * IoAllocateMdl allocated, or for an MDL the driver made, its Size. And
 * a buffer must lie in memory someone holds (a pool block's bytes, a
 * loaded image, contiguous memory, an MDL or I/O space mapping): freed
 * pool or a frame never allocated stops the guest, as the probe of such
 * an address faults on Windows under special pool.
 *
 * Limitation: a buffer on a driver stack has no guest frame here (the
 * stacks are the process's own memory), so locking one stops the guest
 * where Windows would lock it.
 */
#include <stdlib.h>

#include "exports_impl.h"
#include "held.h"
#include "image.h"
#include "kernel.h"
#include "mm.h"
#include "os.h"

/* Windows 7 and later: the largest buffer one MDL describes. */
#define MDL_MAX_BYTES (0x100000000ull - OS_PAGE_SIZE)

struct allocated_mdl {
    struct nt_held held; /* keyed by the MDL */
    size_t capacity;     /* entries of its PFN array */
    MDL mdl;             /* and its PFN array after it */
};

static struct nt_held_list mdls = NT_HELD_LIST_INIT;

size_t nt_mdl_pages_spanned(uint64_t address, uint64_t length)
{
    return (size_t)((address % OS_PAGE_SIZE + length + OS_PAGE_SIZE - 1) / OS_PAGE_SIZE);
}

size_t nt_mdl_pages(const MDL *mdl)
{
    return nt_mdl_pages_spanned((uint64_t)(uintptr_t)nt_mdl_va(mdl), mdl->ByteCount);
}

void nt_mdl_init(MDL *mdl, void *va, uint64_t length)
{
    size_t pages = nt_mdl_pages_spanned((uint64_t)(uintptr_t)va, length);

    mdl->Next = NULL;
    mdl->Size = (int16_t)(sizeof(MDL) + pages * sizeof(PFN_NUMBER));
    mdl->MdlFlags = 0;
    mdl->Process = NULL;
    mdl->MappedSystemVa = NULL;
    mdl->StartVa = (void *)((uintptr_t)va & ~(uintptr_t)(OS_PAGE_SIZE - 1));
    mdl->ByteOffset = (uint32_t)((uintptr_t)va % OS_PAGE_SIZE);
    mdl->ByteCount = (uint32_t)length;
}

static NT_EXPORT MDL *IoAllocateMdl(void *va, uint32_t length, BOOLEAN secondary,
                                    BOOLEAN charge_quota, IRP *irp)
{
    uint64_t caller = NT_CALLER;
    struct allocated_mdl *a;
    size_t pages;
    MDL **link;

    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    /* A secondary buffer goes after the IRP's chain: Windows walks it from Irp->MdlAddress. */
    if (length == 0 || charge_quota || (secondary && (irp == NULL || irp->MdlAddress == NULL)))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "IoAllocateMdl(%p, %u, secondary %u, charge quota %u, IRP %p): a "
                         "length, no quota charged (reserved), a secondary buffer only after an "
                         "IRP's first MDL",
                         va, length, secondary, charge_quota, (void *)irp);
    if (length > MDL_MAX_BYTES || nt_alloc_fails("IoAllocateMdl", caller))
        return NULL;
    pages = nt_mdl_pages_spanned((uint64_t)(uintptr_t)va, length);
    a = malloc(sizeof(*a) + pages * sizeof(PFN_NUMBER));
    if (a == NULL)
        return NULL;
    a->capacity = pages;
    nt_mdl_init(&a->mdl, va, length);
    for (size_t i = 0; i < pages; i++)
        nt_mdl_pfns(&a->mdl)[i] = NT_MDL_NO_PFN;
    nt_held_add(&mdls, &a->held, &a->mdl, caller);
    if (irp) {
        /* The IRP's buffer, or the last of its chain of secondary ones. */
        for (link = &irp->MdlAddress; secondary && *link; link = &(*link)->Next)
            ;
        *link = &a->mdl;
    }
    return &a->mdl;
}
NT_REGISTER(NTOSKRNL, IoAllocateMdl);

static NT_EXPORT void IoFreeMdl(MDL *mdl)
{
    uint64_t caller = NT_CALLER;
    struct nt_held *held;

    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    held = nt_held_take(&mdls, mdl);
    if (held == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "IoFreeMdl(%p): no MDL IoAllocateMdl gave (freed already?)", (void *)mdl);
    if (mdl->MdlFlags & (MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "IoFreeMdl(%p): its pages are still %s (MmUnlockPages first)", (void *)mdl,
                         mdl->MdlFlags & MDL_PAGES_LOCKED ? "locked" : "mapped");
    free(nt_held_of(held, struct allocated_mdl, held));
}
NT_REGISTER(NTOSKRNL, IoFreeMdl);

struct capacity_of {
    const MDL *mdl;
    size_t capacity;
};

static bool capacity_in(struct nt_held *held, void *arg)
{
    struct capacity_of *c = arg;

    if (held->key != c->mdl)
        return false;
    c->capacity = nt_held_of(held, struct allocated_mdl, held)->capacity;
    return true;
}

size_t nt_mdl_pages_checked(const MDL *mdl, uint64_t caller, const char *function)
{
    struct capacity_of c = {.mdl = mdl};
    size_t pages = nt_mdl_pages(mdl);

    if (!nt_held_visit(&mdls, capacity_in, &c) && mdl->Size >= (int16_t)sizeof(MDL))
        c.capacity = ((size_t)mdl->Size - sizeof(MDL)) / sizeof(PFN_NUMBER);
    if (pages > c.capacity)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "%s(%p): its buffer (%u bytes at %p) needs %zu PFN entries, but the MDL "
                         "has room for %zu (reinitialized for a larger buffer than it was made "
                         "for?)",
                         function, (const void *)mdl, mdl->ByteCount, (void *)nt_mdl_va(mdl), pages,
                         c.capacity);
    return pages;
}

/* Whether @length bytes at @va lie within one live allocation a driver may describe. */
static bool allocated(const uint8_t *va, uint64_t length)
{
    const struct nt_image *image = nt_image_find((uint64_t)(uintptr_t)va);

    if (image)
        return nt_range_within(va, length, image->base, image->size);
    return nt_pool_holds(va, length) || nt_contiguous_holds(va, length) ||
           nt_mdl_mapping_holds(va, length) || nt_iospace_holds(va, length);
}

/*
 * Fill @mdl's PFN array with its buffer's guest frames; a verifier stop
 * naming @function if the array has no room for them or the buffer is not
 * memory a live allocation holds.
 */
static void fill_frames(MDL *mdl, uint64_t caller, const char *function)
{
    const uint8_t *start = mdl->StartVa, *va = nt_mdl_va(mdl);
    size_t pages = nt_mdl_pages_checked(mdl, caller, function);

    if (nt_stack_holds((uint64_t)(uintptr_t)va, mdl->ByteCount))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "%s(%p): its buffer at %p is on a kernel stack (not simulated: no guest "
                         "frames)",
                         function, (void *)mdl, (const void *)va);
    if (!allocated(va, mdl->ByteCount ? mdl->ByteCount : 1))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "%s(%p): its buffer (%u bytes at %p) is not all in one live allocation "
                         "(pool block, image, contiguous memory, MDL or I/O space mapping): "
                         "freed, or never allocated",
                         function, (void *)mdl, mdl->ByteCount, (const void *)va);
    for (size_t i = 0; i < pages; i++) {
        const uint8_t *page = start + i * OS_PAGE_SIZE;
        uint64_t pa = nt_physical_address(page);

        if (pa == 0)
            nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                             "%s(%p): page %p of its buffer has no guest frame (host memory)",
                             function, (void *)mdl, (const void *)page);
        nt_mdl_pfns(mdl)[i] = pa / OS_PAGE_SIZE;
    }
}

static void check_unlocked(const MDL *mdl, uint64_t caller, const char *function)
{
    if (mdl == NULL || mdl->MdlFlags & (MDL_PAGES_LOCKED | MDL_SOURCE_IS_NONPAGED_POOL |
                                        MDL_MAPPED_TO_SYSTEM_VA | MDL_PARTIAL))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "%s(%p): the MDL is built, locked or mapped already (flags %#x)", function,
                         (const void *)mdl, mdl ? (unsigned int)mdl->MdlFlags : 0u);
}

/* Nonpaged memory: the MDL gets its frames and its system address is the buffer's own. */
static NT_EXPORT void MmBuildMdlForNonPagedPool(MDL *mdl)
{
    uint64_t caller = NT_CALLER;
    uint8_t *va;

    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    check_unlocked(mdl, caller, __func__);
    va = nt_mdl_va(mdl);
    if (nt_stack_holds((uint64_t)(uintptr_t)va, mdl->ByteCount) || nt_pool_is_paged(va))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "MmBuildMdlForNonPagedPool(%p): the buffer at %p is %s, not nonpaged",
                         (void *)mdl, (void *)va,
                         nt_pool_is_paged(va) ? "paged pool" : "on a kernel stack");
    fill_frames(mdl, caller, __func__);
    mdl->MappedSystemVa = va;
    mdl->MdlFlags |= MDL_SOURCE_IS_NONPAGED_POOL;
}
NT_REGISTER(NTOSKRNL, MmBuildMdlForNonPagedPool);

/*
 * Kernel-mode buffers only (there is no user space). Every guest page is
 * resident, so locking fills the frames; a buffer with none raises no
 * exception here but stops the guest.
 */
static NT_EXPORT void MmProbeAndLockPages(MDL *mdl, int8_t mode, uint32_t operation)
{
    uint64_t caller = NT_CALLER;
    uint8_t *va = mdl ? nt_mdl_va(mdl) : NULL;

    nt_require_irql(va && nt_pool_is_paged(va) ? APC_LEVEL : DISPATCH_LEVEL, caller, __func__);
    check_unlocked(mdl, caller, __func__);
    if (mode != KernelMode || operation > IoModifyAccess)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "MmProbeAndLockPages(%p, mode %d, operation %u): kernel-mode buffers "
                         "only (no user space is simulated)",
                         (void *)mdl, mode, operation);
    fill_frames(mdl, caller, __func__);
    mdl->MdlFlags |= MDL_PAGES_LOCKED;
    if (operation != IoReadAccess)
        mdl->MdlFlags |= MDL_WRITE_OPERATION;
}
NT_REGISTER(NTOSKRNL, MmProbeAndLockPages);

/* Unlocking also ends the MDL's system mapping, as Windows's does. */
static NT_EXPORT void MmUnlockPages(MDL *mdl)
{
    uint64_t caller = NT_CALLER;
    size_t pages;

    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    if (mdl == NULL || !(mdl->MdlFlags & MDL_PAGES_LOCKED) ||
        (mdl->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL) || nt_mdl_allocated_pages(mdl))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "MmUnlockPages(%p): no MDL MmProbeAndLockPages locked", (void *)mdl);
    pages = nt_mdl_pages_checked(mdl, caller, __func__);
    if (mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA)
        nt_mdl_unmap(mdl->MappedSystemVa, mdl, caller, __func__);
    for (size_t i = 0; i < pages; i++)
        nt_mdl_pfns(mdl)[i] = NT_MDL_NO_PFN;
    mdl->MdlFlags &= (int16_t) ~(MDL_PAGES_LOCKED | MDL_WRITE_OPERATION);
}
NT_REGISTER(NTOSKRNL, MmUnlockPages);

static void print_leak(const struct nt_held *held, const char *caller)
{
    const MDL *mdl = held->key;

    nt_log("mm: leaked an MDL of %u bytes at %p%s, allocated by %s\n", mdl->ByteCount,
           (void *)nt_mdl_va(mdl), mdl->MdlFlags & MDL_PAGES_LOCKED ? " (its pages locked)" : "",
           caller);
}

size_t nt_mdl_report_leaks(uint64_t image_base, uint64_t image_size)
{
    return nt_held_report(&mdls, image_base, image_size, print_leak);
}
