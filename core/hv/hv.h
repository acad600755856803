/*
 * core/hv/hv.h - typed wrappers around the hypercalls every engine in core/
 * makes: HVM parameters, feature bits, the physical map, and the
 * event-channel, grant-table and memory operation families.
 *
 * Each returns Xen's result: 0 (or a non-negative value) on success, a
 * negative XEN_E* on failure. Context: any (none of them blocks), unless a
 * function says otherwise.
 */
#ifndef WINPV_CORE_HV_H
#define WINPV_CORE_HV_H

#include <stdbool.h>
#include <stdint.h>

/* HVM_PARAM_@index of this domain. */
int hv_get_param(uint32_t index, uint64_t *value);
int hv_set_param(uint32_t index, uint64_t value);

/* Whether the hypervisor reports XENFEAT_@feature (false when it cannot say). */
bool hv_has_feature(unsigned int feature);

/*
 * Show Xen's object @idx of @space (XENMAPSPACE_*) at guest frame @gfn;
 * whatever was there before is gone from the guest's view.
 */
int hv_add_to_physmap(unsigned int space, uint64_t idx, uint64_t gfn);

/* EVTCHNOP_@cmd on @arg (its struct). */
int hv_evtchn_op(unsigned int cmd, void *arg);

/* GNTTABOP_@cmd on @count structs at @arg. */
int hv_gnttab_op(unsigned int cmd, void *arg, unsigned int count);

/* XENMEM_@cmd on @arg; some commands return a count. */
int64_t hv_memory_op(unsigned int cmd, void *arg);

/*
 * SCHEDOP_shutdown(SHUTDOWN_suspend): the domain stops here until the
 * toolstack restores it (0: running as a new domain, Xen's state to set up
 * again) or cancels the suspend (1: the same domain, nothing lost); or
 * Xen's error. Blocks the calling vCPU for as long as that takes (no other
 * vCPU may run meanwhile: the caller holds them).
 */
int64_t hv_suspend(void);

#endif /* WINPV_CORE_HV_H */
