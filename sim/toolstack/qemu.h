/*
 * sim/toolstack/qemu.h - Debian's Xen QEMU on winpv-simd as a disk backend
 * of one guest: one QEMU per disk, a xen-disk "xvda", "xvdb", ... on a raw
 * image.
 *
 * QEMU lays out both xenstore directories itself (the backend's under
 * /local/domain/0/backend/qdisk, the guest's under its device/vbd), maps the
 * guest's ring with grant maps and moves data with grant copies. It finds
 * xenstored through XENSTORED_PATH, which xenstore_start sets. Each QEMU
 * serves QMP on a socket in the run directory, through which a disk is
 * resized as an administrator does (block_resize).
 */
#ifndef WINPV_SIM_QEMU_H
#define WINPV_SIM_QEMU_H

#include <stdint.h>

#include "components.h"
#include "store.h"

/* xvda: major 202, minor 0, as Xen numbers virtual disks; xvdb is minor 16. */
#define QEMU_DISK_VDEV  51712
#define QEMU_MAX_DISKS  16
#define QEMU_VDEV(disk) (QEMU_DISK_VDEV + 16 * (disk))

struct qemu {
    struct component process;
    char name[16]; /* xvda, xvdb, ...: also the component's name */
    uint32_t domid;
    char backend_path[128];  /* /local/domain/0/backend/qdisk/N/51712 */
    char frontend_path[128]; /* /local/domain/N/device/vbd/51712 */
    char image[300];
    char qmp[108]; /* its QMP socket; "" when the run directory's path is too long for one */
};

/*
 * Start QEMU as domain @domid's disk number @disk (0: xvda; below
 * QEMU_MAX_DISKS) on the raw image @image, and
 * wait until the backend waits for its frontend (state InitWait) and the
 * guest's device directory is complete (its state, Initialising, written).
 * On failure prints why, with QEMU's log, and leaves nothing running.
 */
int qemu_start(struct simd *simd, struct xenstore *xs, uint32_t domid, unsigned int disk,
               const char *image, struct qemu *q);

/*
 * Unplug the disk as Xen's toolstack does: the backend goes offline and
 * Closing; QEMU closes it (with the frontend, if one is connected) within
 * @timeout_ms; then QEMU is stopped and both xenstore directories removed.
 * Returns 0, -XEN_ETIMEDOUT when the backend did not close (QEMU is
 * stopped and the directories removed all the same), or component_stop's
 * error when QEMU did not end cleanly.
 */
int qemu_unplug(struct xenstore *xs, struct qemu *q, int timeout_ms);

/*
 * The disk of a domain restored as @domid, as Xen's toolstack gives a
 * restored domain its disks: the saved domain's QEMU stopped (what it has
 * in flight lands first) and its directories removed, then a QEMU for
 * @domid on the same image, ready as qemu_start leaves it. Returns 0,
 * component_stop's error when the old QEMU did not end cleanly (the new
 * one is started all the same), or qemu_start's.
 */
int qemu_move_to_domain(struct simd *simd, struct xenstore *xs, struct qemu *q, uint32_t domid);

/*
 * Resize the disk to @bytes while it runs, as an administrator does with
 * QMP's block_resize: QEMU truncates the image and its xen-disk writes the
 * new "sectors" and its state again (QEMU's resize callback, as Linux's
 * blkback does), which a connected frontend follows. Waits until
 * "sectors" says the new size. Returns 0, -XEN_EIO when QEMU refused or
 * did not answer (said on stderr), -XEN_EINVAL when it serves no QMP (a
 * run directory whose path leaves no room for a socket's), or
 * -XEN_ETIMEDOUT.
 */
int qemu_resize(struct xenstore *xs, struct qemu *q, uint64_t bytes);

/* Stop QEMU; as component_stop returns. */
int qemu_stop(struct qemu *q);

/*
 * The backend's state (enum xenbus_state) as xenstore holds it, read as
 * dom0; XenbusStateUnknown when there is no state node.
 */
int qemu_backend_state(struct xenstore *xs, const struct qemu *q);

#endif /* WINPV_SIM_QEMU_H */
