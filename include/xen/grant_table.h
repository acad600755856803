/*
 * xen/grant_table.h - grant tables: how a domain lets another map or copy
 * its pages, and __HYPERVISOR_grant_table_op.
 *
 * The granting side writes entries into its grant table (frames mapped with
 * XENMAPSPACE_grant_table) and passes the entry's index, a grant_ref_t, to
 * the other side. Only version 1 entries are described here.
 */
#ifndef WINPV_XEN_GRANT_TABLE_H
#define WINPV_XEN_GRANT_TABLE_H

#include <stdint.h>

#include "xen.h"

typedef uint32_t grant_ref_t;

/* Identifies one mapping made with GNTTABOP_map_grant_ref. */
typedef uint32_t grant_handle_t;

/*
 * One grant. Fill in domid and frame first, then publish the grant by
 * writing flags last (after a write barrier). To revoke it, clear flags
 * with an atomic compare-exchange, and only while Xen has neither
 * GTF_reading nor GTF_writing set (else the grant is still in use).
 */
struct grant_entry_v1 {
    uint16_t flags; /* GTF_* */
    domid_t domid;  /* the domain allowed to use the grant */
    uint32_t frame; /* the granted guest frame */
};
typedef struct grant_entry_v1 grant_entry_v1_t;

/* The first entries belong to the toolstack; drivers start allocating here. */
#define GNTTAB_NR_RESERVED_ENTRIES 8
#define GNTTAB_RESERVED_CONSOLE    0 /* the console ring page */
#define GNTTAB_RESERVED_XENSTORE   1 /* the xenstore ring page */

/* Grant type, in flags bits 1:0. */
#define GTF_invalid         (0U << 0) /* grants nothing */
#define GTF_permit_access   (1U << 0) /* domid may map or copy frame */
#define GTF_accept_transfer (2U << 0) /* domid may give us a frame (PV only) */
#define GTF_transitive      (3U << 0) /* a grant of another domain's grant (v2 only) */
#define GTF_type_mask       (3U << 0)

/* Flags of a GTF_permit_access grant. [G]: set by the granter, [X]: by Xen. */
#define _GTF_readonly (2)
#define GTF_readonly  (1U << _GTF_readonly) /* [G] read-only access only */
#define _GTF_reading  (3)
#define GTF_reading   (1U << _GTF_reading) /* [X] mapped or being copied for reading */
#define _GTF_writing  (4)
#define GTF_writing   (1U << _GTF_writing) /* [X] mapped or being copied for writing */
#define _GTF_PWT      (5)
#define GTF_PWT       (1U << _GTF_PWT) /* [G] cache attributes for mappings (x86) */
#define _GTF_PCD      (6)
#define GTF_PCD       (1U << _GTF_PCD)
#define _GTF_PAT      (7)
#define GTF_PAT       (1U << _GTF_PAT)
#define _GTF_sub_page (8)
#define GTF_sub_page  (1U << _GTF_sub_page) /* [G] a byte range, copy only (v2 only) */

/* Flags of a GTF_accept_transfer grant, set by Xen; they reuse bits 2-3. */
#define _GTF_transfer_committed (2)
#define GTF_transfer_committed  (1U << _GTF_transfer_committed)
#define _GTF_transfer_completed (3)
#define GTF_transfer_completed  (1U << _GTF_transfer_completed)

/* grant_table_op commands; the argument is an array of count structs. */
#define GNTTABOP_map_grant_ref     0 /* struct gnttab_map_grant_ref */
#define GNTTABOP_unmap_grant_ref   1 /* struct gnttab_unmap_grant_ref */
#define GNTTABOP_setup_table       2 /* struct gnttab_setup_table */
#define GNTTABOP_dump_table        3
#define GNTTABOP_transfer          4
#define GNTTABOP_copy              5 /* struct gnttab_copy */
#define GNTTABOP_query_size        6 /* struct gnttab_query_size */
#define GNTTABOP_unmap_and_replace 7
#define GNTTABOP_set_version       8 /* struct gnttab_set_version */
#define GNTTABOP_get_status_frames 9
#define GNTTABOP_get_version       10 /* struct gnttab_get_version */
#define GNTTABOP_swap_grant_ref    11
#define GNTTABOP_cache_flush       12

/* Maps grant ref of domain dom; flags are GNTMAP_*. */
struct gnttab_map_grant_ref {
    uint64_t host_addr; /* in: where to map (GNTMAP_host_map) */
    uint32_t flags;
    grant_ref_t ref;
    domid_t dom;
    int16_t status;        /* out: GNTST_* */
    grant_handle_t handle; /* out: names the mapping for unmap */
    uint64_t dev_bus_addr; /* out: the frame's bus address (GNTMAP_device_map) */
};
typedef struct gnttab_map_grant_ref gnttab_map_grant_ref_t;

/* Undoes a map; a zero host_addr or dev_bus_addr leaves that mapping be. */
struct gnttab_unmap_grant_ref {
    uint64_t host_addr;
    uint64_t dev_bus_addr;
    grant_handle_t handle;
    int16_t status; /* out: GNTST_* */
};
typedef struct gnttab_unmap_grant_ref gnttab_unmap_grant_ref_t;

/*
 * Grows dom's grant table to nr_frames frames and lists their frame numbers
 * (PV). An HVM guest maps the frames with XENMAPSPACE_grant_table instead.
 */
struct gnttab_setup_table {
    domid_t dom;
    uint32_t nr_frames;
    int16_t status; /* out: GNTST_* */
    XEN_GUEST_HANDLE(xen_pfn_t) frame_list;
};
typedef struct gnttab_setup_table gnttab_setup_table_t;

/* Flags of gnttab_copy: which ends are grant references (else frames). */
#define _GNTCOPY_source_gref (0)
#define GNTCOPY_source_gref  (1 << _GNTCOPY_source_gref)
#define _GNTCOPY_dest_gref   (1)
#define GNTCOPY_dest_gref    (1 << _GNTCOPY_dest_gref)

/*
 * Xen copies len bytes between two pages, each named by a grant reference
 * of domid or by a frame of the caller. Neither range may cross its page.
 */
struct gnttab_copy {
    struct gnttab_copy_ptr {
        union {
            grant_ref_t ref;
            xen_pfn_t gmfn;
        } u;
        domid_t domid;
        uint16_t offset;
    } source, dest;
    uint16_t len;
    uint16_t flags; /* GNTCOPY_* */
    int16_t status; /* out: GNTST_* */
};
typedef struct gnttab_copy gnttab_copy_t;

/* Reports the current and the largest grant table size, in frames. */
struct gnttab_query_size {
    domid_t dom;
    uint32_t nr_frames;     /* out */
    uint32_t max_nr_frames; /* out */
    int16_t status;         /* out: GNTST_* */
};
typedef struct gnttab_query_size gnttab_query_size_t;

/* Selects entry format 1 or 2; only while no grant is in use. */
struct gnttab_set_version {
    uint32_t version; /* in: wanted; out: in effect */
};
typedef struct gnttab_set_version gnttab_set_version_t;

struct gnttab_get_version {
    domid_t dom;
    uint16_t pad;
    uint32_t version; /* out */
};
typedef struct gnttab_get_version gnttab_get_version_t;

/* Flags of gnttab_map_grant_ref. */
#define _GNTMAP_device_map      (0)
#define GNTMAP_device_map       (1 << _GNTMAP_device_map) /* for device DMA */
#define _GNTMAP_host_map        (1)
#define GNTMAP_host_map         (1 << _GNTMAP_host_map) /* for the CPU, at host_addr */
#define _GNTMAP_readonly        (2)
#define GNTMAP_readonly         (1 << _GNTMAP_readonly)
#define _GNTMAP_application_map (3)
#define GNTMAP_application_map  (1 << _GNTMAP_application_map) /* PV: user-accessible */
#define _GNTMAP_contains_pte    (4)
#define GNTMAP_contains_pte     (1 << _GNTMAP_contains_pte) /* PV: host_addr is a PTE */
#define _GNTMAP_guest_avail0    (16)
#define GNTMAP_guest_avail_mask ((uint32_t)~0 << _GNTMAP_guest_avail0)

/* Status of a grant operation (the status field); errors are negative. */
#define GNTST_okay              (0)
#define GNTST_general_error     (-1)
#define GNTST_bad_domain        (-2) /* no such domain */
#define GNTST_bad_gntref        (-3) /* no such grant, or not granted to us */
#define GNTST_bad_handle        (-4) /* no such mapping */
#define GNTST_bad_virt_addr     (-5)
#define GNTST_bad_dev_addr      (-6)
#define GNTST_no_device_space   (-7) /* the IOMMU has no free slot */
#define GNTST_permission_denied (-8)
#define GNTST_bad_page          (-9)
#define GNTST_bad_copy_arg      (-10) /* a copy range crosses its page */
#define GNTST_address_too_big   (-11)
#define GNTST_eagain            (-12) /* not done now; retry */
#define GNTST_no_space          (-13)

#endif /* WINPV_XEN_GRANT_TABLE_H */
