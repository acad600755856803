/*
 * core/hv/shared_info.h - the shared_info page in the guest's physical map.
 *
 * Xen's shared_info page (event-channel bitmaps, each vCPU's vcpu_info,
 * wall-clock time) is shown at the guest frame of one page from
 * os_pages_alloc (XENMEM_add_to_physmap, XENMAPSPACE_shared_info); the RAM
 * that was there goes back to Xen. There is one such page per domain:
 * showing it at a second frame moves it, so one object owns it for the
 * driver's life and lends the page to its users (the event-channel engine,
 * time).
 *
 * After the domain is saved and restored as a new one, the guest's memory
 * is as it was but Xen's page is no longer shown: hv_shared_info_resume
 * shows the new domain's page at the same frame, so the address stays valid.
 */
#ifndef WINPV_CORE_HV_SHARED_INFO_H
#define WINPV_CORE_HV_SHARED_INFO_H

#include <xen/xen.h>

struct hv_shared_info;

/*
 * Show shared_info at a page of ours. Returns 0 and the object in *out,
 * -XEN_ENOMEM, or Xen's error. Context: passive.
 */
int hv_shared_info_map(struct hv_shared_info **out);

/* The page, at the same address for the object's life. Context: any. */
struct shared_info *hv_shared_info_page(const struct hv_shared_info *si);

/*
 * Show the page again at the same frame, after a restore as a new domain
 * (before anything reads the page). Returns 0 or Xen's error. Context: any.
 */
int hv_shared_info_resume(struct hv_shared_info *si);

/*
 * Take the page out of the map (XENMEM_remove_from_physmap), put RAM back
 * under its frame (XENMEM_populate_physmap) and free it. A frame that cannot
 * get RAM back must never be handed out again: then the page is leaked, with
 * an error logged. Context: passive.
 */
void hv_shared_info_unmap(struct hv_shared_info *si);

#endif /* WINPV_CORE_HV_SHARED_INFO_H */
