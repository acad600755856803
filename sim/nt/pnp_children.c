/*
 * sim/nt/pnp_children.c - the PnP manager's side of a bus: the platform
 * device's BusRelations queried after it starts and whenever its driver
 * invalidates them (IoInvalidateDeviceRelations), each new PDO's IDs
 * queried, a PDO no longer reported removed, and every child removed
 * before its parent.
 *
 * A child gets the driver the INFs in drivers_dir give its IDs, as
 * Windows ranks them (nt_inf_select), installed (the registry seeded):
 * loaded with its first device, AddDevice, then START_DEVICE; unloaded
 * after its last device's removal. A child with no
 * driver is shown "no driver", as Windows shows a device it has none for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "io.h"
#include "kernel.h"
#include "pnp.h"

#define BUS_QUERY_DEVICE_ID      0
#define BUS_QUERY_HARDWARE_IDS   1
#define BUS_QUERY_COMPATIBLE_IDS 2
#define BUS_QUERY_INSTANCE_ID    3
#define ID_CHARS_MAX             4096 /* a driver's list longer than this is refused */

typedef struct {
    uint32_t Count;
    DEVICE_OBJECT *Objects[];
} DEVICE_RELATIONS;

/*
 * The driver's answer to QUERY_ID @type: one string, or a list of strings
 * ended by an empty one (@list), into @out as space-separated ASCII. The
 * driver's pool is freed, as the PnP manager does. Returns the IRP's status.
 */
static NTSTATUS query_id(struct nt_pnp *pnp, DEVICE_OBJECT *pdo, uint32_t type, bool list,
                         char *out, size_t size)
{
    IO_STACK_LOCATION request = {.MajorFunction = IRP_MJ_PNP, .MinorFunction = IRP_MN_QUERY_ID};
    uint64_t information = 0;
    const WCHAR *ids;
    size_t used = 0, i = 0;
    NTSTATUS status;

    out[0] = '\0';
    request.Parameters.QueryId.IdType = type;
    status = nt_pnp_irp(pnp, pdo, &request, &information);
    if (!NT_SUCCESS(status) || information == 0)
        return status;
    ids = (const WCHAR *)(uintptr_t)information;
    for (; i < ID_CHARS_MAX; i++) {
        if (ids[i] == 0 && (!list || i == 0 || ids[i - 1] == 0))
            break;
        if (used + 1 < size)
            out[used++] = ids[i] == 0 ? ' ' : ids[i] < 0x80 ? (char)ids[i] : '?';
    }
    if (i == ID_CHARS_MAX)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, 0, "QUERY_ID %u: an ID list with no end", type);
    while (used > 0 && out[used - 1] == ' ')
        used--;
    out[used] = '\0';
    nt_pool_free((void *)ids, 0, false, 0);
    return status;
}

/* Split space-separated @text (modified) into at most @max IDs; how many. */
static size_t split_ids(char *text, const char **ids, size_t max)
{
    size_t n = 0;

    for (char *save = NULL, *id = strtok_r(text, " ", &save); id && n < max;
         id = strtok_r(NULL, " ", &save))
        ids[n++] = id;
    return n;
}

/* The driver an INF in drivers_dir gives @c, loaded if it is not; NULL for none. */
static struct nt_driver *driver_for(struct nt_pnp *pnp, struct nt_child *c)
{
    char hardware_text[NT_CHILD_IDS_MAX], compatible_text[NT_CHILD_IDS_MAX], instance[300];
    char error[NT_INF_ERROR_SIZE];
    const char *hardware[32], *compatible[32];
    struct nt_device_ids ids;
    struct nt_inf_driver inf;
    struct nt_loaded_driver *slot = NULL;
    int rc;

    if (pnp->drivers_dir == NULL)
        return NULL;
    snprintf(hardware_text, sizeof(hardware_text), "%s", c->hardware_ids);
    snprintf(compatible_text, sizeof(compatible_text), "%s", c->compatible_ids);
    ids = (struct nt_device_ids){hardware, split_ids(hardware_text, hardware, 32), compatible,
                                 split_ids(compatible_text, compatible, 32)};
    rc = nt_inf_select(pnp->drivers_dir, &ids, NULL, &inf, error, sizeof(error));
    if (rc == -ENOENT)
        return NULL;
    if (rc != 0) {
        nt_log("pnp: no driver for %s: %s\n", c->device_id, error);
        return NULL;
    }
    snprintf(instance, sizeof(instance), "%s\\%s", c->device_id, c->instance_id);
    if (pnp->phase == NT_BOOT_PHASE_BOOT && inf.service.start != SERVICE_BOOT_START) {
        nt_log("pnp: %s waits for the end of the boot: its driver %s has start type %u, not "
               "boot\n",
               instance, inf.service.name, inf.service.start);
        c->state = NT_DEVNODE_PRESENT;
        nt_inf_driver_free(&inf);
        return NULL;
    }
    for (unsigned int i = 0; i < NT_PNP_DRIVERS_MAX && slot == NULL; i++) {
        if (strcmp(pnp->drivers[i].path, inf.image_path) == 0 || pnp->drivers[i].path[0] == '\0')
            slot = &pnp->drivers[i];
    }
    if (slot && !slot->driver.loaded) {
        snprintf(slot->path, sizeof(slot->path), "%s", inf.image_path);
        if (nt_driver_load(&slot->driver, inf.image_path, inf.service.name, pnp->kuser_page, error,
                           sizeof(error)) != 0) {
            nt_log("pnp: no driver for %s: %s\n", c->device_id, error);
            pnp->child_leaks += nt_driver_unload(&slot->driver);
            slot->path[0] = '\0';
            slot = NULL;
        }
    }
    if (slot && nt_pnp_install(pnp, &inf, instance) != 0)
        slot = NULL;
    nt_inf_driver_free(&inf);
    return slot ? &slot->driver : NULL;
}

static NTSTATUS child_pnp(struct nt_pnp *pnp, struct nt_child *c, uint8_t minor)
{
    IO_STACK_LOCATION request = {.MajorFunction = IRP_MJ_PNP, .MinorFunction = minor};
    NTSTATUS status = nt_pnp_irp(pnp, c->pdo, &request, NULL);

    nt_pnp_check_passive("a child's PnP IRP", NULL);
    nt_log("pnp: child %s\\%s: IRP_MN %#x -> %#x\n", c->device_id, c->instance_id, minor,
           (unsigned)status);
    return status;
}

/* The child's driver chosen, loaded if it is not, added, and the child started. */
static void child_start(struct nt_pnp *pnp, struct nt_child *c)
{
    c->driver = driver_for(pnp, c);
    if (c->driver == NULL)
        return;
    if (nt_driver_add_device(c->driver, c->pdo) != 0) {
        c->state = NT_DEVNODE_FAILED;
        return;
    }
    c->state =
        NT_SUCCESS(child_pnp(pnp, c, IRP_MN_START_DEVICE)) ? NT_DEVNODE_STARTED : NT_DEVNODE_FAILED;
}

static struct nt_child *child_of(struct nt_pnp *pnp, DEVICE_OBJECT *pdo)
{
    for (struct nt_child *c = pnp->children; c; c = c->next) {
        if (c->pdo == pdo)
            return c;
    }
    return NULL;
}

/*
 * A new child: its IDs. A bus that cannot answer (out of memory, say) leaves
 * the child failed, as Windows marks such a device; one that answers with
 * no device ID or no hardware ID breaks the rules.
 */
static struct nt_child *child_new(struct nt_pnp *pnp, DEVICE_OBJECT *pdo)
{
    struct nt_child *c = calloc(1, sizeof(*c));
    NTSTATUS status;

    if (c == NULL)
        return NULL;
    c->pdo = pdo; /* the reference the relations came with is ours now */
    pdo->Flags |= DO_BUS_ENUMERATED_DEVICE;
    status = query_id(pnp, pdo, BUS_QUERY_DEVICE_ID, false, c->device_id, sizeof(c->device_id));
    if (NT_SUCCESS(status))
        status = query_id(pnp, pdo, BUS_QUERY_INSTANCE_ID, false, c->instance_id,
                          sizeof(c->instance_id));
    if (NT_SUCCESS(status))
        status = query_id(pnp, pdo, BUS_QUERY_HARDWARE_IDS, true, c->hardware_ids,
                          sizeof(c->hardware_ids));
    if (NT_SUCCESS(status) && (c->device_id[0] == '\0' || c->hardware_ids[0] == '\0'))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, 0,
                         "a child PDO %p answered with no device ID or no hardware IDs",
                         (void *)pdo);
    /* Compatible IDs are optional: a bus may have none to give. */
    if (NT_SUCCESS(status))
        query_id(pnp, pdo, BUS_QUERY_COMPATIBLE_IDS, true, c->compatible_ids,
                 sizeof(c->compatible_ids));
    c->state = NT_SUCCESS(status) ? NT_DEVNODE_NO_DRIVER : NT_DEVNODE_FAILED;
    if (!NT_SUCCESS(status)) {
        snprintf(c->device_id, sizeof(c->device_id), "(IDs unknown: %#x)", (unsigned)status);
        c->instance_id[0] = c->hardware_ids[0] = '\0';
    }
    nt_log("pnp: new child %s\\%s (%s)\n", c->device_id, c->instance_id, c->hardware_ids);
    if (NT_SUCCESS(status))
        snprintf(nt_device_of(pdo)->instance, NT_DEVICE_INSTANCE_MAX, "%s\\%s", c->device_id,
                 c->instance_id);
    /* Known before its driver meets it: IoGetDeviceProperty answers from AddDevice on. */
    pthread_mutex_lock(&pnp->lock);
    c->next = pnp->children;
    pnp->children = c;
    pthread_mutex_unlock(&pnp->lock);
    if (NT_SUCCESS(status))
        child_start(pnp, c);
    return c;
}

/*
 * A started child that its bus no longer reports is surprise-removed first
 * (one that goes with its parent was asked already: nt_pnp_query_remove_children);
 * then REMOVE_DEVICE, after which its driver must have left the PDO; a
 * driver with no device left is unloaded.
 */
static void remove_child(struct nt_pnp *pnp, struct nt_child *c, bool with_parent)
{
    NTSTATUS status;

    if (c->state == NT_DEVNODE_STARTED && !with_parent)
        child_pnp(pnp, c, IRP_MN_SURPRISE_REMOVAL);
    status = child_pnp(pnp, c, IRP_MN_REMOVE_DEVICE);
    nt_log("pnp: child %s\\%s removed (%#x)\n", c->device_id, c->instance_id, (unsigned)status);
    nt_interfaces_removed(c->pdo);
    if (c->pdo->AttachedDevice)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, 0,
                         "after IRP_MN_REMOVE_DEVICE a device is still attached to child %s",
                         c->device_id);
    if (c->driver && --c->driver->devices == 0) {
        pnp->child_leaks += nt_driver_unload(c->driver);
        for (unsigned int i = 0; i < NT_PNP_DRIVERS_MAX; i++) {
            if (&pnp->drivers[i].driver == c->driver)
                pnp->drivers[i].path[0] = '\0';
        }
    }
}

/* Remove the children whose reported flag is clear. */
static void remove_unreported(struct nt_pnp *pnp, bool with_parent)
{
    struct nt_child **p = &pnp->children;

    while (*p) {
        struct nt_child *c = *p;

        if (c->reported) {
            p = &c->next;
            continue;
        }
        remove_child(pnp, c, with_parent);
        /*
         * Known until its driver is done with it (IoGetDeviceProperty in
         * REMOVE_DEVICE), and unknown before its PDO may go: another
         * device at that address is never taken for it.
         */
        pthread_mutex_lock(&pnp->lock);
        *p = c->next;
        pthread_mutex_unlock(&pnp->lock);
        nt_object_dereference(c->pdo, NT_HELD_BY_DRIVER, 0,
                              "the PnP manager's ObDereferenceObject");
        free(c);
    }
}

void nt_pnp_boot_done(struct nt_pnp *pnp)
{
    pnp->phase = NT_BOOT_PHASE_SYSTEM;
    nt_log("pnp: the boot is done: every driver may load\n");
    for (struct nt_child *c = pnp->children; c; c = c->next) {
        if (c->state == NT_DEVNODE_PRESENT)
            child_start(pnp, c);
    }
}

int nt_pnp_enumerate(struct nt_pnp *pnp)
{
    IO_STACK_LOCATION request = {.MajorFunction = IRP_MJ_PNP,
                                 .MinorFunction = IRP_MN_QUERY_DEVICE_RELATIONS};
    DEVICE_RELATIONS *relations;
    uint64_t information = 0;
    NTSTATUS status;

    request.Parameters.QueryDeviceRelations.Type = NT_BUS_RELATIONS;
    status = nt_pnp_irp(pnp, pnp->platform_pdo, &request, &information);
    nt_pnp_check_passive("IRP_MN_QUERY_DEVICE_RELATIONS", NULL);
    if (status == STATUS_NOT_SUPPORTED && information == 0)
        return 0; /* no bus: no children */
    if (!NT_SUCCESS(status)) {
        nt_log("pnp: BusRelations failed (%#x): the children stay as they were\n",
               (unsigned)status);
        return -1;
    }
    for (struct nt_child *c = pnp->children; c; c = c->next)
        c->reported = false;
    relations = (DEVICE_RELATIONS *)(uintptr_t)information;
    for (uint32_t i = 0; relations && i < relations->Count; i++) {
        DEVICE_OBJECT *pdo = relations->Objects[i];
        struct nt_child *c = child_of(pnp, pdo);

        if (pdo == NULL || pdo->Type != NT_TYPE_DEVICE)
            nt_verifier_fail(NT_VERIFY_ARGUMENT, 0, "BusRelations names %p, no device object",
                             (void *)pdo);
        if (c)
            /* Known: the reference the bus driver gave with it before is held already. */
            nt_object_dereference(pdo, NT_HELD_BY_DRIVER, 0,
                                  "the PnP manager's ObDereferenceObject");
        else
            c = child_new(pnp, pdo);
        if (c)
            c->reported = true;
    }
    if (relations)
        nt_pool_free(relations, 0, false, 0);
    remove_unreported(pnp, false);
    return 0;
}

void nt_pnp_serve(struct nt_pnp *pnp, unsigned int ms)
{
    uint64_t end = ms ? nt_interrupt_time() + (uint64_t)ms * 10000u : UINT64_MAX;

    /* A request ends one serve step: taken here, a later one serves until the next. */
    while (nt_interrupt_time() < end && !atomic_exchange(&pnp->stop_requested, false)) {
        struct timespec pause = {0, 10 * 1000000};

        if (atomic_exchange(&pnp->relations_invalid, false) && pnp->state == NT_DEVNODE_STARTED) {
            nt_pnp_enumerate(pnp);
            nt_pnp_publish(pnp);
        }
        nanosleep(&pause, NULL);
    }
}

int nt_pnp_query_remove_children(struct nt_pnp *pnp)
{
    struct nt_child *refused = NULL;

    for (struct nt_child *c = pnp->children; c && !refused; c = c->next) {
        if (c->state == NT_DEVNODE_STARTED &&
            !NT_SUCCESS(child_pnp(pnp, c, IRP_MN_QUERY_REMOVE_DEVICE)))
            refused = c;
    }
    if (refused == NULL)
        return 0;
    /* Every child asked before the one that refused is told the removal is off. */
    for (struct nt_child *c = pnp->children; c != refused; c = c->next) {
        if (c->state == NT_DEVNODE_STARTED)
            child_pnp(pnp, c, IRP_MN_CANCEL_REMOVE_DEVICE);
    }
    return -1;
}

void nt_pnp_cancel_remove_children(struct nt_pnp *pnp)
{
    for (struct nt_child *c = pnp->children; c; c = c->next) {
        if (c->state == NT_DEVNODE_STARTED)
            child_pnp(pnp, c, IRP_MN_CANCEL_REMOVE_DEVICE);
    }
}

void nt_pnp_remove_children(struct nt_pnp *pnp)
{
    for (struct nt_child *c = pnp->children; c; c = c->next)
        c->reported = false;
    remove_unreported(pnp, true);
}

void nt_pnp_surprise_remove_children(struct nt_pnp *pnp)
{
    for (struct nt_child *c = pnp->children; c; c = c->next)
        c->reported = false;
    remove_unreported(pnp, false);
}

void nt_pnp_print_children(const struct nt_pnp *pnp, FILE *out)
{
    for (const struct nt_child *c = pnp->children; c; c = c->next)
        fprintf(out, "  %s\\%s [%s] %s %s\n", c->device_id, c->instance_id, c->hardware_ids,
                c->driver ? c->driver->image.name : "-", nt_devnode_state_name(c->state));
}
