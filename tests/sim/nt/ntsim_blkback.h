/*
 * tests/sim/nt/ntsim_blkback.h - the guest's disks served by winpv-blkback
 * (sim/blkback) instead of QEMU: one backend process per disk, each with
 * the options a test chooses (struct blkback_disk: read-only, CD drive,
 * features switched off, a misbehaving backend), given before the kernel
 * starts or while it runs, restarted (killed) at will, and stopped by
 * ntsim_finish (which fails the test when one did not end cleanly).
 *
 * A disk's number picks its virtual device (0: xvda, vbd 51712) and its
 * image (ntsim_disk_image's path, made as ntsim_disk_add makes it: its
 * first 4 KiB ntsim_disk_pattern, the rest zeros); QEMU's disks and these
 * share the numbers, so one number serves one of them.
 */
#ifndef WINPV_TESTS_NT_NTSIM_BLKBACK_H
#define WINPV_TESTS_NT_NTSIM_BLKBACK_H

#include "blkback.h"
#include "ntsim_fixture.h"

/*
 * ntsim_start_packages on a domain given @count disks before its kernel
 * runs, disk i of @mib[i] MiB served as @cfg[i] says (its image is not
 * read: the disk's own is made).
 */
void ntsim_blkback_start_with_disks(struct ntsim_run *run, const char *packages,
                                    const char *const *args, const unsigned int *mib,
                                    const struct blkback_disk *cfg, unsigned int count);

/* The running domain given disk @disk of @mib MiB served as @cfg says, as a toolstack hot-plugs one. */
void ntsim_blkback_add(struct ntsim_run *run, unsigned int disk, unsigned int mib,
                       const struct blkback_disk *cfg);

/*
 * Disk @disk's backend killed (SIGKILL) and started again on its image
 * with its options, ready (blkback_restart): the test fails otherwise.
 */
void ntsim_blkback_restart(unsigned int disk);

/*
 * Disk @disk's backend frozen (SIGSTOP) while it waits for events
 * (blkback_freeze): requests the guest puts on its rings from then on stay
 * there, unanswered, until it is thawed (SIGCONT) or restarted.
 */
void ntsim_blkback_freeze(unsigned int disk);

/* Disk @disk's backend as started (its xenstore paths, its log), while the run lasts. */
struct blkback *ntsim_blkback(unsigned int disk);

#endif /* WINPV_TESTS_NT_NTSIM_BLKBACK_H */
