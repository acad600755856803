/*
 * core/vbd/front_negotiate.c - what the backend offers (xen/io/blkif.h's
 * nodes, each optional, each checked), what we use of it, and what we
 * publish in return.
 *
 * Transport parameters (ring size, queues) are read while the backend
 * waits for us (InitWait); everything else once it is Connected, which is
 * when Linux's blkback first writes its features and the disk's size.
 */
#include <string.h>
#include <blkif/nodes.h>

#include "vbd/front_internal.h"
#include "xenbus/node.h"
#include "xenstore/number.h"

/* Times the publishing transaction is tried when xenstored reports a conflict. */
#define FRONT_TX_ATTEMPTS 16

static bool power_of_two(uint64_t v)
{
    return v && !(v & (v - 1));
}

static uint32_t log2_of(uint64_t v)
{
    uint32_t n = 0;

    while (v > 1) {
        v >>= 1;
        n++;
    }
    return n;
}

/* A node of the backend makes no sense: say which, for XENBUS's error node. */
static int refuse(struct vbd_front *front, const char *node)
{
    static const char prefix[] = "invalid backend node ";
    size_t p = sizeof(prefix) - 1, n = strlen(node);

    if (p + n >= sizeof(front->fail_message))
        n = sizeof(front->fail_message) - p - 1;
    memcpy(front->fail_message, prefix, p);
    memcpy(front->fail_message + p, node, n);
    front->fail_message[p + n] = '\0';
    front->fail_reason = front->fail_message;
    os_log(OS_LOG_ERROR, "vbd: %s: %s\n", front->nodename, front->fail_message);
    return -XEN_EINVAL;
}

/* A number node of the backend; absent leaves *value as it is. */
static int backend_number(struct vbd_front *front, const char *node, uint64_t max, uint64_t *value)
{
    int rc = front_read_number(front, front->otherend, node, max, value);

    if (rc == -XEN_EINVAL)
        return refuse(front, node);
    return rc == -XEN_ENOENT ? 0 : rc;
}

static int backend_flag(struct vbd_front *front, const char *node, bool *value)
{
    int rc = front_read_flag(front, front->otherend, node, false, value);

    return rc == -XEN_EINVAL ? refuse(front, node) : rc;
}

/* The largest ring the backend takes: max-ring-page-order, or the older max-ring-pages. */
static int ring_order_offered(struct vbd_front *front, uint32_t *order)
{
    uint64_t v;
    int rc =
        front_read_number(front, front->otherend, BLKIF_NODE_MAX_RING_PAGE_ORDER, UINT32_MAX, &v);

    if (rc == 0) {
        *order = v > VBD_FRONT_MAX_RING_PAGE_ORDER ? VBD_FRONT_MAX_RING_PAGE_ORDER : (uint32_t)v;
        return 0;
    }
    if (rc == -XEN_EINVAL)
        return refuse(front, BLKIF_NODE_MAX_RING_PAGE_ORDER);
    rc = front_read_number(front, front->otherend, BLKIF_NODE_MAX_RING_PAGES, UINT32_MAX, &v);
    if (rc == -XEN_ENOENT) {
        *order = 0;
        return 0;
    }
    if (rc || !power_of_two(v))
        return refuse(front, BLKIF_NODE_MAX_RING_PAGES);
    *order = log2_of(v);
    return 0;
}

int front_choose_transport(struct vbd_front *front)
{
    uint32_t order = 0;
    uint64_t queues = 1;
    int rc = 0;

    if (!front->opt.no_multi_page_ring)
        rc = ring_order_offered(front, &order);
    if (rc)
        return rc;
    if (order > front->opt.max_ring_page_order)
        order = front->opt.max_ring_page_order;
    if (!front->opt.no_multi_queue)
        rc = backend_number(front, BLKIF_NODE_MAX_QUEUES, UINT32_MAX, &queues);
    if (rc)
        return rc;
    /* 0 is no offer at all: one queue, as without the node. */
    if (queues == 0)
        queues = 1;
    if (queues > front->opt.max_queues)
        queues = front->opt.max_queues;
    front->ring_order = order;
    front->info.ring_pages = 1u << order;
    front->info.queues = (uint32_t)queues;
    return 0;
}

/* -- publishing ----------------------------------------------------------- */

/* The length of a node name given as a literal. */
#define NAME_LEN(literal) (sizeof(literal) - 1)

/* Nodes a previous connection may have left that this one might not write. */
static bool stale_node(const char *name)
{
    static const char *const exact[] = {BLKIF_NODE_EVENT_CHANNEL, BLKIF_NODE_NUM_QUEUES,
                                        BLKIF_NODE_RING_PAGE_ORDER, BLKIF_NODE_NUM_RING_PAGES};

    if (strncmp(name, BLKIF_NODE_RING_REF, NAME_LEN(BLKIF_NODE_RING_REF)) == 0 ||
        strncmp(name, BLKIF_NODE_QUEUE, NAME_LEN(BLKIF_NODE_QUEUE)) == 0)
        return true;
    for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
        if (strcmp(name, exact[i]) == 0)
            return true;
    return false;
}

static int remove_stale(struct vbd_front *front, uint32_t tx)
{
    const struct winpv_store_interface_v1 *store = front->svc.store;
    char path[FRONT_PATH_MAX];
    unsigned int count;
    char **names;
    int rc = store->directory(store->header.context, tx, front->nodename, &names, &count);

    if (rc)
        return rc;
    for (unsigned int i = 0; rc == 0 && i < count; i++) {
        if (!stale_node(names[i]))
            continue;
        rc = xenbus_path(path, sizeof(path), front->nodename, names[i]);
        if (rc == 0)
            rc = store->rm(store->header.context, tx, path);
        if (rc == -XEN_ENOENT)
            rc = 0;
    }
    store->free(store->header.context, names);
    return rc;
}

/* "ring-ref" for one page, "ring-ref0".. for several (blkif.h note 6). */
static int write_ring_refs(struct vbd_front *front, uint32_t tx, const char *dir,
                           const struct front_region *ring)
{
    char name[NAME_LEN(BLKIF_NODE_RING_REF) + XS_NUMBER_TEXT_MAX] = BLKIF_NODE_RING_REF;
    int rc = 0;

    if (ring->count == 1)
        return front_write_number(front, tx, dir, name, ring->refs[0]);
    for (uint32_t i = 0; rc == 0 && i < ring->count; i++) {
        xs_number_format(name + NAME_LEN(BLKIF_NODE_RING_REF), i, 10);
        rc = front_write_number(front, tx, dir, name, ring->refs[i]);
    }
    return rc;
}

static int write_queue(struct vbd_front *front, uint32_t tx, const struct front_queue *q)
{
    const struct winpv_evtchn_interface_v1 *evtchn = front->svc.evtchn;
    char dir[FRONT_PATH_MAX];
    int rc = 0;

    /* One queue: the nodes at the top, as a frontend without multi-queue writes them. */
    if (front->info.queues == 1)
        rc = xenbus_path(dir, sizeof(dir), front->nodename, NULL);
    else {
        char name[NAME_LEN(BLKIF_NODE_QUEUE) + XS_NUMBER_TEXT_MAX] = BLKIF_NODE_QUEUE;

        xs_number_format(name + NAME_LEN(BLKIF_NODE_QUEUE), q->index, 10);
        rc = xenbus_path(dir, sizeof(dir), front->nodename, name);
    }
    if (rc == 0)
        rc = write_ring_refs(front, tx, dir, q->ring_pages);
    if (rc == 0)
        rc = front_write_number(front, tx, dir, BLKIF_NODE_EVENT_CHANNEL,
                                evtchn->port(evtchn->header.context, q->channel));
    return rc;
}

static int write_nodes(struct vbd_front *front, uint32_t tx)
{
    const char *dir = front->nodename;
    int rc = remove_stale(front, tx);

    for (uint32_t q = 0; rc == 0 && q < front->info.queues; q++)
        rc = write_queue(front, tx, &front->queues[q]);
    if (rc == 0 && front->info.queues > 1)
        rc = front_write_number(front, tx, dir, BLKIF_NODE_NUM_QUEUES, front->info.queues);
    if (rc == 0 && front->ring_order > 0)
        rc = front_write_number(front, tx, dir, BLKIF_NODE_RING_PAGE_ORDER, front->ring_order);
    if (rc == 0)
        rc = front_write_text(front, tx, dir, BLKIF_NODE_PROTOCOL, FRONT_PROTOCOL);
    if (rc == 0)
        rc = front_write_number(front, tx, dir, BLKIF_NODE_PERSISTENT, !front->opt.no_persistent);
    /* Sector numbers in the backend's sector-size (blkif.h): we convert. */
    if (rc == 0)
        rc = front_write_number(front, tx, dir, BLKIF_NODE_LARGE_SECTOR_SIZE, 1);
    return rc;
}

int front_publish(struct vbd_front *front)
{
    const struct winpv_store_interface_v1 *store = front->svc.store;
    void *ctx = store->header.context;

    for (int attempt = 0; attempt < FRONT_TX_ATTEMPTS; attempt++) {
        uint32_t tx;
        int rc = store->tx_start(ctx, &tx), end;

        if (rc)
            return rc;
        rc = write_nodes(front, tx);
        end = store->tx_end(ctx, tx, rc == 0);
        if (rc)
            return rc;
        if (end != -XEN_EAGAIN)
            return end;
    }
    return -XEN_EAGAIN;
}

/* -- the disk --------------------------------------------------------------- */

/* The logical and physical sector sizes; we can carry 512 to a page. */
static int read_sector_sizes(struct vbd_front *front, uint32_t *unit, uint32_t *physical)
{
    uint64_t v = 512;
    int rc = backend_number(front, BLKIF_NODE_SECTOR_SIZE, UINT32_MAX, &v);

    if (rc)
        return rc;
    if (!power_of_two(v) || v < 512 || v > OS_PAGE_SIZE)
        return refuse(front, BLKIF_NODE_SECTOR_SIZE);
    *unit = (uint32_t)v;
    rc = backend_number(front, BLKIF_NODE_PHYSICAL_SECTOR_SIZE, UINT32_MAX, &v);
    if (rc)
        return rc;
    if (!power_of_two(v) || v < *unit || v / *unit > (1u << VBD_SCSI_PHYSICAL_EXP_MAX))
        return refuse(front, BLKIF_NODE_PHYSICAL_SECTOR_SIZE);
    *physical = v == *unit ? 0 : (uint32_t)v;
    return 0;
}

/* Device type, mode and the info bits: what kind of disk, and may we write it. */
static int read_kind(struct vbd_front *front, struct vbd_scsi_disk *disk)
{
    char text[16];
    uint64_t info = 0;
    int rc = backend_number(front, BLKIF_NODE_INFO, UINT32_MAX, &info);

    if (rc)
        return rc;
    disk->cdrom = (info & VDISK_CDROM) != 0;
    disk->removable = (info & VDISK_REMOVABLE) != 0;
    disk->read_only = (info & VDISK_READONLY) != 0;
    rc = front_read_text(front, front->otherend, BLKIF_NODE_MODE, text, sizeof(text));
    if (rc == 0 && strcmp(text, "r") != 0 && strcmp(text, "w") != 0)
        rc = -XEN_EINVAL;
    if (rc == -XEN_EINVAL)
        return refuse(front, BLKIF_NODE_MODE);
    if (rc == 0 && text[0] == 'r')
        disk->read_only = true;
    /* Ours, written by the toolstack: only a hint next to the info bit. */
    if (front_read_text(front, front->nodename, BLKIF_NODE_DEVICE_TYPE, text, sizeof(text)) == 0 &&
        strcmp(text, "cdrom") == 0)
        disk->cdrom = true;
    return 0;
}

static int read_size(struct vbd_front *front, uint32_t unit, struct vbd_scsi_disk *disk)
{
    uint64_t sectors;
    int rc =
        front_read_number(front, front->otherend, BLKIF_NODE_SECTORS, UINT64_MAX / unit, &sectors);

    /* An empty CD drive has no sectors; a disk without any is no disk. */
    if (rc == -XEN_ENOENT && disk->cdrom)
        sectors = 0;
    else if (rc || (sectors == 0 && !disk->cdrom))
        return refuse(front, BLKIF_NODE_SECTORS);
    disk->sectors = sectors * (unit / 512);
    return 0;
}

static int read_flush(struct vbd_front *front)
{
    bool flush = false, barrier = false;
    int rc = backend_flag(front, BLKIF_NODE_FLUSH_CACHE, &flush);

    if (rc == 0)
        rc = backend_flag(front, BLKIF_NODE_BARRIER, &barrier);
    if (flush && !front->opt.no_flush)
        front->info.flush_op = BLKIF_OP_FLUSH_DISKCACHE;
    else if (barrier && !front->opt.no_barrier)
        front->info.flush_op = BLKIF_OP_WRITE_BARRIER;
    else
        front->info.flush_op = 0;
    return rc;
}

/*
 * Discard and its geometry. The granularity and alignment only advise the
 * SCSI layer (page 0xB0); ones that contradict the sector size switch
 * discard off rather than refuse the disk.
 */
static int read_discard(struct vbd_front *front, uint32_t unit, struct vbd_scsi_disk *disk)
{
    uint64_t granularity = unit, alignment = 0;
    bool discard = false, secure = false;
    int rc = backend_flag(front, BLKIF_NODE_DISCARD, &discard);

    if (rc || !discard || front->opt.no_discard)
        return rc;
    rc = backend_number(front, BLKIF_NODE_DISCARD_GRANULARITY, UINT32_MAX, &granularity);
    if (rc == 0)
        rc = backend_number(front, BLKIF_NODE_DISCARD_ALIGNMENT, UINT32_MAX, &alignment);
    if (rc == 0)
        rc = backend_flag(front, BLKIF_NODE_DISCARD_SECURE, &secure);
    if (rc)
        return rc;
    if (granularity == 0)
        granularity = unit;
    if (granularity % unit || alignment % unit || alignment >= granularity) {
        os_log(OS_LOG_WARN, "vbd: %s: discard granularity %llu, alignment %llu: not used\n",
               front->nodename, (unsigned long long)granularity, (unsigned long long)alignment);
        return 0;
    }
    front->info.discard = true;
    front->info.discard_secure = secure;
    disk->discard = true;
    disk->discard_secure = secure;
    disk->discard_granularity = (uint32_t)granularity;
    disk->discard_alignment = (uint32_t)alignment;
    return 0;
}

/* Indirect segments, persistent grants, and the pool they need. */
/*
 * With persistent grants every byte goes through the pool: a budget for the
 * disk shared by its queues (one queue keeps 32 MiB of requests in flight;
 * sixteen do not take a grant table's worth of references between them).
 */
static uint32_t persistent_pool_pages(uint32_t queues)
{
    uint32_t pages = VBD_FRONT_COPY_PAGES_PERSISTENT / (queues ? queues : 1);

    return pages > VBD_FRONT_COPY_PAGES_PERSISTENT_MIN ? pages
                                                       : VBD_FRONT_COPY_PAGES_PERSISTENT_MIN;
}

static int read_transfer(struct vbd_front *front)
{
    struct vbd_front_info *info = &front->info;
    uint64_t segments = 0;
    bool persistent = false;
    int rc = backend_flag(front, BLKIF_NODE_PERSISTENT, &persistent);

    if (rc == 0 && !front->opt.no_indirect)
        rc = backend_number(front, BLKIF_NODE_MAX_INDIRECT_SEGMENTS, UINT32_MAX, &segments);
    if (rc)
        return rc;
    if (segments > front->opt.max_segments)
        segments = front->opt.max_segments;
    info->indirect = segments > BLKIF_MAX_SEGMENTS_PER_REQUEST;
    info->max_segments = info->indirect ? (uint32_t)segments : BLKIF_MAX_SEGMENTS_PER_REQUEST;
    info->persistent = persistent && !front->opt.no_persistent;
    info->copy_pages = front->opt.copy_pages ? front->opt.copy_pages
                       : info->persistent    ? persistent_pool_pages(info->queues)
                                             : VBD_FRONT_COPY_PAGES_DEFAULT;
    /* Room for the largest request, so that one always fits. */
    if (info->copy_pages < info->max_segments + front_indirect_pages(info->max_segments))
        info->copy_pages = info->max_segments + front_indirect_pages(info->max_segments);
    if (info->copy_pages > VBD_FRONT_MAX_COPY_PAGES)
        info->copy_pages = VBD_FRONT_MAX_COPY_PAGES;
    return 0;
}

int front_read_size(struct vbd_front *front, uint64_t *sectors)
{
    struct vbd_scsi_disk disk = vbd_front_disk(front);
    int rc = read_size(front, front->info.sector_unit, &disk);

    if (rc == 0 && vbd_scsi_disk_check(&disk) != 0)
        rc = -XEN_EINVAL;
    if (rc == 0)
        *sectors = disk.sectors;
    return rc;
}

int front_read_disk(struct vbd_front *front)
{
    struct vbd_scsi_disk disk = {0};
    uint32_t unit = 512, physical = 0;
    int rc = read_sector_sizes(front, &unit, &physical);

    if (rc == 0)
        rc = read_kind(front, &disk);
    if (rc == 0)
        rc = read_size(front, unit, &disk);
    if (rc == 0)
        rc = read_flush(front);
    if (rc == 0)
        rc = read_discard(front, unit, &disk);
    if (rc == 0)
        rc = read_transfer(front);
    if (rc)
        return rc;
    front->info.sector_unit = unit;
    disk.sector_size = unit;
    disk.physical_sector_size = physical;
    disk.max_transfer = front->opt.max_transfer - front->opt.max_transfer % unit;
    if (disk.max_transfer < unit)
        disk.max_transfer = unit;
    disk.flush = front->info.flush_op != 0;
    if (vbd_scsi_disk_check(&disk) != 0)
        return refuse(front, BLKIF_NODE_SECTORS);
    front_publish_disk(front, &disk);
    return 0;
}
