/*
 * windows/xenbus/children.c - which children XENBUS reports.
 *
 * The enumerator (core/xenbus) tells of each PV device appearing and going
 * under device/; a class is present while it has a device, and XENIFACE's
 * child while the bus runs. A class appearing or going makes XENBUS ask
 * the PnP manager to query its BusRelations again, which reports one PDO
 * per present class, created on first report. A PDO no longer reported is
 * deleted when the PnP manager removes it.
 *
 * Lock order: children_lock, then nothing of ours.
 */
#include "fdo.h"
#include "xenbus/enumerator.h"

/* Which child a xenstore class belongs to, or XENBUS_CHILD_CLASSES. */
static enum xenbus_child_class class_of(const char *name)
{
    for (int cls = 0; cls < XENBUS_CHILD_CLASSES; cls++) {
        const char *known = xenbus_child_class_name(cls);

        if (known && strcmp(known, name) == 0)
            return cls;
    }
    return XENBUS_CHILD_CLASSES;
}

static void device_changed(void *ctx, const char *class_name, const char *id, bool present)
{
    struct xenbus_fdo *fdo = ctx;
    enum xenbus_child_class cls = class_of(class_name);
    bool changed;

    if (cls == XENBUS_CHILD_CLASSES)
        return; /* a class no child driver serves */
    os_mutex_lock(&fdo->children_lock);
    if (present)
        fdo->devices[cls]++;
    else if (fdo->devices[cls] > 0)
        fdo->devices[cls]--;
    changed = fdo->devices[cls] == (present ? 1u : 0u);
    os_mutex_unlock(&fdo->children_lock);
    os_log(OS_LOG_INFO, "xenbus: device/%s/%s %s\n", class_name, id, present ? "appeared" : "went");
    if (changed)
        IoInvalidateDeviceRelations(fdo->pdo, BusRelations);
}

NTSTATUS xenbus_children_start(struct xenbus_fdo *fdo)
{
    int rc;

    os_mutex_lock(&fdo->children_lock);
    RtlZeroMemory(fdo->devices, sizeof(fdo->devices));
    fdo->devices[XENBUS_CHILD_IFACE] = 1;
    os_mutex_unlock(&fdo->children_lock);
    rc = xenbus_enumerator_start(fdo->services.store.client, device_changed, fdo, &fdo->enumerator);
    if (rc) {
        os_log(OS_LOG_ERROR, "xenbus: watching device/ failed (%d)\n", rc);
        fdo->enumerator = NULL;
        return STATUS_UNSUCCESSFUL;
    }
    IoInvalidateDeviceRelations(fdo->pdo, BusRelations);
    return STATUS_SUCCESS;
}

void xenbus_children_stop(struct xenbus_fdo *fdo)
{
    if (fdo->enumerator)
        xenbus_enumerator_stop(fdo->enumerator);
    fdo->enumerator = NULL;
    os_mutex_lock(&fdo->children_lock);
    RtlZeroMemory(fdo->devices, sizeof(fdo->devices));
    os_mutex_unlock(&fdo->children_lock);
}

static bool class_present(struct xenbus_fdo *fdo, enum xenbus_child_class cls)
{
    return fdo->state == FDO_STARTED && fdo->devices[cls] > 0;
}

/*
 * PDOs are created outside children_lock (IoCreateDevice is for
 * PASSIVE_LEVEL; the lock holds APC_LEVEL): first the classes that need
 * one are noted, then created, then installed and reported under the lock.
 */
NTSTATUS xenbus_children_relations(struct xenbus_fdo *fdo, DEVICE_RELATIONS **out)
{
    struct xenbus_pdo *created[XENBUS_CHILD_CLASSES] = {0};
    bool wanted[XENBUS_CHILD_CLASSES];
    DEVICE_RELATIONS *relations;
    NTSTATUS status = STATUS_SUCCESS;
    ULONG count = 0;

    relations = ExAllocatePoolWithTag(
        PagedPool, sizeof(*relations) + XENBUS_CHILD_CLASSES * sizeof(relations->Objects[0]),
        'lRnW');
    if (relations == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    os_mutex_lock(&fdo->children_lock);
    for (int cls = 0; cls < XENBUS_CHILD_CLASSES; cls++) {
        struct xenbus_pdo *pdo = fdo->children[cls];

        wanted[cls] = class_present(fdo, cls) && (pdo == NULL || !pdo->present);
    }
    os_mutex_unlock(&fdo->children_lock);
    for (int cls = 0; cls < XENBUS_CHILD_CLASSES && NT_SUCCESS(status); cls++) {
        if (wanted[cls])
            status = xenbus_pdo_create(fdo, cls, &created[cls]);
    }

    os_mutex_lock(&fdo->children_lock);
    for (int cls = 0; cls < XENBUS_CHILD_CLASSES && NT_SUCCESS(status); cls++) {
        struct xenbus_pdo *pdo = fdo->children[cls];
        bool present = class_present(fdo, cls);

        if (pdo && pdo->present && !present)
            pdo->present = FALSE; /* deleted once the PnP manager removes it */
        if (present && (pdo == NULL || !pdo->present) && created[cls]) {
            pdo = created[cls];
            created[cls] = NULL;
            fdo->children[cls] = pdo;
        }
        if (!present || pdo == NULL || !pdo->present)
            continue;
        ObReferenceObject(pdo->self); /* the PnP manager's, for each reported object */
        relations->Objects[count++] = pdo->self;
    }
    os_mutex_unlock(&fdo->children_lock);
    /* Created but not needed after all (a class went meanwhile), or a creation failed. */
    for (int cls = 0; cls < XENBUS_CHILD_CLASSES; cls++) {
        if (created[cls])
            IoDeleteDevice(created[cls]->self);
    }
    if (!NT_SUCCESS(status)) {
        for (ULONG i = 0; i < count; i++)
            ObDereferenceObject(relations->Objects[i]);
        ExFreePoolWithTag(relations, 'lRnW');
        return status;
    }
    relations->Count = count;
    *out = relations;
    return STATUS_SUCCESS;
}

void xenbus_children_removed(struct xenbus_fdo *fdo, struct xenbus_pdo *pdo)
{
    bool gone;

    os_mutex_lock(&fdo->children_lock);
    gone = !pdo->present;
    if (gone && fdo->children[pdo->cls] == pdo)
        fdo->children[pdo->cls] = NULL;
    os_mutex_unlock(&fdo->children_lock);
    if (gone)
        IoDeleteDevice(pdo->self);
}

void xenbus_children_delete(struct xenbus_fdo *fdo)
{
    for (int cls = 0; cls < XENBUS_CHILD_CLASSES; cls++) {
        struct xenbus_pdo *pdo = fdo->children[cls];

        fdo->children[cls] = NULL;
        if (pdo)
            IoDeleteDevice(pdo->self);
    }
}
