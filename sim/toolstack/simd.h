/*
 * sim/toolstack/simd.h - starting and stopping winpv-simd for a run
 * directory, and the toolstack's connection to it.
 */
#ifndef WINPV_SIM_SIMD_H
#define WINPV_SIM_SIMD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "client.h"

struct simd {
    char dir[256]; /* the run directory: socket, logs */
    pid_t pid;
    struct sim_conn toolstack;
};

/*
 * Create a fresh run directory under $TMPDIR (or /tmp), start winpv-simd
 * there ($WINPV_SIMD, else the winpv-simd beside this program), wait until it
 * answers, and connect as the toolstack. Its log is @dir/simd.log. On
 * failure the reason is printed to stderr and nothing is left behind.
 */
int simd_start(struct simd *simd);

/*
 * Stop the daemon (SIGTERM; SIGKILL if it still runs 10 s later), remove
 * the run directory unless $WINPV_SIM_KEEP is set. Returns 0, or -XEN_EIO
 * when the daemon did not end cleanly (its log is printed to stderr).
 */
int simd_stop(struct simd *simd);

/* A toolstack call; returns the reply's error. */
int simd_call(struct simd *simd, struct sim_request *req, struct sim_reply *reply);

/*
 * @relative resolved against the directory of this program's executable
 * (the build puts programs in build/host/bin), into @buf. Returns @buf.
 */
const char *simd_path_near_program(const char *relative, char *buf, size_t size);

/* Create a domain of @ram_pages RAM frames; its id in *domid. */
int simd_domain_create(struct simd *simd, uint64_t ram_pages, uint32_t vcpus, uint32_t *domid);

/* Destroy domain @domid (tell xenstored first: xenstore_release). */
int simd_domain_destroy(struct simd *simd, uint32_t domid);

/*
 * A domain whose guest suspended itself: save it to @name (a file name in
 * the run directory), restore @name as a new domain (*domid; the suspended
 * guest moves there), or cancel the suspend.
 */
int simd_domain_save(struct simd *simd, uint32_t domid, const char *name);
int simd_domain_restore(struct simd *simd, const char *name, uint32_t *domid);
int simd_domain_resume(struct simd *simd, uint32_t domid);

/*
 * Blacklist build @build of PV driver product @product (Xen's product
 * numbers, public/hvm/pvdrivers.h) for every domain, or take it off the
 * list (@listed false): what writing or removing
 * /mh/driver-blacklist/{product name}/{build} in xenstore does for Xen's
 * device model. Drivers of a listed build read the refusing magic from the
 * platform device.
 */
int simd_driver_blacklist(struct simd *simd, uint16_t product, uint32_t build, bool listed);

/*
 * Restore @name as a new domain (*domid) that stays paused, its guest still
 * suspended, while the toolstack sets it up (xenstore_introduce_restored);
 * then unpause it: the guest moves there. Unpause before destroying the
 * domain saved, whose destruction fails the suspended guest.
 */
int simd_domain_restore_paused(struct simd *simd, const char *name, uint32_t *domid);
int simd_domain_unpause(struct simd *simd, uint32_t domid);

#endif /* WINPV_SIM_SIMD_H */
