/*
 * sim/nt/pnp.c - the PnP manager: the Xen platform PCI device enumerated
 * by a PCI bus driver of the kernel's own, with its resources, a function
 * driver loaded for it (pnp_driver.c), and the device started, stopped and
 * removed with the IRPs Windows sends, in Windows's order; its children in
 * pnp_children.c.
 *
 * Drivers are chosen by the INFs in a directory of driver packages
 * (dist/x64's layout), as Windows chooses them, and installed: the
 * registry seeded as installing them would.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exports_impl.h"
#include "io.h"
#include "kernel.h"
#include "guest.h"
#include "pnp.h"
#include "registry_inf.h"

#define FILE_DEVICE_BUS_EXTENDER 0x2a
#define PCI_BUS                  5

/*
 * The Xen platform PCI device's resources, as QEMU's and the PCI bus
 * driver's would be: BAR 0's I/O ports and INTA# routed to a GSI (raw);
 * translated, the GSI is a vector at a device IRQL.
 */
#define PLATFORM_PORT_BASE   0xc000
#define PLATFORM_PORT_LENGTH 0x100

/*
 * Xen's PCI vendor ID; its device 0001 is Xen's platform device, 0002
 * XenServer's, both of class FF80 (other), and 0xC000 up vendors' PV
 * devices (Xen's docs/misc/pci-device-reservations.txt), which QEMU's
 * xen-pvdevice presents with class 0880 (other system peripheral) and the
 * same subsystem device ID.
 */
#define XEN_PCI_VENDOR          0x5853
#define XEN_PLATFORM_CLASS      0xff8000
#define XEN_VENDOR_DEVICE_CLASS 0x088000
#define XEN_FIRST_VENDOR_DEVICE 0xc000

/* The one PnP manager, for IoInvalidateDeviceRelations. */
static struct nt_pnp *manager;

static NT_EXPORT void IoInvalidateDeviceRelations(DEVICE_OBJECT *pdo, uint32_t type)
{
    uint64_t caller = NT_CALLER;
    struct nt_pnp *pnp = manager;

    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    if (pnp == NULL || pdo != pnp->platform_pdo)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "IoInvalidateDeviceRelations(%p): not a PDO the PnP manager enumerated "
                         "with children",
                         (void *)pdo);
    if (type != NT_BUS_RELATIONS) {
        nt_log("pnp: IoInvalidateDeviceRelations of relation type %u: not implemented\n", type);
        return;
    }
    pthread_mutex_lock(&pnp->lock);
    atomic_store(&pnp->relations_invalid, true);
    pthread_cond_broadcast(&pnp->changed);
    pthread_mutex_unlock(&pnp->lock);
}
NT_REGISTER(NTOSKRNL, IoInvalidateDeviceRelations);

struct nt_registry *nt_pnp_registry(void)
{
    return manager->registry;
}

/* The PCI bus driver's answer for its PDO: the state changes succeed, the rest unchanged. */
static NT_EXPORT NTSTATUS pci_dispatch_pnp(DEVICE_OBJECT *device, IRP *irp)
{
    IO_STACK_LOCATION *stack = irp->Tail.Overlay.CurrentStackLocation;
    NTSTATUS status = irp->IoStatus.Status;

    switch (stack->MinorFunction) {
    case IRP_MN_START_DEVICE:
    case IRP_MN_QUERY_REMOVE_DEVICE:
    case IRP_MN_CANCEL_REMOVE_DEVICE:
    case IRP_MN_REMOVE_DEVICE:
    case IRP_MN_SURPRISE_REMOVAL:
    case IRP_MN_QUERY_STOP_DEVICE:
    case IRP_MN_CANCEL_STOP_DEVICE:
    case IRP_MN_STOP_DEVICE:
        status = STATUS_SUCCESS;
        break;
    default:
        break;
    }
    irp->IoStatus.Status = status;
    nt_irp_complete(irp, 0);
    return status;
}

static NT_EXPORT NTSTATUS pci_dispatch_power(DEVICE_OBJECT *device, IRP *irp)
{
    NTSTATUS status = STATUS_SUCCESS;

    irp->IoStatus.Status = status;
    nt_irp_complete(irp, 0);
    return status;
}

static void platform_resources(CM_RESOURCE_LIST *list, bool translated)
{
    CM_PARTIAL_RESOURCE_LIST *partial = &list->List[0].PartialResourceList;
    CM_PARTIAL_RESOURCE_DESCRIPTOR *port = &partial->PartialDescriptors[0];
    CM_PARTIAL_RESOURCE_DESCRIPTOR *interrupt = &partial->PartialDescriptors[1];

    memset(list, 0, sizeof(*list) + sizeof(*interrupt));
    list->Count = 1;
    list->List[0].InterfaceType = PCI_BUS;
    partial->Version = 1;
    partial->Revision = 1;
    partial->Count = 2;
    port->Type = CM_RESOURCE_PORT;
    port->Flags = CM_RESOURCE_PORT_IO;
    port->u.Port.Start = PLATFORM_PORT_BASE;
    port->u.Port.Length = PLATFORM_PORT_LENGTH;
    interrupt->Type = CM_RESOURCE_INTERRUPT;
    interrupt->ShareDisposition = CM_RESOURCE_SHARE_SHARED;
    interrupt->Flags = CM_RESOURCE_INTERRUPT_LEVEL_SENSITIVE;
    interrupt->u.Interrupt.Level = translated ? NT_PLATFORM_IRQL : NT_PLATFORM_GSI;
    interrupt->u.Interrupt.Vector = translated ? NT_PLATFORM_VECTOR : NT_PLATFORM_GSI;
    interrupt->u.Interrupt.Affinity = (1ull << nt_vcpu_count()) - 1;
}

/* The upcall winpv-simd raises for a vCPU is the platform device's interrupt. */
static void platform_interrupt(void *ctx, unsigned int vcpu)
{
    static _Thread_local struct nt_thread thread;

    if (nt_current() == NULL && nt_thread_enter(&thread, "interrupt", vcpu) != 0)
        abort();
    nt_interrupt_raise(NT_PLATFORM_GSI, vcpu);
}

int nt_pnp_init(struct nt_pnp *pnp, uint64_t kuser_page, unsigned int device)
{
    memset(pnp, 0, sizeof(*pnp));
    nt_pci_ids(&pnp->platform_ids, XEN_PCI_VENDOR, device, device, 1,
               device >= XEN_FIRST_VENDOR_DEVICE ? XEN_VENDOR_DEVICE_CLASS : XEN_PLATFORM_CLASS);
    if (nt_registry_create(&pnp->registry) != 0)
        return -1;
    pnp->kuser_page = kuser_page;
    pthread_mutex_init(&pnp->lock, NULL);
    pthread_cond_init(&pnp->changed, NULL);
    pnp->pci = nt_driver_object_new();
    if (pnp->pci == NULL)
        return -1;
    pnp->pci->MajorFunction[IRP_MJ_PNP] = pci_dispatch_pnp;
    pnp->pci->MajorFunction[IRP_MJ_POWER] = pci_dispatch_power;
    if (!NT_SUCCESS(
            nt_device_create(pnp->pci, 0, FILE_DEVICE_BUS_EXTENDER, 0, &pnp->platform_pdo))) {
        nt_pnp_fini(pnp);
        return -1;
    }
    pnp->platform_pdo->Flags &= ~DO_DEVICE_INITIALIZING;
    nt_device_of(pnp->platform_pdo)->has_interrupt = true;
    nt_device_of(pnp->platform_pdo)->interrupt_line = NT_PLATFORM_GSI;
    nt_device_of(pnp->platform_pdo)->interrupt_irql = NT_PLATFORM_IRQL;
    snprintf(nt_device_of(pnp->platform_pdo)->instance, NT_DEVICE_INSTANCE_MAX, "%s",
             pnp->platform_ids.instance);
    platform_resources(&pnp->raw.list, false);
    platform_resources(&pnp->translated.list, true);
    sim_guest_set_upcall(platform_interrupt, NULL);
    pnp->state = NT_DEVNODE_PRESENT;
    manager = pnp;
    pnp->irp_timeout_ms = NT_PNP_IRP_TIMEOUT_MS;
    return 0;
}

static const char *const state_names[] = {
    [NT_DEVNODE_NO_DRIVER] = "no driver", [NT_DEVNODE_PRESENT] = "present",
    [NT_DEVNODE_ADDED] = "added",         [NT_DEVNODE_STARTED] = "started",
    [NT_DEVNODE_STOPPED] = "stopped",     [NT_DEVNODE_REMOVED] = "removed",
    [NT_DEVNODE_FAILED] = "failed",
};

const char *nt_devnode_state_name(enum nt_devnode_state state)
{
    return state_names[state];
}

NTSTATUS nt_pnp_irp(struct nt_pnp *pnp, DEVICE_OBJECT *pdo, const IO_STACK_LOCATION *request,
                    uint64_t *information)
{
    DEVICE_OBJECT *top = nt_device_top(pdo);
    IRP *irp = nt_irp_alloc(top->StackSize);
    NTSTATUS status;

    if (irp == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    *nt_irp_next_stack(irp) = *request;
    status = nt_irp_send_and_wait(top, irp, pnp->irp_timeout_ms);
    if (information)
        *information = irp->IoStatus.Information;
    nt_irp_free(irp);
    return status;
}

/* One PnP IRP to the platform device's stack; its final status. */
static NTSTATUS send_pnp(struct nt_pnp *pnp, uint8_t minor)
{
    IO_STACK_LOCATION request = {.MajorFunction = IRP_MJ_PNP, .MinorFunction = minor};
    NTSTATUS status;

    if (minor == IRP_MN_START_DEVICE) {
        request.Parameters.StartDevice.AllocatedResources = &pnp->raw.list;
        request.Parameters.StartDevice.AllocatedResourcesTranslated = &pnp->translated.list;
    }
    status = nt_pnp_irp(pnp, pnp->platform_pdo, &request, NULL);
    nt_log("pnp: platform device: IRP_MN %#x -> %#x\n", minor, (unsigned)status);
    return status;
}

/* Run a driver's code at PASSIVE_LEVEL and check it came back there. */
void nt_pnp_check_passive(const char *what, const void *code)
{
    uint64_t blamed = (uint64_t)(uintptr_t)code;

    if (nt_current()->spinlocks)
        nt_verifier_fail(NT_VERIFY_SPINLOCK_HELD, blamed, "%s returned holding %u spinlock(s)",
                         what, nt_current()->spinlocks);
    if (nt_irql() != PASSIVE_LEVEL)
        nt_verifier_fail(NT_VERIFY_IRQL, blamed, "%s returned at IRQL %u", what, nt_irql());
}

int nt_pnp_bind(struct nt_pnp *pnp, const char *path, const char *service, char *error,
                size_t error_size)
{
    char key[NT_SERVICE_KEY_MAX];
    struct nt_reg_key *created;

    /* Every service has its key, installed by INF or not: DriverEntry may open it. */
    snprintf(key, sizeof(key), NT_REG_SERVICES "\\%s", service);
    if (nt_reg_create(pnp->registry, NULL, key, &created, NULL) != 0) {
        snprintf(error, error_size, "cannot create the service key %s", key);
        return -1;
    }
    if (nt_driver_load(&pnp->platform, path, service, pnp->kuser_page, error, error_size) != 0)
        return -1;
    if (nt_driver_add_device(&pnp->platform, pnp->platform_pdo) != 0)
        return -1;
    pnp->state = NT_DEVNODE_ADDED;
    return 0;
}

/* The PnP dispatch routine of the device on top of the platform device. */
static const void *pnp_dispatch(struct nt_pnp *pnp)
{
    return nt_device_top(pnp->platform_pdo)->DriverObject->MajorFunction[IRP_MJ_PNP];
}

/* Started, a bus's children are asked for at once, as Windows does. */
int nt_pnp_start(struct nt_pnp *pnp)
{
    NTSTATUS status = send_pnp(pnp, IRP_MN_START_DEVICE);

    nt_pnp_check_passive("IRP_MN_START_DEVICE", pnp_dispatch(pnp));
    pnp->state = NT_SUCCESS(status) ? NT_DEVNODE_STARTED : NT_DEVNODE_FAILED;
    if (!NT_SUCCESS(status))
        return -1;
    atomic_store(&pnp->relations_invalid, false);
    nt_pnp_enumerate(pnp); /* a failure is logged; the device is started all the same */
    return 0;
}

/* User mode's handles on the device close before it is stopped or removed (the agent's). */
int nt_pnp_stop(struct nt_pnp *pnp)
{
    int rc = 0;

    nt_agent_pause();
    if (!NT_SUCCESS(send_pnp(pnp, IRP_MN_QUERY_STOP_DEVICE))) {
        send_pnp(pnp, IRP_MN_CANCEL_STOP_DEVICE);
        rc = -1;
    } else {
        send_pnp(pnp, IRP_MN_STOP_DEVICE);
        pnp->state = NT_DEVNODE_STOPPED;
    }
    nt_agent_resume();
    return rc;
}

/* After REMOVE_DEVICE: the driver left the PDO; the PnP manager disables its interfaces. */
static void removed(struct nt_pnp *pnp)
{
    nt_pnp_check_passive("IRP_MN_REMOVE_DEVICE", pnp->platform.object->MajorFunction[IRP_MJ_PNP]);
    if (pnp->platform_pdo->AttachedDevice)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, 0,
                         "after IRP_MN_REMOVE_DEVICE a device is still attached to the PDO");
    nt_interfaces_removed(pnp->platform_pdo);
    pnp->state = NT_DEVNODE_REMOVED;
}

/*
 * Removal as Windows does it for a device that stays present: the query,
 * then the children's removal, then the device's.
 */
int nt_pnp_remove(struct nt_pnp *pnp)
{
    nt_agent_pause();
    if (pnp->state == NT_DEVNODE_STARTED) {
        if (nt_pnp_query_remove_children(pnp) != 0) {
            nt_agent_resume();
            return -1;
        }
        if (!NT_SUCCESS(send_pnp(pnp, IRP_MN_QUERY_REMOVE_DEVICE))) {
            send_pnp(pnp, IRP_MN_CANCEL_REMOVE_DEVICE);
            nt_pnp_cancel_remove_children(pnp);
            nt_agent_resume();
            return -1;
        }
    }
    nt_pnp_remove_children(pnp);
    send_pnp(pnp, IRP_MN_REMOVE_DEVICE);
    removed(pnp);
    nt_agent_resume();
    return 0;
}

/* The device is gone at once: nothing is asked, nothing can refuse. */
void nt_pnp_surprise_remove(struct nt_pnp *pnp)
{
    nt_agent_pause();
    nt_pnp_surprise_remove_children(pnp);
    if (pnp->state == NT_DEVNODE_STARTED)
        send_pnp(pnp, IRP_MN_SURPRISE_REMOVAL);
    send_pnp(pnp, IRP_MN_REMOVE_DEVICE);
    removed(pnp);
    nt_agent_resume();
}

size_t nt_pnp_unload(struct nt_pnp *pnp)
{
    size_t leaks = nt_driver_unload(&pnp->platform);

    pnp->state = pnp->state == NT_DEVNODE_REMOVED ? pnp->state : NT_DEVNODE_NO_DRIVER;
    return leaks + pnp->child_leaks;
}

int nt_pnp_install(struct nt_pnp *pnp, const struct nt_inf_driver *driver, const char *instance)
{
    char error[NT_INF_ERROR_SIZE];

    if (nt_registry_install(pnp->registry, driver, instance, NULL, error, sizeof(error)) != 0) {
        nt_log("pnp: installing %s for %s: %s\n", driver->inf_path, instance, error);
        return -1;
    }
    nt_log("pnp: %s installed from %s (%s, service %s, start type %u)\n", instance,
           driver->inf_path, driver->matched_id, driver->service.name, driver->service.start);
    return 0;
}

int nt_pnp_installed_earlier(struct nt_pnp *pnp, const char *hardware_id, char *error,
                             size_t error_size)
{
    const char *ids[] = {hardware_id};
    struct nt_device_ids device = {ids, 1, NULL, 0};
    struct nt_inf_driver driver;
    char instance[NT_DEVICE_INSTANCE_MAX];
    int rc;

    if (pnp->drivers_dir == NULL) {
        snprintf(error, error_size, "--installed needs --drivers");
        return -1;
    }
    if (nt_inf_select(pnp->drivers_dir, &device, NULL, &driver, error, error_size) != 0)
        return -1;
    snprintf(instance, sizeof(instance), "%s\\0", hardware_id);
    rc = nt_pnp_install(pnp, &driver, instance);
    if (rc != 0)
        snprintf(error, error_size, "installing the driver of %s failed", hardware_id);
    nt_inf_driver_free(&driver);
    return rc;
}

int nt_pnp_bind_by_inf(struct nt_pnp *pnp, char *error, size_t error_size)
{
    struct nt_inf_driver driver;
    int rc;

    if (nt_inf_select(pnp->drivers_dir, &pnp->platform_ids.ids, NULL, &driver, error, error_size) !=
        0)
        return -1;
    pnp->platform_start = driver.service.start;
    rc = nt_pnp_install(pnp, &driver, pnp->platform_ids.instance);
    if (rc == 0)
        rc = nt_pnp_bind(pnp, driver.image_path, driver.service.name, error, error_size);
    nt_inf_driver_free(&driver);
    return rc;
}

/* @count IDs as a multi-string at @out; its length, or 0 when it does not fit. */
static size_t multi_string(const char *const *ids, size_t count, char *out, size_t size)
{
    size_t used = 0;

    for (size_t i = 0; i < count; i++) {
        size_t length = strlen(ids[i]) + 1;

        if (used + length + 1 > size)
            return 0;
        memcpy(out + used, ids[i], length);
        used += length;
    }
    if (used + 1 > size)
        return 0;
    out[used++] = '\0';
    return used;
}

/* The space-separated @list as a multi-string at @out (as multi_string). */
static size_t multi_string_of_list(const char *list, char *out, size_t size)
{
    char copy[NT_CHILD_IDS_MAX], *save = NULL;
    const char *ids[NT_CHILD_IDS_MAX / 2];
    size_t count = 0;

    snprintf(copy, sizeof(copy), "%s", list);
    for (char *id = strtok_r(copy, " ", &save); id; id = strtok_r(NULL, " ", &save))
        ids[count++] = id;
    return multi_string(ids, count, out, size);
}

/*
 * The child whose PDO is @pdo, when it is a device node: one whose IDs
 * could not be had is none, as on Windows. Called with pnp->lock held.
 */
static const struct nt_child *device_node(const struct nt_pnp *pnp, const DEVICE_OBJECT *pdo)
{
    for (const struct nt_child *c = pnp->children; c; c = c->next) {
        if (c->pdo == pdo)
            return c->hardware_ids[0] != '\0' ? c : NULL;
    }
    return NULL;
}

size_t nt_pnp_device_ids(DEVICE_OBJECT *pdo, bool compatible, char *out, size_t size)
{
    struct nt_pnp *pnp = manager;
    const struct nt_child *c;
    size_t length = 0;

    if (pnp == NULL || pdo == NULL)
        return 0;
    if (pdo == pnp->platform_pdo) {
        const struct nt_pci_ids *ids = &pnp->platform_ids;

        return compatible ? multi_string(ids->compatible, ids->ids.compatible_count, out, size)
                          : multi_string(ids->hardware, ids->ids.hardware_count, out, size);
    }
    pthread_mutex_lock(&pnp->lock);
    c = device_node(pnp, pdo);
    if (c)
        length = multi_string_of_list(compatible ? c->compatible_ids : c->hardware_ids, out, size);
    pthread_mutex_unlock(&pnp->lock);
    return length;
}

bool nt_pnp_knows_pdo(DEVICE_OBJECT *pdo)
{
    struct nt_pnp *pnp = manager;
    bool known;

    if (pnp == NULL || pdo == NULL)
        return false;
    if (pdo == pnp->platform_pdo)
        return true;
    pthread_mutex_lock(&pnp->lock);
    known = device_node(pnp, pdo) != NULL;
    pthread_mutex_unlock(&pnp->lock);
    return known;
}

void nt_pnp_fini(struct nt_pnp *pnp)
{
    sim_guest_set_upcall(NULL, NULL);
    manager = NULL;
    if (pnp->platform_pdo)
        nt_device_delete(pnp->platform_pdo, 0);
    nt_driver_object_free(pnp->pci);
    nt_registry_destroy(pnp->registry);
    pnp->platform_pdo = NULL;
    pnp->pci = NULL;
    pnp->registry = NULL;
}

/* One line per device node: instance path, [hardware IDs], driver (or -), state. */
void nt_pnp_print(const struct nt_pnp *pnp, FILE *out)
{
    const struct nt_pci_ids *ids = &pnp->platform_ids;

    fprintf(out, "%s [%s %s %s %s] %s %s\n", ids->instance, ids->hardware[0], ids->hardware[1],
            ids->hardware[2], ids->hardware[3],
            pnp->platform.loaded ? pnp->platform.image.name : "-",
            nt_devnode_state_name(pnp->state));
    nt_pnp_print_children(pnp, out);
}

void nt_pnp_publish(const struct nt_pnp *pnp)
{
    char temporary[4200];
    FILE *f;

    if (pnp->tree_path == NULL)
        return;
    snprintf(temporary, sizeof(temporary), "%s.new", pnp->tree_path);
    f = fopen(temporary, "w");
    if (f == NULL) {
        nt_log("pnp: cannot write %s\n", temporary);
        return;
    }
    nt_pnp_print(pnp, f);
    if (fclose(f) != 0 || rename(temporary, pnp->tree_path) != 0)
        nt_log("pnp: cannot publish the device tree at %s\n", pnp->tree_path);
}
