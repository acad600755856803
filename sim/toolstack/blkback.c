/* sim/toolstack/blkback.c - see blkback.h. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <xenstore.h>

#include <xen/errno.h>
#include <xen/io/xenbus.h>
#include <blkif/nodes.h>

#include "blkback.h"

#define START_TIMEOUT_MS 15000
#define POLL_MS          5

int blkback_read_node(struct xenstore *xs, const struct blkback *b, const char *node, char *value,
                      size_t size)
{
    char path[192];
    unsigned int len;
    char *text;

    snprintf(path, sizeof(path), "%s/%s", b->backend_path, node);
    text = xs_read(xs->xsh, XBT_NULL, path, &len);
    if (text == NULL)
        return -XEN_ENOENT;
    snprintf(value, size, "%s", text);
    free(text);
    return len < size ? 0 : -XEN_E2BIG;
}

int blkback_backend_state(struct xenstore *xs, const struct blkback *b)
{
    return xenstore_read_state(xs, XBT_NULL, b->backend_path);
}

/* @dir created, owned by @owner, readable by @reader. */
static bool make_dir(struct xenstore *xs, xs_transaction_t t, const char *dir, uint32_t owner,
                     uint32_t reader)
{
    struct xs_permissions perms[] = {{.id = owner, .perms = XS_PERM_NONE},
                                     {.id = reader, .perms = XS_PERM_READ}};

    return xs_mkdir(xs->xsh, t, dir) && xs_set_permissions(xs->xsh, t, dir, perms, 2);
}

static bool write_backend(struct xenstore *xs, xs_transaction_t t, const struct blkback *b,
                          unsigned int disk, const struct blkback_disk *cfg)
{
    const char *dir = b->backend_path;

    return make_dir(xs, t, dir, 0, b->domid) &&
           xenstore_write_in(xs, t, dir, "frontend", "%s", b->frontend_path) &&
           xenstore_write_in(xs, t, dir, "frontend-id", "%u", b->domid) &&
           xenstore_write_in(xs, t, dir, "online", "1") &&
           xenstore_write_in(xs, t, dir, "removable", "%d", cfg->removable) &&
           xenstore_write_in(xs, t, dir, "bootable", "1") &&
           xenstore_write_in(xs, t, dir, "state", "%d", XenbusStateInitialising) &&
           xenstore_write_in(xs, t, dir, "dev", "xvd%c", 'a' + disk) &&
           xenstore_write_in(xs, t, dir, "type", "file") &&
           xenstore_write_in(xs, t, dir, BLKIF_NODE_MODE, cfg->readonly ? "r" : "w") &&
           xenstore_write_in(xs, t, dir, BLKIF_NODE_DEVICE_TYPE, cfg->cdrom ? "cdrom" : "disk") &&
           xenstore_write_in(xs, t, dir, "params", "%s", cfg->image) &&
           xenstore_write_in(xs, t, dir, BLKIF_NODE_DISCARD_ENABLE, "%d", !cfg->no_discard);
}

static bool write_frontend(struct xenstore *xs, xs_transaction_t t, const struct blkback *b,
                           unsigned int disk, const struct blkback_disk *cfg)
{
    const char *dir = b->frontend_path;

    return make_dir(xs, t, dir, b->domid, 0) &&
           xenstore_write_in(xs, t, dir, "backend", "%s", b->backend_path) &&
           xenstore_write_in(xs, t, dir, "backend-id", "0") &&
           xenstore_write_in(xs, t, dir, "state", "%d", XenbusStateInitialising) &&
           xenstore_write_in(xs, t, dir, BLKIF_NODE_VIRTUAL_DEVICE, "%u", BLKBACK_VDEV(disk)) &&
           xenstore_write_in(xs, t, dir, BLKIF_NODE_DEVICE_TYPE, cfg->cdrom ? "cdrom" : "disk");
}

/* What write_device writes. */
struct device_nodes {
    const struct blkback *b;
    unsigned int disk;
    const struct blkback_disk *cfg;
};

static bool write_nodes(struct xenstore *xs, xs_transaction_t t, const void *ctx)
{
    const struct device_nodes *n = ctx;

    return write_backend(xs, t, n->b, n->disk, n->cfg) &&
           write_frontend(xs, t, n->b, n->disk, n->cfg);
}

/* Both directories in one transaction, as libxl writes a device. */
static int write_device(struct xenstore *xs, const struct blkback *b, unsigned int disk,
                        const struct blkback_disk *cfg)
{
    struct device_nodes nodes = {b, disk, cfg};

    if (xenstore_transact(xs, write_nodes, &nodes) == 0)
        return 0;
    fprintf(stderr, "blkback: cannot write %s and %s\n", b->backend_path, b->frontend_path);
    return -XEN_EIO;
}

static int wait_until_ready(struct xenstore *xs, struct blkback *b)
{
    char status[32] = "", error[256];

    for (int waited = 0; waited < START_TIMEOUT_MS; waited += POLL_MS) {
        if (blkback_read_node(xs, b, "hotplug-status", status, sizeof(status)) == 0) {
            if (strcmp(status, "connected") == 0)
                return 0;
            if (blkback_read_node(xs, b, "hotplug-error", error, sizeof(error)) == 0)
                fprintf(stderr, "blkback: %s: %s\n", b->name, error);
            break;
        }
        if (!component_alive(&b->process))
            return -XEN_EIO;
        usleep(POLL_MS * 1000);
    }
    fprintf(stderr, "blkback: %s not ready (hotplug-status '%s')\n", b->name, status);
    if (component_stop(&b->process) == 0)
        show_file("blkback.log", b->process.log);
    return -XEN_ETIMEDOUT;
}

/* $WINPV_BLKBACK, else the winpv-blkback built beside this program. */
static const char *program(void)
{
    static char near[4096];
    const char *path = getenv("WINPV_BLKBACK");

    return path && *path ? path : simd_path_near_program("winpv-blkback", near, sizeof(near));
}

static int launch(struct simd *simd, struct xenstore *xs, struct blkback *b)
{
    char *argv[BLKBACK_MAX_ARGS + 3];
    char status_path[192];
    unsigned int n = 0;
    int rc;

    /* The new process says when it is ready; an old answer must not be taken for it. */
    snprintf(status_path, sizeof(status_path), "%s/hotplug-status", b->backend_path);
    xs_rm(xs->xsh, XBT_NULL, status_path);
    argv[n++] = (char *)program();
    for (unsigned int i = 0; i < b->nr_args; i++)
        argv[n++] = b->args[i];
    argv[n++] = b->backend_path;
    argv[n] = NULL;
    rc = component_start(simd, &b->process, b->name, argv, NULL);
    if (rc) {
        fprintf(stderr, "blkback: cannot start %s (%d)\n", argv[0], rc);
        return rc;
    }
    return wait_until_ready(xs, b);
}

static int keep_args(struct blkback *b, const char *const *args)
{
    for (unsigned int i = 0; args && args[i]; i++) {
        if (i == BLKBACK_MAX_ARGS || strlen(args[i]) >= sizeof(b->args[i]))
            return -XEN_E2BIG;
        strcpy(b->args[i], args[i]);
        b->nr_args = i + 1;
    }
    return 0;
}

int blkback_start(struct simd *simd, struct xenstore *xs, uint32_t domid, unsigned int disk,
                  const struct blkback_disk *cfg, struct blkback *b)
{
    int rc;

    memset(b, 0, sizeof(*b));
    if (disk >= BLKBACK_MAX_DISKS || strlen(cfg->image) >= sizeof(b->image))
        return -XEN_EINVAL;
    rc = keep_args(b, cfg->args);
    if (rc)
        return rc;
    b->domid = domid;
    b->disk = disk;
    b->cfg = *cfg;
    b->cfg.image = NULL;
    b->cfg.args = NULL;
    strcpy(b->image, cfg->image);
    snprintf(b->name, sizeof(b->name), "blkback-xvd%c", 'a' + disk);
    snprintf(b->backend_path, sizeof(b->backend_path), "/local/domain/0/backend/vbd/%u/%u", domid,
             BLKBACK_VDEV(disk));
    snprintf(b->frontend_path, sizeof(b->frontend_path), "/local/domain/%u/device/vbd/%u", domid,
             BLKBACK_VDEV(disk));
    rc = write_device(xs, b, disk, cfg);
    if (rc == 0)
        rc = launch(simd, xs, b);
    if (rc) {
        xs_rm(xs->xsh, XBT_NULL, b->frontend_path);
        xs_rm(xs->xsh, XBT_NULL, b->backend_path);
    }
    return rc;
}

int blkback_restart(struct simd *simd, struct xenstore *xs, struct blkback *b)
{
    /* One that crashed before the kill, or died of something else, fails the restart. */
    if (b->process.state == COMPONENT_RUNNING)
        component_kill(&b->process, SIGKILL);
    if (b->process.state != COMPONENT_ENDED_AS_PLANNED) {
        fprintf(stderr, "blkback: %s did not end by the restart's SIGKILL or a stop\n", b->name);
        return -XEN_EIO;
    }
    return launch(simd, xs, b);
}

int blkback_move_to_domain(struct simd *simd, struct xenstore *xs, struct blkback *b,
                           uint32_t domid)
{
    struct blkback old = *b;
    const char *args[BLKBACK_MAX_ARGS + 1] = {NULL};
    struct blkback_disk cfg = b->cfg;
    int retired = 0, rc;

    if (b->process.state == COMPONENT_RUNNING)
        retired = component_stop(&b->process);
    else if (b->process.state != COMPONENT_ENDED_AS_PLANNED)
        retired = -XEN_EIO;
    if (retired)
        fprintf(stderr, "blkback: %s of domain %u did not end cleanly\n", b->name, b->domid);
    xs_rm(xs->xsh, XBT_NULL, b->frontend_path);
    xs_rm(xs->xsh, XBT_NULL, b->backend_path);
    for (unsigned int i = 0; i < old.nr_args; i++)
        args[i] = old.args[i];
    cfg.image = old.image;
    cfg.args = args;
    rc = blkback_start(simd, xs, domid, old.disk, &cfg, b);
    return rc ? rc : retired;
}

int blkback_resize(struct xenstore *xs, struct blkback *b, uint64_t bytes)
{
    char value[32], want[32];
    uint64_t sector_size;

    if (blkback_read_node(xs, b, BLKIF_NODE_SECTOR_SIZE, value, sizeof(value)) != 0 ||
        (sector_size = strtoull(value, NULL, 10)) == 0)
        return -XEN_EIO;
    if (truncate(b->image, (off_t)bytes) != 0 || b->process.pid <= 0 ||
        kill(b->process.pid, SIGHUP) != 0)
        return -XEN_EIO;
    snprintf(want, sizeof(want), "%llu", (unsigned long long)(bytes / sector_size));
    for (int waited = 0; waited < START_TIMEOUT_MS; waited += POLL_MS) {
        if (blkback_read_node(xs, b, BLKIF_NODE_SECTORS, value, sizeof(value)) == 0 &&
            strcmp(value, want) == 0)
            return 0;
        usleep(POLL_MS * 1000);
    }
    fprintf(stderr, "blkback: %s did not publish sectors %s\n", b->name, want);
    return -XEN_ETIMEDOUT;
}

int blkback_unplug(struct xenstore *xs, struct blkback *b, int timeout_ms)
{
    int rc = -XEN_EIO;

    if (xenstore_device_remove(xs, b->backend_path) == 0)
        rc = component_wait(&b->process, timeout_ms);
    if (rc == -XEN_ETIMEDOUT)
        fprintf(stderr, "blkback: %s did not close and exit within %d ms\n", b->name, timeout_ms);
    if (b->process.state == COMPONENT_RUNNING)
        component_stop(&b->process);
    xs_rm(xs->xsh, XBT_NULL, b->frontend_path);
    xs_rm(xs->xsh, XBT_NULL, b->backend_path);
    return rc;
}

int blkback_freeze(struct blkback *b)
{
    char path[64], line[64];

    snprintf(path, sizeof(path), "/proc/%d/syscall", (int)b->process.pid);
    for (int tries = 0; tries < 2000; tries++) {
        FILE *f;
        long nr = -1;

        if (kill(b->process.pid, SIGSTOP) != 0)
            return -XEN_EIO;
        usleep(500);
        f = fopen(path, "r");
        if (f && fgets(line, sizeof(line), f) && line[0] >= '0' && line[0] <= '9')
            nr = strtol(line, NULL, 10);
        if (f)
            fclose(f);
        /* A poll a stop interrupted before goes on as restart_syscall. */
        if (nr == SYS_poll || nr == SYS_ppoll || nr == SYS_restart_syscall)
            return 0;
        kill(b->process.pid, SIGCONT);
        usleep(1000);
    }
    fprintf(stderr, "blkback: %s never waited in its poll loop\n", b->name);
    return -XEN_EIO;
}

int blkback_stop(struct blkback *b)
{
    return component_stop(&b->process);
}
