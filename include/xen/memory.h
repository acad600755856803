/*
 * xen/memory.h - __HYPERVISOR_memory_op: give frames back to Xen, take them
 * again, and place Xen's own pages (shared info, grant table) in the guest's
 * physical address space.
 */
#ifndef WINPV_XEN_MEMORY_H
#define WINPV_XEN_MEMORY_H

#include <stdint.h>

#include "xen.h"

/* memory_op commands. Most return a count or a negative XEN_E* value. */
#define XENMEM_increase_reservation     0 /* struct xen_memory_reservation */
#define XENMEM_decrease_reservation     1 /* struct xen_memory_reservation */
#define XENMEM_maximum_ram_page         2 /* returns the highest machine frame; no argument */
#define XENMEM_current_reservation      3 /* domid_t *: returns pages in use */
#define XENMEM_maximum_reservation      4 /* domid_t *: returns the page limit */
#define XENMEM_machphys_mfn_list        5
#define XENMEM_populate_physmap         6 /* struct xen_memory_reservation */
#define XENMEM_add_to_physmap           7 /* struct xen_add_to_physmap */
#define XENMEM_memory_map               9
#define XENMEM_machine_memory_map       10
#define XENMEM_exchange                 11
#define XENMEM_machphys_mapping         12
#define XENMEM_set_memory_map           13
#define XENMEM_maximum_gpfn             14 /* domid_t *: returns the highest guest frame */
#define XENMEM_remove_from_physmap      15 /* struct xen_remove_from_physmap */
#define XENMEM_set_pod_target           16
#define XENMEM_get_pod_target           17
#define XENMEM_add_to_physmap_batch     23
#define XENMEM_machphys_compat_mfn_list 25
#define XENMEM_get_vnumainfo            26
#define XENMEM_acquire_resource         28

/*
 * mem_flags of a reservation: bits 7:0 limit the machine address width of
 * the frames (0: no limit), bits 15:8 hold a NUMA node + 1 (0: any node).
 */
#define XENMEMF_address_bits(bits)  (bits)
#define XENMEMF_get_address_bits(f) (0xffu & (f))
#define XENMEMF_node(node)          (((node) + 1) << 8)
#define XENMEMF_get_node(f)         ((((f) >> 8) - 1) & 0xffu)
#define XENMEMF_populate_on_demand  (1 << 16) /* populate lazily, on first touch */
#define XENMEMF_exact_node_request  (1 << 17) /* fail rather than use another node */
#define XENMEMF_exact_node(node)    (XENMEMF_node(node) | XENMEMF_exact_node_request)
#define XENMEMF_vnode               (1 << 18) /* the node is a virtual node */

/*
 * Argument of increase/decrease_reservation and populate_physmap: nr_extents
 * extents of 2^extent_order pages each. extent_start lists the guest frames
 * (in for decrease and populate, out for increase); on a partial success
 * the return value is the number of extents done.
 */
struct xen_memory_reservation {
    XEN_GUEST_HANDLE(xen_pfn_t) extent_start;
    xen_ulong_t nr_extents;
    uint32_t extent_order;
    uint32_t mem_flags; /* XENMEMF_* */
    domid_t domid;      /* DOMID_SELF for the caller */
};
typedef struct xen_memory_reservation xen_memory_reservation_t;

/* Spaces of XENMEM_add_to_physmap: which of Xen's pages idx names. */
#define XENMAPSPACE_shared_info  0 /* the shared_info page (idx 0) */
#define XENMAPSPACE_grant_table  1 /* grant table frame idx */
#define XENMAPSPACE_gmfn         2 /* move guest frame idx to gpfn */
#define XENMAPSPACE_gmfn_range   3 /* move size frames from idx */
#define XENMAPSPACE_gmfn_foreign 4 /* a frame of another domain (privileged) */
#define XENMAPSPACE_dev_mmio     5 /* device memory (Arm) */

/* With XENMAPSPACE_grant_table: map status frame idx instead (grant v2). */
#define XENMAPIDX_grant_table_status 0x80000000

/* Maps page idx of the given space at guest frame gpfn. */
struct xen_add_to_physmap {
    domid_t domid;
    uint16_t size;  /* frames, for XENMAPSPACE_gmfn_range */
    uint32_t space; /* XENMAPSPACE_* */
    xen_ulong_t idx;
    xen_pfn_t gpfn;
};
typedef struct xen_add_to_physmap xen_add_to_physmap_t;

/* Unmaps whatever is at guest frame gpfn (e.g. before freeing the page). */
struct xen_remove_from_physmap {
    domid_t domid;
    xen_pfn_t gpfn;
};
typedef struct xen_remove_from_physmap xen_remove_from_physmap_t;

#endif /* WINPV_XEN_MEMORY_H */
