/* sim/toolstack/qemu.c - see qemu.h. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <xenstore.h>

#include <xen/errno.h>
#include <xen/io/xenbus.h>

#include "qemu.h"

#define QEMU_BIN         "/usr/libexec/xen-qemu-system-i386"
#define START_TIMEOUT_MS 15000
#define POLL_MS          10
#define QMP_TIMEOUT_MS   5000
#define QMP_LINE_MAX     4096

int qemu_backend_state(struct xenstore *xs, const struct qemu *q)
{
    return xenstore_read_state(xs, XBT_NULL, q->backend_path);
}

/*
 * QEMU lays out the device in this order: the backend's directory, its
 * state InitWait, then the guest's directory (backend, backend-id) with its
 * state, Initialising, written last. Only then may a frontend start; a
 * guest already running may start at once, and both states then move on
 * towards Connected before this looks.
 */
static bool device_ready(struct xenstore *xs, struct qemu *q, int *backend_state)
{
    int frontend_state = xenstore_read_state(xs, XBT_NULL, q->frontend_path);

    *backend_state = xenstore_read_state(xs, XBT_NULL, q->backend_path);
    return *backend_state >= XenbusStateInitWait && *backend_state <= XenbusStateConnected &&
           frontend_state >= XenbusStateInitialising && frontend_state <= XenbusStateConnected;
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
    char domid_arg[16], drive_arg[400], device_arg[64], qmp_arg[160];
    char *argv[] = {QEMU_BIN,     "-M",          "xenpv",    "-xen-domid", domid_arg, "-xen-attach",
                    "-nographic", "-nodefaults", "-display", "none",       "-serial", "none",
                    "-monitor",   "none",        "-drive",   drive_arg,    "-device", device_arg,
                    "-qmp",       qmp_arg,       NULL};
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
    /* A run directory too deep for a socket's path: no QMP, so no resize. */
    if (snprintf(q->qmp, sizeof(q->qmp), "%s/qmp-%u-%s.sock", simd->dir, domid, q->name) <
        (int)sizeof(q->qmp)) {
        unlink(q->qmp); /* an earlier QEMU of this disk's */
        snprintf(qmp_arg, sizeof(qmp_arg), "unix:%s,server=on,wait=off", q->qmp);
    } else {
        q->qmp[0] = '\0';
        argv[18] = NULL; /* argv[18] is "-qmp": none */
    }
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

/* One line from QMP into @line (NUL-terminated, without its end); -1 when none came in time. */
static int qmp_line(int fd, char *line, size_t size)
{
    size_t n = 0;

    while (n + 1 < size) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        char c;

        if (poll(&p, 1, QMP_TIMEOUT_MS) != 1 || read(fd, &c, 1) != 1)
            return -1;
        if (c == '\n')
            break;
        if (c != '\r')
            line[n++] = c;
    }
    line[n] = '\0';
    return 0;
}

/* Send @command; 0 when QMP answered "return" (events before it passed over). */
static int qmp_execute(int fd, const char *command, char *line, size_t size)
{
    if (write(fd, command, strlen(command)) != (ssize_t)strlen(command))
        return -1;
    for (;;) {
        if (qmp_line(fd, line, size) != 0)
            return -1;
        if (strncmp(line, "{\"return\"", 9) == 0)
            return 0;
        if (strncmp(line, "{\"error\"", 8) == 0)
            return -1;
    }
}

int qemu_resize(struct xenstore *xs, struct qemu *q, uint64_t bytes)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    char command[160], line[QMP_LINE_MAX], path[160], want[32];
    int fd, rc = -XEN_EIO;

    if (q->qmp[0] == '\0') {
        fprintf(stderr,
                "qemu: %s serves no QMP (the run directory's path is too long for a "
                "socket): no resize\n",
                q->name);
        return -XEN_EINVAL;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", q->qmp);
    snprintf(command, sizeof(command),
             "{\"execute\": \"block_resize\", \"arguments\": {\"device\": \"d0\", "
             "\"size\": %llu}}\n",
             (unsigned long long)bytes);
    line[0] = '\0';
    if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0 &&
        qmp_line(fd, line, sizeof(line)) == 0 && strncmp(line, "{\"QMP\"", 6) == 0 &&
        qmp_execute(fd, "{\"execute\": \"qmp_capabilities\"}\n", line, sizeof(line)) == 0 &&
        qmp_execute(fd, command, line, sizeof(line)) == 0)
        rc = 0;
    if (fd >= 0)
        close(fd);
    if (rc) {
        fprintf(stderr, "qemu: %s: block_resize to %llu bytes failed: %s\n", q->name,
                (unsigned long long)bytes, line[0] ? line : "QMP did not answer");
        return rc;
    }
    snprintf(path, sizeof(path), "%s/sectors", q->backend_path);
    snprintf(want, sizeof(want), "%llu", (unsigned long long)(bytes / 512));
    for (int waited = 0; waited < START_TIMEOUT_MS; waited += POLL_MS) {
        unsigned int len;
        char *value = xs_read(xs->xsh, XBT_NULL, path, &len);
        bool done = value && strcmp(value, want) == 0;

        free(value);
        if (done)
            return 0;
        usleep(POLL_MS * 1000);
    }
    fprintf(stderr, "qemu: %s did not publish sectors %s\n", q->backend_path, want);
    return -XEN_ETIMEDOUT;
}

int qemu_stop(struct qemu *q)
{
    return component_stop(&q->process);
}
