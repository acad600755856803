/*
 * windows/xenvbd/targets.c - the adapter's targets: one per vbd device of
 * the domain, connected through core/vbd, kept in step with the domain's
 * devices while the adapter runs.
 *
 * Passive initialization connects every device the domain has. From then
 * on a xenstore watch on device/vbd (XENBUS's STORE table) and core/vbd's
 * removal callback each queue one work item, which runs at PASSIVE_LEVEL
 * on a system worker: the watch's own thread could not wait for a
 * handshake whose state changes come through that same thread. The work
 * item compares the devices with the targets:
 *  - a target whose frontend saw its disk unplugged (vbd_front_gone), or
 *    whose device directory is gone, is taken out of HwStartIo's sight
 *    once the HwStartIo calls using it have left (its SRBs answered
 *    SRB_STATUS_NO_DEVICE from then on), its frontend closed and the
 *    target freed;
 *  - a device that is no target yet, whose frontend state the toolstack
 *    left Initialising (written last when it lays a device out; Linux's
 *    xenbus_probe waits for it too), is connected and given the lowest
 *    free target;
 * and a change is reported to Storport (BusChangeDetected), which
 * enumerates the bus again. A device that does not connect is logged once
 * and left out until it goes from the domain; one that finds no free
 * target, until a target is freed.
 *
 * While it follows them it tells the toolstack so: feature/hotplug/vbd
 * "1" (Xen's xenstore-paths: a new vbd is brought online at once; XAPI
 * reads it), removed at the stop.
 *
 * Only passive initialization, the work item and the stop change the
 * target table, never two at once (the stop removes the watch and flushes
 * the work first); a target's rundown (target_use.c) orders each change
 * against HwStartIo, which reads the table at DISPATCH_LEVEL.
 */
#include <xen/io/xenbus.h>

#include "adapter.h"
#include "xenstore/number.h"

#define VBD_DIR     "device/vbd"
#define HOTPLUG_KEY "feature/hotplug/vbd"
#define STATE_PATH  (sizeof(VBD_DIR "/") + XENVBD_ID_SIZE + sizeof("/state"))

static void *store_context(const struct xenvbd_adapter *adapter)
{
    return adapter->store.header.context;
}

/* A device's name as the toolstack gives it: its virtual-device number. */
static BOOLEAN name_usable(const char *name)
{
    uint64_t vdev;
    size_t len = strlen(name);

    return len < XENVBD_ID_SIZE && xs_number_parse(name, len, UINT32_MAX, &vdev) == 0;
}

static BOOLEAN listed(char **names, unsigned int count, const char *id)
{
    for (unsigned int i = 0; i < count; i++) {
        if (strcmp(names[i], id) == 0)
            return TRUE;
    }
    return FALSE;
}

static struct xenvbd_target *target_of(struct xenvbd_adapter *adapter, const char *id)
{
    for (unsigned int i = 0; i < XENVBD_MAX_TARGETS; i++) {
        if (adapter->target[i].front && strcmp(adapter->target[i].id, id) == 0)
            return &adapter->target[i];
    }
    return NULL;
}

static BOOLEAN refused(const struct xenvbd_adapter *adapter, const char *id)
{
    for (unsigned int i = 0; i < XENVBD_MAX_TARGETS; i++) {
        if (strcmp(adapter->refused[i].id, id) == 0)
            return TRUE;
    }
    return FALSE;
}

/* Leave device @id out (see the top); when the list is full it is tried again later. */
static void refuse(struct xenvbd_adapter *adapter, const char *id, BOOLEAN no_room)
{
    for (unsigned int i = 0; i < XENVBD_MAX_TARGETS; i++) {
        if (adapter->refused[i].id[0] == '\0') {
            strcpy(adapter->refused[i].id, id);
            adapter->refused[i].no_room = no_room;
            return;
        }
    }
}

/* Take back the refusals that ended: of devices gone, and for want of room once a target is free. */
static void forgive(struct xenvbd_adapter *adapter, char **names, unsigned int count,
                    BOOLEAN target_freed)
{
    for (unsigned int i = 0; i < XENVBD_MAX_TARGETS; i++) {
        if (!listed(names, count, adapter->refused[i].id) ||
            (target_freed && adapter->refused[i].no_room))
            adapter->refused[i].id[0] = '\0';
    }
}

/* Whether the toolstack finished laying device @id out: its frontend state Initialising. */
static BOOLEAN initialising(struct xenvbd_adapter *adapter, const char *id)
{
    char path[STATE_PATH];
    char *value = NULL;
    size_t len = 0;
    uint64_t state = XenbusStateUnknown;

    strcpy(path, VBD_DIR "/");
    strcpy(path + strlen(path), id); /* name_usable: shorter than XENVBD_ID_SIZE */
    strcpy(path + strlen(path), "/state");
    if (adapter->store.read(store_context(adapter), 0, path, &value, &len) != 0)
        return FALSE;
    if (xs_number_parse(value, len, XenbusStateReconfigured, &state) != 0)
        state = XenbusStateUnknown;
    adapter->store.free(store_context(adapter), value);
    return state == XenbusStateInitialising;
}

static void queue_work(void *ctx)
{
    struct xenvbd_adapter *adapter = ctx;

    os_work_queue(&adapter->work);
}

static void on_watch(void *ctx, const char *path)
{
    queue_work(ctx);
}

/* Connect device @id as the lowest free target; FALSE when it was left out. */
static BOOLEAN open_target(struct xenvbd_adapter *adapter, const char *id)
{
    const struct vbd_front_services svc = {&adapter->store, &adapter->xenbus, &adapter->gnttab,
                                           &adapter->evtchn, &adapter->suspend};
    /* Every disk gets a dump context: Windows may choose any of them for its dump. */
    const struct vbd_front_options opt = {.gone = queue_work, .gone_ctx = adapter, .dump = true};
    struct xenvbd_target *t = NULL;
    struct vbd_scsi_disk disk;
    struct vbd_front *front;
    unsigned int slot;
    int rc;

    for (slot = 0; slot < XENVBD_MAX_TARGETS && t == NULL; slot++) {
        if (adapter->target[slot].front == NULL)
            t = &adapter->target[slot];
    }
    if (t == NULL) {
        os_log(OS_LOG_WARN, "xenvbd: vbd %s: no free target (%u in use): left out\n", id,
               XENVBD_MAX_TARGETS);
        refuse(adapter, id, TRUE);
        return FALSE;
    }
    slot--;
    rc = vbd_front_open(&svc, id, &opt, &front);
    if (rc) {
        os_log(OS_LOG_WARN, "xenvbd: vbd %s did not connect (%d)\n", id, rc);
        refuse(adapter, id, FALSE);
        return FALSE;
    }
    disk = vbd_front_disk(front);
    strcpy(t->id, id);
    vbd_scsi_attention_init(&t->attention, &disk);
    xenvbd_target_publish(t, front);
    /* disk.sectors counts 512-byte units whatever the disk's sector size. */
    os_log(OS_LOG_INFO, "xenvbd: target %u is vbd %s: %llu sectors of %u bytes%s\n", slot, id,
           (unsigned long long)vbd_scsi_capacity(&disk), disk.sector_size,
           disk.read_only ? ", read-only" : "");
    return TRUE;
}

/* Take @t out of HwStartIo's sight, close its frontend, free it. */
static void close_target(struct xenvbd_adapter *adapter, struct xenvbd_target *t)
{
    struct vbd_front *front = xenvbd_target_withdraw(t);

    vbd_front_close(front); /* fails what it still holds: each SRB given back */
}

/*
 * Compare the domain's devices with the targets (see the top): close the
 * departed, connect the new. @initial: at the start, every device
 * whatever its state (a restart of the adapter finds its devices Closed),
 * nothing reported. Returns whether a target was given or freed.
 */
static BOOLEAN compare(struct xenvbd_adapter *adapter, BOOLEAN initial)
{
    char **names = NULL;
    unsigned int count = 0;
    BOOLEAN changed = FALSE;
    int rc = adapter->store.directory(store_context(adapter), 0, VBD_DIR, &names, &count);

    if (rc && rc != -XEN_ENOENT) {
        os_log(OS_LOG_WARN, "xenvbd: " VBD_DIR " not read (%d)\n", rc);
        return FALSE;
    }
    if (initial)
        os_log(OS_LOG_INFO, "xenvbd: %u vbd device(s)\n", count);
    for (unsigned int i = 0; i < XENVBD_MAX_TARGETS; i++) {
        struct xenvbd_target *t = &adapter->target[i];

        if (t->front == NULL || (!vbd_front_gone(t->front) && listed(names, count, t->id)))
            continue;
        close_target(adapter, t);
        os_log(OS_LOG_INFO, "xenvbd: vbd %s is gone: target %u freed\n", t->id, i);
        changed = TRUE;
    }
    forgive(adapter, names, count, changed);
    for (unsigned int i = 0; i < count; i++) {
        if (!name_usable(names[i]) || target_of(adapter, names[i]) || refused(adapter, names[i]))
            continue;
        if ((initial || initialising(adapter, names[i])) && open_target(adapter, names[i]))
            changed = TRUE;
    }
    if (names)
        adapter->store.free(store_context(adapter), names);
    return changed;
}

static void follow_devices(void *ctx)
{
    struct xenvbd_adapter *adapter = ctx;

    if (os_atomic_load32(&adapter->stopping))
        return;
    if (compare(adapter, FALSE))
        StorPortNotification(STOR_BUS_CHANGE_DETECTED, adapter, (UCHAR)0);
}

void xenvbd_targets_start(struct xenvbd_adapter *adapter)
{
    int rc;

    RtlZeroMemory(adapter->refused, sizeof(adapter->refused));
    os_atomic_store32(&adapter->stopping, 0);
    os_work_init(&adapter->work, follow_devices, adapter); /* before a frontend may call back */
    adapter->work_ready = TRUE;
    compare(adapter, TRUE);
    /* Its first event, at once, finds what was added meanwhile. */
    rc = adapter->store.watch_add(store_context(adapter), VBD_DIR, on_watch, adapter,
                                  &adapter->watch);
    if (rc) {
        os_log(OS_LOG_WARN,
               "xenvbd: watching " VBD_DIR " failed (%d): disks added or removed "
               "from now on are not seen\n",
               rc);
        adapter->watch = NULL;
        return;
    }
    rc = adapter->store.write(store_context(adapter), 0, HOTPLUG_KEY, "1", 1);
    if (rc)
        os_log(OS_LOG_WARN, "xenvbd: " HOTPLUG_KEY " not written (%d)\n", rc);
}

void xenvbd_targets_stop(struct xenvbd_adapter *adapter)
{
    int rc;

    if (adapter->watch) {
        rc = adapter->store.rm(store_context(adapter), 0, HOTPLUG_KEY);
        if (rc && rc != -XEN_ENOENT)
            os_log(OS_LOG_WARN, "xenvbd: " HOTPLUG_KEY " not removed (%d)\n", rc);
        adapter->store.watch_remove(store_context(adapter), adapter->watch);
    }
    adapter->watch = NULL;
    os_atomic_store32(&adapter->stopping, 1);
    if (adapter->work_ready)
        os_work_flush(&adapter->work);
    for (unsigned int i = 0; i < XENVBD_MAX_TARGETS; i++) {
        struct xenvbd_target *t = &adapter->target[i];

        if (t->front == NULL)
            continue;
        close_target(adapter, t);
        os_log(OS_LOG_INFO, "xenvbd: vbd %s closed\n", t->id);
    }
    /* A frontend's removal callback may have queued it again before its close. */
    if (adapter->work_ready)
        os_work_flush(&adapter->work);
    adapter->work_ready = FALSE;
}
