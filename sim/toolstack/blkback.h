/*
 * sim/toolstack/blkback.h - winpv-blkback (sim/blkback) as a guest's disk
 * backend: one process per disk, a vbd "xvda", "xvdb", ... on an image file.
 *
 * The toolstack lays out both xenstore directories as Xen's (libxl) does
 * for a vbd: the backend's under /local/domain/0/backend/vbd/DOMID/VDEV
 * (frontend, frontend-id, online, state, params, mode, device-type,
 * removable, ...), owned by dom0 and readable by the guest; the guest's
 * under /local/domain/DOMID/device/vbd/VDEV (backend, backend-id, state,
 * virtual-device, device-type), owned by the guest and readable by dom0.
 * The backend then publishes its features and says "hotplug-status"
 * connected, as a hotplug script would.
 */
#ifndef WINPV_SIM_BLKBACK_H
#define WINPV_SIM_BLKBACK_H

#include <stdbool.h>
#include <stdint.h>

#include "components.h"
#include "store.h"

/* xvda: major 202, minor 0, as Xen numbers virtual disks; xvdb is minor 16. */
#define BLKBACK_MAX_DISKS  16
#define BLKBACK_VDEV(disk) (51712 + 16 * (disk))
#define BLKBACK_MAX_ARGS   24

/* A disk as the toolstack configures it. */
struct blkback_disk {
    const char *image; /* an existing file */
    bool readonly;     /* mode "r" (else "w") */
    bool cdrom;        /* device-type "cdrom" (else "disk") */
    bool removable;
    bool no_discard; /* discard-enable "0" */
    /* winpv-blkback's options (sim/blkback/options.c), NULL-terminated; NULL: none. */
    const char *const *args;
};

struct blkback {
    struct component process;
    char name[24]; /* blkback-xvda, ...: also the component's name */
    uint32_t domid;
    char backend_path[128];  /* /local/domain/0/backend/vbd/N/51712 */
    char frontend_path[128]; /* /local/domain/N/device/vbd/51712 */
    char image[300];
    unsigned int disk;       /* 0: xvda */
    struct blkback_disk cfg; /* as started, without image and args (kept above) */
    /* The command line, kept for a restart. */
    char args[BLKBACK_MAX_ARGS][64];
    unsigned int nr_args;
};

/*
 * Create domain @domid's disk number @disk (0: xvda; below
 * BLKBACK_MAX_DISKS) as @cfg says, start its backend and wait until it is
 * ready (hotplug-status connected, state InitWait). On failure prints why,
 * with the backend's log, and leaves nothing running.
 */
int blkback_start(struct simd *simd, struct xenstore *xs, uint32_t domid, unsigned int disk,
                  const struct blkback_disk *cfg, struct blkback *b);

/*
 * Kill the backend outright (SIGKILL: nothing it held is released but by
 * its death) and start it again with the same options, waiting until it is
 * ready. A frontend that was connected is then asked to close and connect
 * afresh (see sim/blkback/xenbus.h). A backend that was no longer running
 * when killed, or died of anything but the SIGKILL, fails the restart
 * (-XEN_EIO, said on stderr with its log); one stopped earlier on purpose
 * is just started.
 */
int blkback_restart(struct simd *simd, struct xenstore *xs, struct blkback *b);

/*
 * The disk of a domain restored as @domid, as Xen's toolstack gives a
 * restored domain its disks: the saved domain's backend retired first (a
 * backend still running is stopped, finishing what it has in flight, so
 * nothing of the old domain's lands after the new domain's writes; one
 * killed on purpose before is just gone) and its directories removed; then
 * both directories written for @domid and a new backend started on the
 * same image with the same options, ready. Returns 0, or -XEN_EIO when the
 * old backend ended badly (said on stderr; the new one is started all the
 * same), or blkback_start's error.
 */
int blkback_move_to_domain(struct simd *simd, struct xenstore *xs, struct blkback *b,
                           uint32_t domid);

/*
 * Resize the image to @bytes (as an administrator grows a volume) and tell
 * the backend (SIGHUP); wait until it publishes the new "sectors".
 */
int blkback_resize(struct xenstore *xs, struct blkback *b, uint64_t bytes);

/*
 * Unplug the disk as Xen's toolstack does: "online" 0; the backend closes
 * (with the frontend, if one is connected) and exits within @timeout_ms;
 * then both xenstore directories are removed. Returns 0 when it exited
 * with status 0 (and no sanitizer report), -XEN_ETIMEDOUT (the backend is
 * stopped and the directories removed all the same), or -XEN_EIO when it
 * ended otherwise (said on stderr with its log).
 */
int blkback_unplug(struct xenstore *xs, struct blkback *b, int timeout_ms);

/*
 * Freeze the backend (SIGSTOP; SIGCONT thaws it) while it waits in its poll
 * loop, as a backend that stops answering: stopped in the middle of
 * sending a xenstore message, it would leave xenstored waiting for the
 * rest, and every other client with it. Returns 0, or -XEN_EIO when it
 * never waited there (left running).
 */
int blkback_freeze(struct blkback *b);

/* Stop the backend (SIGTERM: it finishes what is in flight); as component_stop returns. */
int blkback_stop(struct blkback *b);

/* The backend's xenbus state as xenstore holds it; XenbusStateUnknown when none. */
int blkback_backend_state(struct xenstore *xs, const struct blkback *b);

/* A node of the backend's directory into @value; -XEN_ENOENT when absent. */
int blkback_read_node(struct xenstore *xs, const struct blkback *b, const char *node, char *value,
                      size_t size);

#endif /* WINPV_SIM_BLKBACK_H */
