/* sim/nt/ke_processor.c - processors, and KeBugCheckEx. */
#include "exports_impl.h"
#include "kernel.h"

#define ALL_PROCESSOR_GROUPS 0xffff

static NT_EXPORT uint32_t KeQueryActiveProcessorCountEx(uint16_t group)
{
    if (group != 0 && group != ALL_PROCESSOR_GROUPS)
        return 0; /* one group: the others have no processors */
    return nt_vcpu_count();
}
NT_REGISTER(NTOSKRNL, KeQueryActiveProcessorCountEx);

static NT_EXPORT uint32_t KeGetCurrentProcessorNumberEx(PROCESSOR_NUMBER *number)
{
    unsigned int vcpu = nt_current_vcpu();

    if (number) {
        number->Group = 0;
        number->Number = (uint8_t)vcpu;
        number->Reserved = 0;
    }
    return vcpu;
}
NT_REGISTER(NTOSKRNL, KeGetCurrentProcessorNumberEx);

static NT_EXPORT void KeBugCheckEx(uint32_t code, uint64_t p1, uint64_t p2, uint64_t p3,
                                   uint64_t p4)
{
    nt_bugcheck(code, p1, p2, p3, p4, NT_CALLER);
}
NT_REGISTER(NTOSKRNL, KeBugCheckEx);
