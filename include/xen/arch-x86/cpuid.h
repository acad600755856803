/*
 * xen/arch-x86/cpuid.h - the CPUID leaves by which a guest finds Xen.
 *
 * Xen's leaves start at the first 0x100-aligned base from 0x40000000 that
 * carries the signature below (0x40000100 when Viridian leaves come first),
 * so probe each base in turn. XEN_CPUID_LEAF(i) is leaf i at the first base.
 *
 *   leaf 0  EAX: the last Xen leaf; EBX, ECX, EDX: the signature
 *   leaf 1  EAX: Xen version, major in bits 31:16, minor in 15:0
 *   leaf 2  EAX: number of hypercall pages; EBX: the MSR that installs one
 *           (write the page's guest physical address to it)
 *   leaf 4  HVM features: EAX XEN_HVM_CPUID_*, EBX the vCPU id (if
 *           XEN_HVM_CPUID_VCPU_ID_PRESENT), ECX the domain id (if
 *           XEN_HVM_CPUID_DOMID_PRESENT)
 */
#ifndef WINPV_XEN_ARCH_X86_CPUID_H
#define WINPV_XEN_ARCH_X86_CPUID_H

#define XEN_CPUID_FIRST_LEAF 0x40000000
#define XEN_CPUID_LEAF(i)    (XEN_CPUID_FIRST_LEAF + (i))

/* "XenVMMXenVMM" in EBX, ECX, EDX of leaf 0. */
#define XEN_CPUID_SIGNATURE_EBX 0x566e6558
#define XEN_CPUID_SIGNATURE_ECX 0x65584d4d
#define XEN_CPUID_SIGNATURE_EDX 0x4d4d566e

/* HVM features, EAX of leaf 4. */
#define XEN_HVM_CPUID_APIC_ACCESS_VIRT (1u << 0) /* APIC registers are virtualized */
#define XEN_HVM_CPUID_X2APIC_VIRT      (1u << 1) /* x2APIC accesses are virtualized */
#define XEN_HVM_CPUID_IOMMU_MAPPINGS   (1u << 2) /* foreign pages are in the IOMMU */
#define XEN_HVM_CPUID_VCPU_ID_PRESENT  (1u << 3) /* EBX holds the vCPU id */
#define XEN_HVM_CPUID_DOMID_PRESENT    (1u << 4) /* ECX holds the domain id */
#define XEN_HVM_CPUID_EXT_DEST_ID      (1u << 5) /* 15-bit APIC destination ids */
#define XEN_HVM_CPUID_UPCALL_VECTOR    (1u << 6) /* per-vCPU upcall vectors work with pIRQs */

/* The highest leaf Xen defines, as an offset from the base. */
#define XEN_CPUID_MAX_NUM_LEAVES 5

#endif /* WINPV_XEN_ARCH_X86_CPUID_H */
