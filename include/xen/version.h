/*
 * xen/version.h - __HYPERVISOR_xen_version: what Xen is and what it offers.
 */
#ifndef WINPV_XEN_VERSION_H
#define WINPV_XEN_VERSION_H

#include <stdint.h>

#include "xen.h"

#define XENVER_version             0  /* returns (major << 16) | minor; no argument */
#define XENVER_extraversion        1  /* fills a xen_extraversion_t */
#define XENVER_compile_info        2  /* fills a struct xen_compile_info */
#define XENVER_capabilities        3  /* fills a xen_capabilities_info_t */
#define XENVER_changeset           4  /* fills a xen_changeset_info_t */
#define XENVER_platform_parameters 5  /* fills a struct xen_platform_parameters */
#define XENVER_get_features        6  /* fills in a struct xen_feature_info */
#define XENVER_pagesize            7  /* returns the page size; no argument */
#define XENVER_guest_handle        8  /* fills a xen_domain_handle (16 bytes) */
#define XENVER_commandline         9  /* fills a xen_commandline_t */
#define XENVER_build_id            10 /* fills a struct xen_build_id */

/* The strings below are NUL-terminated when they fit. */
typedef char xen_extraversion_t[16];
#define XEN_EXTRAVERSION_LEN (sizeof(xen_extraversion_t))

struct xen_compile_info {
    char compiler[64];
    char compile_by[16];
    char compile_domain[32];
    char compile_date[32];
};
typedef struct xen_compile_info xen_compile_info_t;

/* Space-separated list of the guest types Xen can run, e.g. "hvm-3.0-x86_64". */
typedef char xen_capabilities_info_t[1024];
#define XEN_CAPABILITIES_INFO_LEN (sizeof(xen_capabilities_info_t))

typedef char xen_changeset_info_t[64];
#define XEN_CHANGESET_INFO_LEN (sizeof(xen_changeset_info_t))

typedef char xen_commandline_t[1024];

struct xen_platform_parameters {
    xen_ulong_t virt_start; /* PV: where Xen's reserved virtual range starts */
};
typedef struct xen_platform_parameters xen_platform_parameters_t;

/*
 * The guest sets submap_idx; Xen returns the 32 feature bits
 * XENFEAT_* numbers 32 * submap_idx .. 32 * submap_idx + 31.
 */
struct xen_feature_info {
    uint32_t submap_idx;
    uint32_t submap;
};
typedef struct xen_feature_info xen_feature_info_t;

/* In: len is the buffer size after the header. Out: the id's length. */
struct xen_build_id {
    uint32_t len;
    uint8_t buf[];
};
typedef struct xen_build_id xen_build_id_t;

#include "features.h"

#endif /* WINPV_XEN_VERSION_H */
