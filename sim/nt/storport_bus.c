/*
 * sim/nt/storport_bus.c - the simulated Storport's enumeration of an
 * adapter's targets, and the units it found.
 *
 * Storport enumerates the bus after the adapter's start, and again each
 * time the miniport reports a bus change (StorPortNotification with
 * BusChangeDetected, documented as: Storport enumerates the bus again by
 * issuing INQUIRY commands). The enumeration sends a standard INQUIRY to
 * LUN 0 of each target: a target that answers with a logical unit
 * (peripheral qualifier 0) and was not known is a new unit (READ CAPACITY
 * for its block size, logged, numbered, the disk class started on it); a
 * known one that answers that no device is there (SRB_STATUS_NO_DEVICE,
 * SELECTION_TIMEOUT, INVALID_TARGET_ID or INVALID_LUN, or another
 * peripheral qualifier) is removed, logged; any other failure changes
 * nothing. A bus change runs the enumeration at PASSIVE_LEVEL on a system
 * worker, as Storport's PnP work does; enumerations of one adapter never
 * overlap.
 *
 * Units are numbered as Windows numbers its disks: each new one takes the
 * lowest number free, and keeps it until it goes. The numbers, held here
 * for every adapter under units_lock, are what winpv-sim io names a disk
 * by (storport_disk_hold).
 *
 * Stricter than Windows: a bus change reported above the adapter's DIRQL,
 * for a bus the adapter does not have, or by an adapter that is not
 * starting or started stops the guest.
 */
#include <stdlib.h>
#include <string.h>

#include "exports_impl.h"
#include "disk_class.h"
#include "kernel.h"
#include "storport.h"

#define INQUIRY_LENGTH   36
#define CAPACITY_LENGTH  8
#define SCSI_INQUIRY     0x12
#define SCSI_READ_CAP_10 0x25
#define TARGETS_MAX      255 /* Storport addresses targets with a UCHAR */
#define DISKS_MAX        256

/* A logical unit found: LUN 0 of a target, the guest's disk number its index. */
struct unit {
    struct adapter *adapter; /* NULL: the number is free */
    uint8_t target;
    uint32_t block_size;
};

static pthread_mutex_t units_lock = PTHREAD_MUTEX_INITIALIZER;
static struct unit units[DISKS_MAX];

/* The number of @a's unit at @target, or -1. Under units_lock. */
static int unit_of(const struct adapter *a, uint8_t target)
{
    for (int i = 0; i < DISKS_MAX; i++) {
        if (units[i].adapter == a && units[i].target == target)
            return i;
    }
    return -1;
}

static unsigned int units_of(const struct adapter *a)
{
    unsigned int count = 0;

    pthread_mutex_lock(&units_lock);
    for (int i = 0; i < DISKS_MAX; i++)
        count += units[i].adapter == a;
    pthread_mutex_unlock(&units_lock);
    return count;
}

static bool unit_known(const struct adapter *a, uint8_t target)
{
    int number;

    pthread_mutex_lock(&units_lock);
    number = unit_of(a, target);
    pthread_mutex_unlock(&units_lock);
    return number >= 0;
}

/* Give @a's new unit at @target the lowest number free; false when none is (or @a closes). */
static bool unit_add(struct adapter *a, uint8_t target, uint32_t block_size)
{
    bool added = false;

    pthread_mutex_lock(&units_lock);
    for (int i = 0; i < DISKS_MAX && !a->closing && !added; i++) {
        if (units[i].adapter == NULL) {
            units[i] = (struct unit){a, target, block_size};
            added = true;
        }
    }
    pthread_mutex_unlock(&units_lock);
    return added;
}

static void unit_remove(struct adapter *a, uint8_t target)
{
    int number;

    pthread_mutex_lock(&units_lock);
    number = unit_of(a, target);
    if (number >= 0)
        units[number].adapter = NULL;
    pthread_mutex_unlock(&units_lock);
}

struct adapter *storport_disk_hold(unsigned int disk, uint8_t *target, uint32_t *block_size)
{
    struct adapter *a = NULL;

    pthread_mutex_lock(&units_lock);
    if (disk < DISKS_MAX && units[disk].adapter && !units[disk].adapter->closing) {
        a = units[disk].adapter;
        *target = units[disk].target;
        *block_size = units[disk].block_size;
        pthread_mutex_lock(&a->srbs_lock);
        a->users++;
        pthread_mutex_unlock(&a->srbs_lock);
    }
    pthread_mutex_unlock(&units_lock);
    return a;
}

void storport_disk_release(struct adapter *a)
{
    pthread_mutex_lock(&a->srbs_lock);
    a->users--;
    pthread_cond_broadcast(&a->srb_completed);
    pthread_mutex_unlock(&a->srbs_lock);
}

void storport_units_close(struct adapter *a)
{
    pthread_mutex_lock(&units_lock);
    a->closing = true;
    for (int i = 0; i < DISKS_MAX; i++) {
        if (units[i].adapter == a)
            units[i].adapter = NULL;
    }
    pthread_mutex_unlock(&units_lock);
    pthread_mutex_lock(&a->srbs_lock);
    while (a->users || a->rescan_queued)
        pthread_cond_wait(&a->srb_completed, &a->srbs_lock);
    pthread_mutex_unlock(&a->srbs_lock);
}

/* The printable text of @n bytes at @p, trailing blanks dropped. */
static void text_of(char *out, const uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        out[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
    while (i > 0 && out[i - 1] == ' ')
        i--;
    out[i] = '\0';
}

/* Whether @out says that no logical unit is there (not merely that the command failed). */
static bool no_unit(const struct srb_outcome *out, const uint8_t *data)
{
    switch (SRB_STATUS(out->srb_status)) {
    case SRB_STATUS_SUCCESS:
        return out->transferred >= 1 && (data[0] >> 5) != 0;
    case SRB_STATUS_NO_DEVICE:
    case SRB_STATUS_SELECTION_TIMEOUT:
    case SRB_STATUS_INVALID_TARGET_ID:
    case SRB_STATUS_INVALID_LUN:
        return true;
    default:
        return false;
    }
}

/* A new unit at @target, whose INQUIRY data is @data: its block size (0 when unknown), logged. */
static uint32_t new_unit(struct adapter *a, uint8_t target, const uint8_t *data)
{
    static const uint8_t capacity[10] = {SCSI_READ_CAP_10};
    uint8_t cap[CAPACITY_LENGTH] = {0};
    char vendor[9], product[17];
    struct srb_outcome out =
        storport_command(a, target, capacity, sizeof(capacity), SRB_DIR_IN, cap, sizeof(cap));
    uint32_t block = (uint32_t)cap[4] << 24 | cap[5] << 16 | cap[6] << 8 | cap[7];

    text_of(vendor, data + 8, 8);
    text_of(product, data + 16, 16);
    if (SRB_STATUS(out.srb_status) != SRB_STATUS_SUCCESS || out.transferred < CAPACITY_LENGTH) {
        nt_log("storport: unit 0:%u:0: type %#x, %s %s, READ CAPACITY failed (%#x)\n", target,
               data[0] & 0x1f, vendor, product, out.srb_status);
        return 0;
    }
    nt_log("storport: unit 0:%u:0: type %#x, %s, %s %s, %llu blocks of %u bytes\n", target,
           data[0] & 0x1f, data[1] & 0x80 ? "removable" : "fixed", vendor, product,
           ((unsigned long long)cap[0] << 24 | cap[1] << 16 | cap[2] << 8 | cap[3]) + 1, block);
    return block;
}

/* Enumerate @a's targets (see the top). Context: PASSIVE_LEVEL, @a held or starting. */
static void enumerate(struct adapter *a)
{
    static const uint8_t inquiry[6] = {SCSI_INQUIRY, 0, 0, 0, INQUIRY_LENGTH, 0};
    unsigned int targets = a->config.MaximumNumberOfTargets;
    uint8_t found[TARGETS_MAX];
    uint32_t block[TARGETS_MAX];
    unsigned int nr_found = 0;

    targets = targets < TARGETS_MAX ? targets : TARGETS_MAX;
    pthread_mutex_lock(&a->scan_lock);
    for (unsigned int t = 0; t < targets; t++) {
        uint8_t data[INQUIRY_LENGTH] = {0};
        struct srb_outcome out = storport_command(a, (uint8_t)t, inquiry, sizeof(inquiry),
                                                  SRB_DIR_IN, data, sizeof(data));
        bool known = unit_known(a, (uint8_t)t);

        if (known && no_unit(&out, data)) {
            unit_remove(a, (uint8_t)t);
            nt_log("storport: unit 0:%u:0: removed (no device at the target any more)\n", t);
        } else if (!known && SRB_STATUS(out.srb_status) == SRB_STATUS_SUCCESS &&
                   out.transferred >= INQUIRY_LENGTH && (data[0] >> 5) == 0) {
            block[nr_found] = new_unit(a, (uint8_t)t, data);
            if (unit_add(a, (uint8_t)t, block[nr_found]))
                found[nr_found++] = (uint8_t)t;
            else
                nt_log("storport: unit 0:%u:0: no disk number left: not added\n", t);
        }
    }
    nt_log("storport: scan of %u target(s): %u disk(s)\n", a->config.MaximumNumberOfTargets,
           units_of(a));
    for (unsigned int i = 0; i < nr_found; i++)
        disk_class_start(a, found[i], block[i]);
    pthread_mutex_unlock(&a->scan_lock);
}

void storport_scan(struct adapter *a)
{
    pthread_mutex_lock(&units_lock);
    a->closing = false;
    pthread_mutex_unlock(&units_lock);
    enumerate(a);
}

/* The bus change's enumeration, on a system worker at PASSIVE_LEVEL. */
static NT_EXPORT void rescan(void *parameter)
{
    struct adapter *a = parameter;
    bool held;

    pthread_mutex_lock(&units_lock);
    pthread_mutex_lock(&a->srbs_lock);
    a->rescan_queued = false;
    held = !a->closing;
    a->users += held;
    pthread_cond_broadcast(&a->srb_completed); /* a close may wait for the item */
    pthread_mutex_unlock(&a->srbs_lock);
    pthread_mutex_unlock(&units_lock);
    if (!held)
        return; /* stopping, or not started: a start's own enumeration sees the change */
    enumerate(a);
    storport_disk_release(a);
}

void storport_bus_change(struct adapter *a, uint8_t path_id, uint64_t caller)
{
    enum adapter_state state = a->state;
    bool queue;

    if (nt_irql() > ADAPTER_DIRQL)
        nt_verifier_fail(NT_VERIFY_IRQL, caller,
                         "StorPortNotification(BusChangeDetected) at IRQL %u, above the adapter's "
                         "DIRQL %u",
                         nt_irql(), ADAPTER_DIRQL);
    if (path_id >= a->config.NumberOfBuses)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "StorPortNotification(BusChangeDetected) for PathId %u: the adapter has "
                         "%u bus(es)",
                         path_id, a->config.NumberOfBuses);
    if (state != ADAPTER_ADDED && state != ADAPTER_STARTED)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "StorPortNotification(BusChangeDetected) from an adapter that is stopped "
                         "or removed");
    nt_log("storport: the miniport reports a bus change: the bus is enumerated again\n");
    pthread_mutex_lock(&a->srbs_lock);
    queue = !a->rescan_queued;
    a->rescan_queued = true;
    pthread_mutex_unlock(&a->srbs_lock);
    if (!queue)
        return; /* the enumeration queued has yet to start: it sees this change too */
    a->rescan_item.WorkerRoutine = rescan;
    a->rescan_item.Parameter = a;
    a->rescan_item.List.Flink = NULL;
    nt_work_enqueue(&a->rescan_item, caller);
}
