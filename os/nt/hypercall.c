/*
 * os/nt/hypercall.c - finding Xen and calling it.
 *
 * Xen announces itself in the CPUID leaves 0x40000000 + n * 0x100 with the
 * signature "XenVMMXenVMM"; leaf base + 2 gives the number of hypercall
 * pages and the MSR that installs them. Writing a page's physical address
 * to that MSR makes Xen fill it with one 32-byte stub per hypercall.
 */
#include <intrin.h>

#include "os.h"
#include "os_nt.h"

#define XEN_CPUID_FIRST 0x40000000u
#define XEN_CPUID_LAST  0x40010000u
#define XEN_CPUID_STEP  0x100u
#define STUB_SIZE       32u
#define MAX_HYPERCALLS  (OS_PAGE_SIZE / STUB_SIZE)

static uint8_t *hypercall_page;

static uint32_t find_xen_leaf(void)
{
    for (uint32_t leaf = XEN_CPUID_FIRST; leaf < XEN_CPUID_LAST; leaf += XEN_CPUID_STEP) {
        int regs[4];
        char signature[12];

        __cpuid(regs, (int)leaf);
        RtlCopyMemory(signature + 0, &regs[1], 4);
        RtlCopyMemory(signature + 4, &regs[2], 4);
        RtlCopyMemory(signature + 8, &regs[3], 4);
        if (RtlCompareMemory(signature, "XenVMMXenVMM", 12) == 12 && (uint32_t)regs[0] >= leaf + 2)
            return leaf;
    }
    return 0;
}

NTSTATUS os_nt_hypercall_init(void)
{
    uint32_t leaf = find_xen_leaf();
    int regs[4];
    uint8_t *page;

    if (leaf == 0)
        return STATUS_NOT_SUPPORTED;
    __cpuid(regs, (int)(leaf + 2));
    if (regs[0] < 1)
        return STATUS_NOT_SUPPORTED;

    /* The stubs are code: this page must be executable. */
    page = ExAllocatePoolWithTag(NonPagedPoolExecute, OS_PAGE_SIZE, 'cHnW');
    if (page == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    __writemsr((uint32_t)regs[1], (uint64_t)MmGetPhysicalAddress(page).QuadPart);
    hypercall_page = page;
    return STATUS_SUCCESS;
}

void os_nt_hypercall_fini(void)
{
    uint8_t *page = hypercall_page;

    hypercall_page = NULL;
    if (page)
        ExFreePoolWithTag(page, 'cHnW');
}

/*
 * Xen's x86_64 hypercall convention: arguments in rdi, rsi, rdx, r10, r8,
 * result in rax; the stub may change rcx and r11 (and the argument
 * registers). rdi and rsi are callee-saved in the Windows convention, so
 * the compiler is told they change.
 */
int64_t os_hypercall(uint32_t op, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    register uint64_t r10 __asm__("r10") = a4;
    register uint64_t r8 __asm__("r8") = a5;
    uint8_t *page = hypercall_page;
    int64_t result;

    if (page == NULL || op >= MAX_HYPERCALLS)
        return -XEN_ENOSYS;
    __asm__ volatile("call *%[stub]"
                     : "=a"(result), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
                     : [stub] "r"(page + op * STUB_SIZE)
                     : "memory", "rcx", "r11");
    return result;
}
