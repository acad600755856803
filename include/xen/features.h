/*
 * xen/features.h - XENFEAT_* bit numbers, reported by XENVER_get_features in
 * the submap numbered (bit / 32).
 */
#ifndef WINPV_XEN_FEATURES_H
#define WINPV_XEN_FEATURES_H

#define XENFEAT_writable_page_tables       0
#define XENFEAT_writable_descriptor_tables 1
#define XENFEAT_auto_translated_physmap    2 /* guest frames are not machine frames */
#define XENFEAT_supervisor_mode_kernel     3
#define XENFEAT_pae_pgdir_above_4gb        4
#define XENFEAT_mmu_pt_update_preserve_ad  5
#define XENFEAT_highmem_assist             6
#define XENFEAT_gnttab_map_avail_bits      7
#define XENFEAT_hvm_callback_vector        8  /* HVM_PARAM_CALLBACK_TYPE_VECTOR works */
#define XENFEAT_hvm_safe_pvclock           9  /* pvclock is usable in an HVM guest */
#define XENFEAT_hvm_pirqs                  10 /* physical IRQs arrive as events */
#define XENFEAT_dom0                       11
#define XENFEAT_memory_op_vnode_supported  13 /* XENMEMF_vnode is understood */
#define XENFEAT_ARM_SMCCC_supported        14
#define XENFEAT_linux_rsdp_unrestricted    15
#define XENFEAT_not_direct_mapped          16
#define XENFEAT_direct_mapped              17

/* How many 32-bit submaps XENVER_get_features can report. */
#define XENFEAT_NR_SUBMAPS 1

#endif /* WINPV_XEN_FEATURES_H */
