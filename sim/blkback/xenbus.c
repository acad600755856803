/* sim/blkback/xenbus.c - see xenbus.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include <xen/io/blkif.h>
#include <xen/io/xenbus.h>
#include <blkif/nodes.h>

#include "xenbus.h"
#include "xenstore/number.h"

/* The only ring layout served: Xen's XEN_IO_PROTO_ABI_X86_64, also the native one. */
#define PROTOCOL_NATIVE "x86_64-abi"

#define NODE_VALUE_MAX 256

/* -- xenstore nodes ------------------------------------------------------- */

/* @dir/@node into @value (NUL-terminated). false when absent or too long. */
static bool read_node(struct backend *be, const char *dir, const char *node, char *value,
                      size_t size)
{
    char path[256];
    unsigned int len;
    char *text;
    bool fits;

    snprintf(path, sizeof(path), "%s/%s", dir, node);
    text = xs_read(be->xs, XBT_NULL, path, &len);
    if (text == NULL)
        return false;
    fits = len < size;
    if (fits)
        memcpy(value, text, len + 1);
    free(text);
    return fits;
}

/* A decimal number no larger than @max; the frontend's nodes are not trusted. */
static bool read_number(struct backend *be, const char *dir, const char *node, uint64_t max,
                        uint64_t *value)
{
    char text[32];

    return read_node(be, dir, node, text, sizeof(text)) &&
           xs_number_parse(text, strlen(text), max, value) == 0;
}

/* A boolean feature node: absent (or not a number) is 0. */
static bool read_flag(struct backend *be, const char *dir, const char *node)
{
    uint64_t value = 0;

    return read_number(be, dir, node, UINT32_MAX, &value) && value != 0;
}

/* Node @node of our directory written; what --node gives it, whatever @fmt says. */
static void write_node(struct backend *be, xs_transaction_t t, const char *node, const char *fmt,
                       ...)
{
    char path[256], value[NODE_VALUE_MAX];
    const char *given = options_node(be->opt, node);
    va_list args;

    va_start(args, fmt);
    vsnprintf(value, sizeof(value), fmt, args);
    va_end(args);
    if (given)
        snprintf(value, sizeof(value), "%s", given);
    snprintf(path, sizeof(path), "%s/%s", be->path, node);
    if (!xs_write(be->xs, t, path, value, (unsigned int)strlen(value)))
        fprintf(stderr, "winpv-blkback: writing %s: %s\n", path, strerror(errno));
}

static void remove_node(struct backend *be, const char *node)
{
    char path[256];

    snprintf(path, sizeof(path), "%s/%s", be->path, node);
    xs_rm(be->xs, XBT_NULL, path);
}

/* A feature node: "1" (or @value) when offered, absent when not (its default). */
static void publish_feature(struct backend *be, const char *node, bool offered, uint64_t value)
{
    if (offered)
        write_node(be, XBT_NULL, node, "%llu", (unsigned long long)value);
    else
        remove_node(be, node);
}

static void switch_state(struct backend *be, int state)
{
    if (be->state == state)
        return;
    be->state = state;
    write_node(be, XBT_NULL, "state", "%d", state);
}

static int frontend_state(struct backend *be)
{
    uint64_t state;

    if (!read_number(be, be->frontend, "state", XenbusStateReconfigured, &state))
        return XenbusStateUnknown;
    return (int)state;
}

/* -- start ---------------------------------------------------------------- */

/* A message to stderr and to node @node of our directory. */
static void report(struct backend *be, const char *node, const char *fmt, va_list args)
{
    char message[NODE_VALUE_MAX];

    vsnprintf(message, sizeof(message), fmt, args);
    fprintf(stderr, "winpv-blkback: %s: %s\n", be->path, message);
    write_node(be, XBT_NULL, node, "%s", message);
}

/* Starting failed: hotplug-error says why, hotplug-status "error" (as a hotplug script's). */
static int hotplug_error(struct backend *be, int err, const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    report(be, "hotplug-error", fmt, args);
    va_end(args);
    write_node(be, XBT_NULL, "hotplug-status", "error");
    return err;
}

/* Where the frontend is, as the toolstack wrote it; it must be the frontend domain's. */
static int read_frontend(struct backend *be)
{
    uint64_t id;
    char prefix[48];

    if (!read_node(be, be->path, "frontend", be->frontend, sizeof(be->frontend)) ||
        !read_number(be, be->path, "frontend-id", DOMID_FIRST_RESERVED - 1, &id))
        return hotplug_error(be, -EINVAL, "no usable frontend, frontend-id nodes");
    snprintf(prefix, sizeof(prefix), "/local/domain/%llu/", (unsigned long long)id);
    if (strncmp(be->frontend, prefix, strlen(prefix)) != 0)
        return hotplug_error(be, -EINVAL, "frontend %s is not in domain %llu", be->frontend,
                             (unsigned long long)id);
    be->frontend_id = (uint32_t)id;
    return 0;
}

/* The device as the toolstack described it: image, mode, type; the image opened. */
static int open_disk(struct backend *be)
{
    char params[NODE_VALUE_MAX], mode[8], type[32] = "disk";
    bool readonly, write_through;
    int rc;

    if (!read_node(be, be->path, "params", params, sizeof(params)) ||
        !read_node(be, be->path, BLKIF_NODE_MODE, mode, sizeof(mode)))
        return hotplug_error(be, -EINVAL, "no params or mode node");
    if (strcmp(mode, "r") != 0 && strcmp(mode, "w") != 0)
        return hotplug_error(be, -EINVAL, "mode '%s' is neither r nor w", mode);
    readonly = mode[0] == 'r';
    read_node(be, be->path, BLKIF_NODE_DEVICE_TYPE, type, sizeof(type));
    /* With neither flush nor barrier, a write must be stable once acknowledged. */
    write_through = !readonly && !be->opt->flush && !be->opt->barrier;
    rc = disk_open(&be->disk, params, readonly, write_through, be->opt->sector_size);
    if (rc)
        return hotplug_error(be, rc, "cannot open %s: %s", params, strerror(-rc));
    be->info = (strcmp(type, "cdrom") == 0 ? VDISK_CDROM : 0) |
               (read_flag(be, be->path, "removable") ? VDISK_REMOVABLE : 0) |
               (readonly ? VDISK_READONLY : 0);
    /* discard-enable: the toolstack's word; absent means offer it (blkif.h). */
    be->discard = be->opt->discard && !readonly;
    if (read_node(be, be->path, BLKIF_NODE_DISCARD_ENABLE, type, sizeof(type)) &&
        strcmp(type, "0") == 0)
        be->discard = false;
    return 0;
}

/*
 * Everything a frontend may read before it connects. Features switched off
 * are removed, so that nothing a previous process published stays.
 */
static void publish(struct backend *be)
{
    const struct blkback_options *opt = be->opt;
    bool writable = !be->disk.readonly;

    publish_feature(be, BLKIF_NODE_FLUSH_CACHE, opt->flush && writable, 1);
    publish_feature(be, BLKIF_NODE_BARRIER, opt->barrier && writable, 1);
    publish_feature(be, BLKIF_NODE_DISCARD, be->discard, 1);
    publish_feature(be, BLKIF_NODE_DISCARD_GRANULARITY, be->discard, opt->discard_granularity);
    publish_feature(be, BLKIF_NODE_DISCARD_ALIGNMENT, be->discard, opt->discard_alignment);
    publish_feature(be, BLKIF_NODE_DISCARD_SECURE, be->discard && opt->discard_secure, 1);
    publish_feature(be, BLKIF_NODE_PERSISTENT, opt->persistent, 1);
    publish_feature(be, BLKIF_NODE_MAX_INDIRECT_SEGMENTS, opt->max_indirect_segments > 0,
                    opt->max_indirect_segments);
    publish_feature(be, BLKIF_NODE_MAX_RING_PAGE_ORDER, opt->max_ring_page_order > 0,
                    opt->max_ring_page_order);
    publish_feature(be, BLKIF_NODE_MAX_QUEUES, opt->max_queues > 1, opt->max_queues);
    write_node(be, XBT_NULL, BLKIF_NODE_SECTOR_SIZE, "%u", opt->sector_size);
    write_node(be, XBT_NULL, BLKIF_NODE_PHYSICAL_SECTOR_SIZE, "%u", opt->physical_sector_size);
    write_node(be, XBT_NULL, BLKIF_NODE_SECTORS, "%llu", (unsigned long long)be->disk.sectors);
    write_node(be, XBT_NULL, BLKIF_NODE_INFO, "%u", be->info);
    /* What --node gives nodes we do not write ourselves (the toolstack's mode, say). */
    for (uint32_t i = 0; i < opt->nr_nodes; i++) {
        char node[NODE_VALUE_MAX];

        snprintf(node, sizeof(node), "%.*s", (int)strcspn(opt->nodes[i], "="), opt->nodes[i]);
        write_node(be, XBT_NULL, node, "%s", "");
    }
}

static bool watch(struct backend *be, const char *dir, const char *node)
{
    char path[256];

    snprintf(path, sizeof(path), "%s/%s", dir, node);
    return xs_watch(be->xs, path, node);
}

int backend_start(struct backend *be, const struct blkback_options *opt, struct xs_handle *xs,
                  struct dom0 *dom0)
{
    uint64_t old_state = XenbusStateUnknown;
    int fe, rc;

    memset(be, 0, sizeof(*be));
    be->opt = opt;
    be->xs = xs;
    be->dom0 = dom0;
    be->disk.fd = -1;
    be->misbehave = (struct misbehave){.kind = opt->misbehave, .after = opt->misbehave_after};
    snprintf(be->path, sizeof(be->path), "%s", opt->backend_path);
    rc = read_frontend(be);
    if (rc == 0)
        rc = open_disk(be);
    if (rc)
        return rc;
    publish(be);
    remove_node(be, "error");
    read_number(be, be->path, "state", XenbusStateReconfigured, &old_state);
    fe = frontend_state(be);
    /*
     * A frontend past Initialised while a previous backend process was
     * connected or closing: its ring's state died with that process. It
     * must close and start over.
     */
    if ((fe == XenbusStateInitialised || fe == XenbusStateConnected || fe == XenbusStateClosing) &&
        (old_state == XenbusStateConnected || old_state == XenbusStateClosing ||
         old_state == XenbusStateClosed)) {
        fprintf(stderr,
                "winpv-blkback: %s: frontend left connected by a previous backend; "
                "asking it to close\n",
                be->path);
        be->state = (int)old_state;
        switch_state(be, XenbusStateClosing);
    } else if (fe == XenbusStateClosed) {
        switch_state(be, XenbusStateClosed); /* InitWait when it starts over */
    } else {
        switch_state(be, XenbusStateInitWait);
    }
    if (!watch(be, be->frontend, "state") || !watch(be, be->path, "online"))
        return hotplug_error(be, -EIO, "cannot watch xenstore");
    write_node(be, XBT_NULL, "hotplug-status", "connected");
    return 0;
}

/* -- connect -------------------------------------------------------------- */

/* The connection failed: "error" says why; the frontend is asked to close. */
static void fail(struct backend *be, const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    report(be, "error", fmt, args);
    va_end(args);
    device_destroy(be->dev);
    be->dev = NULL;
    switch_state(be, XenbusStateClosing);
}

/* The ring of queue @dir: its references and port, connected to the device. */
static int connect_queue(struct backend *be, const char *dir, uint32_t pages)
{
    uint32_t refs[1u << BLKBACK_MAX_RING_PAGE_ORDER];
    char node[32], why[128];
    uint64_t value;
    int rc;

    for (uint32_t i = 0; i < pages; i++) {
        snprintf(node, sizeof(node), BLKIF_NODE_RING_REF "%u", i);
        /* One page: "ring-ref" (blkif.h), though some frontends write ring-ref0. */
        if (!(pages == 1 && read_number(be, dir, BLKIF_NODE_RING_REF, UINT32_MAX, &value)) &&
            !read_number(be, dir, node, UINT32_MAX, &value)) {
            fail(be, "%s: no usable %s", dir, pages == 1 ? BLKIF_NODE_RING_REF : node);
            return -EINVAL;
        }
        refs[i] = (uint32_t)value;
    }
    if (!read_number(be, dir, BLKIF_NODE_EVENT_CHANNEL, UINT32_MAX, &value)) {
        fail(be, "%s: no usable event-channel", dir);
        return -EINVAL;
    }
    rc = device_add_queue(be->dev, refs, pages, (uint32_t)value, why, sizeof(why));
    if (rc)
        fail(be, "%s: %s: %s", dir, why, strerror(-rc));
    return rc;
}

/* What the frontend chose, checked against what we offered. */
static int read_transport(struct backend *be, uint32_t *queues, uint32_t *pages)
{
    const struct blkback_options *opt = be->opt;
    char protocol[32];
    uint64_t value;

    if (read_node(be, be->frontend, BLKIF_NODE_PROTOCOL, protocol, sizeof(protocol)) &&
        strcmp(protocol, PROTOCOL_NATIVE) != 0) {
        fail(be, "protocol '%s' is not supported (only %s)", protocol, PROTOCOL_NATIVE);
        return -EPROTONOSUPPORT;
    }
    value = 1;
    if (read_node(be, be->frontend, BLKIF_NODE_NUM_QUEUES, protocol, sizeof(protocol)) &&
        (!read_number(be, be->frontend, BLKIF_NODE_NUM_QUEUES, opt->max_queues, &value) ||
         value == 0)) {
        fail(be, "multi-queue-num-queues must be 1 to %u", opt->max_queues);
        return -EINVAL;
    }
    *queues = (uint32_t)value;
    value = 0;
    if (read_node(be, be->frontend, BLKIF_NODE_RING_PAGE_ORDER, protocol, sizeof(protocol)) &&
        !read_number(be, be->frontend, BLKIF_NODE_RING_PAGE_ORDER, opt->max_ring_page_order,
                     &value)) {
        fail(be, "ring-page-order must be 0 to %u", opt->max_ring_page_order);
        return -EINVAL;
    }
    *pages = 1u << value;
    if (opt->sector_size != 512 && !read_flag(be, be->frontend, BLKIF_NODE_LARGE_SECTOR_SIZE)) {
        fail(be, "sector size %u needs a frontend with feature-large-sector-size",
             opt->sector_size);
        return -EINVAL;
    }
    return 0;
}

static void connect(struct backend *be)
{
    struct device_params params = {
        .dom0 = be->dom0,
        .domid = be->frontend_id,
        .disk_fd = be->disk.fd,
        .limits =
            {
                .sectors = be->disk.sectors,
                .unit = be->opt->sector_size,
                .readonly = be->disk.readonly,
                .flush = be->opt->flush && !be->disk.readonly,
                .barrier = be->opt->barrier && !be->disk.readonly,
                .discard = be->discard,
                .discard_secure = be->discard && be->opt->discard_secure,
                .max_indirect_segments = be->opt->max_indirect_segments,
            },
        .persistent = be->opt->persistent && read_flag(be, be->frontend, BLKIF_NODE_PERSISTENT),
        .max_persistent_grants = be->opt->max_persistent_grants,
        .max_inflight = be->opt->max_inflight,
        .misbehave = &be->misbehave,
    };
    uint32_t queues, pages;
    int rc;

    if (read_transport(be, &queues, &pages) != 0)
        return;
    /* A limit for each queue, as Linux's blkback counts them per ring. */
    params.max_persistent_grants *= queues;
    rc = device_create(&params, &be->dev);
    if (rc) {
        fail(be, "cannot set up the device: %s", strerror(-rc));
        return;
    }
    for (uint32_t q = 0; q < queues; q++) {
        char dir[256];

        if (queues == 1)
            snprintf(dir, sizeof(dir), "%s", be->frontend);
        else
            snprintf(dir, sizeof(dir), "%s/queue-%u", be->frontend, q);
        if (connect_queue(be, dir, pages) != 0)
            return;
    }
    remove_node(be, "error");
    write_node(be, XBT_NULL, BLKIF_NODE_SECTORS, "%llu", (unsigned long long)be->disk.sectors);
    switch_state(be, XenbusStateConnected);
    fprintf(stderr, "winpv-blkback: %s: connected, %u queue(s) of %u page(s), persistent %s\n",
            be->path, queues, pages, params.persistent ? "on" : "off");
    /* Requests published before we looked. */
    device_pump(be->dev);
}

static void disconnect(struct backend *be)
{
    device_destroy(be->dev);
    be->dev = NULL;
}

/* -- changes -------------------------------------------------------------- */

static bool online(struct backend *be)
{
    return read_flag(be, be->path, "online");
}

void backend_changed(struct backend *be)
{
    int fe = frontend_state(be);

    switch (fe) {
    case XenbusStateInitialising:
        if (be->state == XenbusStateConnected)
            disconnect(be); /* it started over without closing */
        if (be->state == XenbusStateClosed || be->state == XenbusStateConnected)
            switch_state(be, XenbusStateInitWait);
        break;
    case XenbusStateInitialised:
    case XenbusStateConnected:
        if (be->state == XenbusStateInitWait && online(be))
            connect(be);
        break;
    case XenbusStateClosing:
        if (be->state != XenbusStateClosed)
            switch_state(be, XenbusStateClosing);
        break;
    case XenbusStateClosed:
    case XenbusStateUnknown: /* its directory is gone */
        disconnect(be);
        switch_state(be, XenbusStateClosed);
        break;
    default:
        break;
    }
    if (!online(be)) {
        if (be->dev)
            switch_state(be, XenbusStateClosing); /* the frontend must let go first */
        else {
            switch_state(be, XenbusStateClosed);
            be->quit = true;
        }
    }
}

void backend_check(struct backend *be)
{
    if (be->dev && device_broken(be->dev))
        fail(be, "the frontend broke the ring protocol");
}

void backend_resize(struct backend *be)
{
    xs_transaction_t t;

    if (!disk_refresh(&be->disk))
        return;
    fprintf(stderr, "winpv-blkback: %s: now %llu sectors\n", be->path,
            (unsigned long long)be->disk.sectors);
    if (be->dev)
        device_set_sectors(be->dev, be->disk.sectors);
    /*
     * As Linux's blkback: the new size and the state rewritten in one
     * transaction, so a connected frontend's watch on the state sees it.
     */
    do {
        t = xs_transaction_start(be->xs);
        if (t == XBT_NULL)
            return;
        write_node(be, t, BLKIF_NODE_SECTORS, "%llu", (unsigned long long)be->disk.sectors);
        if (be->state == XenbusStateConnected)
            write_node(be, t, "state", "%d", be->state);
    } while (!xs_transaction_end(be->xs, t, false) && errno == EAGAIN);
}

void backend_stop(struct backend *be)
{
    disconnect(be);
    disk_close(&be->disk);
}
