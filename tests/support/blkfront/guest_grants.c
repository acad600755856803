/* tests/support/blkfront/guest_grants.c - see guest_grants.h. */
#include <stddef.h>

#include <xen/errno.h>
#include <xen/memory.h>
#include <xen/xen.h>

#include "guest_grants.h"
#include "os.h"

static struct grant_entry_v1 *table;
static bool in_use[GUEST_GRANT_ENTRIES];

int guest_grants_init(void)
{
    struct xen_add_to_physmap xatp = {
        .domid = DOMID_SELF, .space = XENMAPSPACE_grant_table, .idx = 0};
    uint64_t gfn;
    void *page;
    int64_t rc;

    if (table)
        return 0;
    page = os_pages_alloc(1, &gfn);
    if (page == NULL)
        return -XEN_ENOMEM;
    xatp.gpfn = gfn;
    rc = os_hypercall2(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, (uint64_t)(uintptr_t)&xatp);
    if (rc) {
        os_pages_free(page, 1);
        return (int)rc;
    }
    table = page;
    return 0;
}

int guest_grant(uint64_t gfn, domid_t domid, bool readonly, grant_ref_t *ref)
{
    /* A version 1 entry holds a 32-bit frame number. */
    if (gfn > UINT32_MAX)
        return -XEN_EINVAL;
    for (grant_ref_t r = GNTTAB_NR_RESERVED_ENTRIES; r < GUEST_GRANT_ENTRIES; r++) {
        if (in_use[r])
            continue;
        in_use[r] = true;
        table[r].domid = domid;
        table[r].frame = (uint32_t)gfn;
        /* The flags publish the entry: domid and frame must be seen first. */
        __atomic_store_n(&table[r].flags, GTF_permit_access | (readonly ? GTF_readonly : 0),
                         __ATOMIC_RELEASE);
        *ref = r;
        return 0;
    }
    return -XEN_ENOSPC;
}

int guest_grant_end(grant_ref_t ref)
{
    uint16_t flags;

    if (ref >= GUEST_GRANT_ENTRIES || !in_use[ref])
        return -XEN_EINVAL;
    flags = __atomic_load_n(&table[ref].flags, __ATOMIC_ACQUIRE);
    do {
        if (flags & (GTF_reading | GTF_writing))
            return -XEN_EBUSY;
    } while (!__atomic_compare_exchange_n(&table[ref].flags, &flags, 0, false, __ATOMIC_SEQ_CST,
                                          __ATOMIC_SEQ_CST));
    in_use[ref] = false;
    return 0;
}

uint16_t guest_grant_flags(grant_ref_t ref)
{
    return ref < GUEST_GRANT_ENTRIES ? __atomic_load_n(&table[ref].flags, __ATOMIC_ACQUIRE) : 0;
}

grant_ref_t guest_grant_unused_ref(void)
{
    for (grant_ref_t r = GUEST_GRANT_ENTRIES - 1; r >= GNTTAB_NR_RESERVED_ENTRIES; r--)
        if (!in_use[r] && guest_grant_flags(r) == 0)
            return r;
    return 0;
}
