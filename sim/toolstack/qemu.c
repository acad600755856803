/* sim/toolstack/qemu.c - see qemu.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenstore.h>

#include <xen/errno.h>
#include <xen/io/xenbus.h>

#include "qemu.h"

#define QEMU_BIN         "/usr/libexec/xen-qemu-system-i386"
#define START_TIMEOUT_MS 15000
#define POLL_MS          10

int qemu_backend_state(struct xenstore *xs, const struct qemu *q)
{
    return xenstore_read_state(xs, XBT_NULL, q->backend_path);
}

/*
 * QEMU lays out the device in this order: the backend's directory, its
 * state InitWait, then the guest's directory (backend, backend-id) with its
 * state, Initialising, written last. Only then may a frontend start.
 */
static bool device_ready(struct xenstore *xs, struct qemu *q, int *backend_state)
{
    *backend_state = xenstore_read_state(xs, XBT_NULL, q->backend_path);
    return *backend_state == XenbusStateInitWait &&
           xenstore_read_state(xs, XBT_NULL, q->frontend_path) == XenbusStateInitialising;
}

static int wait_for_device(struct xenstore *xs, struct qemu *q)
{
    int state = XenbusStateUnknown;

    for (int waited = 0;; waited += POLL_MS) {
        if (device_ready(xs, q, &state))
            return 0;
        if (!component_alive(&q->process)) {
            fprintf(stderr, "qemu: QEMU ended before %s/state reached InitWait\n", q->backend_path);
            return -XEN_EIO;
        }
        if (waited >= START_TIMEOUT_MS)
            break;
        usleep(POLL_MS * 1000);
    }
    fprintf(stderr,
            "qemu: after %d ms %s/state is %d (want InitWait, %d), %s/state is %d (want "
            "Initialising, %d)\n",
            START_TIMEOUT_MS, q->backend_path, state, XenbusStateInitWait, q->frontend_path,
            xenstore_read_state(xs, XBT_NULL, q->frontend_path), XenbusStateInitialising);
    /* Still running, so component_stop shows nothing: its log says why. */
    if (component_stop(&q->process) == 0)
        show_file("qemu.log", q->process.log);
    return -XEN_ETIMEDOUT;
}

int qemu_start(struct simd *simd, struct xenstore *xs, uint32_t domid, unsigned int disk,
               const char *image, struct qemu *q)
{
    char domid_arg[16], drive_arg[400], device_arg[64];
    char *argv[] = {QEMU_BIN,      "-M",         "xenpv",       "-xen-domid", domid_arg,
                    "-xen-attach", "-nographic", "-nodefaults", "-display",   "none",
                    "-serial",     "none",       "-monitor",    "none",       "-drive",
                    drive_arg,     "-device",    device_arg,    NULL};
    int rc;

    memset(q, 0, sizeof(*q));
    if (disk >= QEMU_MAX_DISKS)
        return -XEN_EINVAL;
    q->domid = domid;
    if (strlen(image) >= sizeof(q->image))
        return -XEN_EINVAL;
    strcpy(q->image, image);
    snprintf(q->name, sizeof(q->name), "xvd%c", 'a' + disk);
    snprintf(device_arg, sizeof(device_arg), "xen-disk,vdev=%s,drive=d0", q->name);
    snprintf(q->backend_path, sizeof(q->backend_path), "/local/domain/0/backend/qdisk/%u/%u", domid,
             QEMU_VDEV(disk));
    snprintf(q->frontend_path, sizeof(q->frontend_path), "/local/domain/%u/device/vbd/%u", domid,
             QEMU_VDEV(disk));
    snprintf(domid_arg, sizeof(domid_arg), "%u", domid);
    /* QEMU's option parser would split the path at a comma. */
    if (snprintf(drive_arg, sizeof(drive_arg), "file=%s,if=none,id=d0,format=raw", image) >=
            (int)sizeof(drive_arg) ||
        strchr(image, ',') != NULL) {
        fprintf(stderr, "qemu: unusable image path %s\n", image);
        return -XEN_EINVAL;
    }
    rc = component_start(simd, &q->process, q->name, argv, NULL);
    if (rc) {
        fprintf(stderr, "qemu: cannot start %s (%d)\n", QEMU_BIN, rc);
        return rc;
    }
    return wait_for_device(xs, q);
}

/* Closed, or gone: QEMU removes a device it has destroyed. */
static bool backend_closed(struct xenstore *xs, const struct qemu *q)
{
    int state = xenstore_read_state(xs, XBT_NULL, q->backend_path);

    return state == XenbusStateClosed || state == XenbusStateUnknown;
}

int qemu_unplug(struct xenstore *xs, struct qemu *q, int timeout_ms)
{
    int rc = -XEN_ETIMEDOUT, stopped;

    if (xenstore_device_remove(xs, q->backend_path) == 0) {
        for (int waited = 0; waited <= timeout_ms; waited += POLL_MS) {
            if (backend_closed(xs, q)) {
                rc = 0;
                break;
            }
            usleep(POLL_MS * 1000);
        }
    }
    if (rc)
        fprintf(stderr, "qemu: %s did not close within %d ms\n", q->backend_path, timeout_ms);
    /* QEMU runs on with the device gone: stopping it is part of the unplug. */
    stopped = component_stop(&q->process);
    xs_rm(xs->xsh, XBT_NULL, q->frontend_path);
    xs_rm(xs->xsh, XBT_NULL, q->backend_path);
    return rc ? rc : stopped;
}

int qemu_move_to_domain(struct simd *simd, struct xenstore *xs, struct qemu *q, uint32_t domid)
{
    struct qemu old = *q;
    int stopped = component_stop(&q->process), rc;

    xs_rm(xs->xsh, XBT_NULL, old.frontend_path);
    xs_rm(xs->xsh, XBT_NULL, old.backend_path);
    rc = qemu_start(simd, xs, domid, (unsigned int)(old.name[3] - 'a'), old.image, q);
    return rc ? rc : stopped;
}

int qemu_stop(struct qemu *q)
{
    return component_stop(&q->process);
}
