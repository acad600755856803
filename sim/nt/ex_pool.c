/* sim/nt/ex_pool.c - the pool and physical-address exports (pool.c does the work). */
#include "exports_impl.h"
#include "kernel.h"

static NT_EXPORT void *ExAllocatePoolWithTag(uint32_t type, uint64_t size, uint32_t tag)
{
    return nt_pool_alloc(type, size, tag, NT_CALLER);
}
NT_REGISTER(NTOSKRNL, ExAllocatePoolWithTag);

static NT_EXPORT void ExFreePoolWithTag(void *p, uint32_t tag)
{
    nt_pool_free(p, tag, true, NT_CALLER);
}
NT_REGISTER(NTOSKRNL, ExFreePoolWithTag);

static NT_EXPORT void ExFreePool(void *p)
{
    nt_pool_free(p, 0, false, NT_CALLER);
}
NT_REGISTER(NTOSKRNL, ExFreePool);

/* Any IRQL; the address must be mapped (locked-down memory). */
static NT_EXPORT uint64_t MmGetPhysicalAddress(void *va)
{
    uint64_t pa = nt_physical_address(va);

    if (pa == 0)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, NT_CALLER,
                         "MmGetPhysicalAddress(%p): not guest memory (a stack or host address?)",
                         va);
    return pa;
}
NT_REGISTER(NTOSKRNL, MmGetPhysicalAddress);
