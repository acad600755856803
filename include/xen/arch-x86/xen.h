/*
 * xen/arch-x86/xen.h - the x86_64 parts of the guest ABI: guest handles,
 * frame numbers, and the architecture's share of vcpu_info and shared_info.
 *
 * Every type here has a fixed width, so a structure has the same layout
 * under LP64 (Linux, where the tests run) and LLP64 (Windows x64, where
 * "long" is 32 bits). Words that Xen declares as "unsigned long" are 64 bits
 * on x86_64 and are written as uint64_t.
 */
#ifndef WINPV_XEN_ARCH_X86_XEN_H
#define WINPV_XEN_ARCH_X86_XEN_H

#include <stdint.h>

#if !defined(__x86_64__) && !defined(_M_X64)
#error "the Xen guest ABI headers describe x86_64 only"
#endif

_Static_assert(sizeof(void *) == 8, "a guest handle carries a 64-bit pointer");

/*
 * A guest handle is a pointer into guest memory that a hypercall argument
 * hands to Xen. The struct makes each handle a type of its own (a frame
 * list cannot be passed where a port list is wanted) and is 8 bytes,
 * 8-aligned, on every x86_64 ABI. Only single-word type names can be used.
 */
#define DEFINE_XEN_GUEST_HANDLE(type) \
    typedef struct {                  \
        type *p;                      \
    } xen_guest_handle_##type
#define XEN_GUEST_HANDLE(type)          xen_guest_handle_##type
#define set_xen_guest_handle(hnd, addr) ((hnd).p = (addr))

/* A guest frame number (an HVM guest's physical address >> 12). */
typedef uint64_t xen_pfn_t;

/* A machine word as Xen sees it: 64 bits on x86_64, whatever the guest OS. */
typedef uint64_t xen_ulong_t;

/* shared_info has a vcpu_info slot for this many vCPUs; others need VCPUOP. */
#define XEN_LEGACY_MAX_VCPUS 32

/* Writes to this I/O port appear on Xen's console (debug builds, HVM). */
#define XEN_HVM_DEBUGCONS_IOPORT 0xe9

struct arch_vcpu_info {
    uint64_t cr2; /* PV only: the faulting address of the last page fault */
    uint64_t pad;
};
typedef struct arch_vcpu_info arch_vcpu_info_t;

/* PV bookkeeping (the guest's p2m); an HVM guest leaves it alone. */
struct arch_shared_info {
    uint64_t max_pfn;
    xen_pfn_t pfn_to_mfn_frame_list_list;
    uint64_t nmi_reason;
    uint64_t p2m_cr3;
    uint64_t p2m_vaddr;
    uint64_t p2m_generation;
};
typedef struct arch_shared_info arch_shared_info_t;

#endif /* WINPV_XEN_ARCH_X86_XEN_H */
