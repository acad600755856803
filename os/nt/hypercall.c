/*
 * os/nt/hypercall.c - finding Xen and calling it.
 *
 * Xen announces itself in the CPUID leaves 0x40000000 + n * 0x100 with the
 * signature "XenVMMXenVMM". Hypercalls are made with the instruction the
 * processor's virtualization extension defines, VMCALL on Intel (and the
 * other VMX vendors), VMMCALL on AMD and Hygon, chosen from the CPU vendor
 * once: never through a hypercall page, whose contents the guest would
 * execute on Xen's word (XSA-466).
 */
#include <intrin.h>

#include "os.h"
#include "os_nt.h"

#define XEN_CPUID_FIRST 0x40000000u
#define XEN_CPUID_LAST  0x40010000u
#define XEN_CPUID_STEP  0x100u

enum hypercall_insn {
    HYPERCALL_NONE, /* not on Xen (yet): every call answers -XEN_ENOSYS */
    HYPERCALL_VMCALL,
    HYPERCALL_VMMCALL,
};

static enum hypercall_insn hypercall_insn;

static bool leaf_signature_is(uint32_t leaf, const char *signature)
{
    int regs[4];
    char text[12];

    __cpuid(regs, (int)leaf);
    RtlCopyMemory(text + 0, &regs[1], 4);
    RtlCopyMemory(text + 4, &regs[2], 4);
    RtlCopyMemory(text + 8, &regs[3], 4);
    return RtlCompareMemory(text, signature, 12) == 12;
}

static uint32_t find_xen_leaf(void)
{
    for (uint32_t leaf = XEN_CPUID_FIRST; leaf < XEN_CPUID_LAST; leaf += XEN_CPUID_STEP) {
        int regs[4];

        __cpuid(regs, (int)leaf);
        if (leaf_signature_is(leaf, "XenVMMXenVMM") && (uint32_t)regs[0] >= leaf + 2)
            return leaf;
    }
    return 0;
}

/* Leaf 0 gives the vendor in EBX, EDX, ECX order. */
static bool vendor_is(const char *vendor)
{
    int regs[4];
    char text[12];

    __cpuid(regs, 0);
    RtlCopyMemory(text + 0, &regs[1], 4);
    RtlCopyMemory(text + 4, &regs[3], 4);
    RtlCopyMemory(text + 8, &regs[2], 4);
    return RtlCompareMemory(text, vendor, 12) == 12;
}

NTSTATUS os_nt_hypercall_init(void)
{
    if (find_xen_leaf() == 0)
        return STATUS_NOT_SUPPORTED;
    hypercall_insn = vendor_is("AuthenticAMD") || vendor_is("HygonGenuine") ? HYPERCALL_VMMCALL
                                                                            : HYPERCALL_VMCALL;
    return STATUS_SUCCESS;
}

void os_nt_hypercall_fini(void)
{
    hypercall_insn = HYPERCALL_NONE;
}

/*
 * Xen's x86_64 hypercall convention: the number in rax, arguments in rdi,
 * rsi, rdx, r10, r8, the result in rax. rdi and rsi are callee-saved in the
 * Windows convention, so the compiler is told they may change.
 */
int64_t os_hypercall(uint32_t op, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    register uint64_t r10 __asm__("r10") = a4;
    register uint64_t r8 __asm__("r8") = a5;
    int64_t result = op;

    switch (hypercall_insn) {
    case HYPERCALL_VMCALL:
        __asm__ volatile("vmcall"
                         : "+a"(result), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
                         :
                         : "memory");
        return result;
    case HYPERCALL_VMMCALL:
        __asm__ volatile("vmmcall"
                         : "+a"(result), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
                         :
                         : "memory");
        return result;
    default:
        return -XEN_ENOSYS;
    }
}
