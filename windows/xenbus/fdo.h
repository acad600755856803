/*
 * windows/xenbus/fdo.h - the function device object XENBUS creates on the
 * Xen platform PCI device.
 */
#ifndef WINPV_XENBUS_FDO_H
#define WINPV_XENBUS_FDO_H

#include "nt_headers.h"
#include "xenbus/services.h"

/* vCPUs whose upcalls are taken: Xen signals the legacy vcpu_info of the first 32. */
#define XENBUS_MAX_VCPUS 32

enum fdo_pnp_state {
    FDO_ADDED,   /* created, not started */
    FDO_STARTED, /* START_DEVICE succeeded */
    FDO_STOPPED, /* STOP_DEVICE, resources released */
    FDO_SURPRISE_REMOVED,
    FDO_REMOVED,
};

struct xenbus_fdo {
    DEVICE_OBJECT *self;
    DEVICE_OBJECT *pdo;   /* the PCI bus driver's device */
    DEVICE_OBJECT *lower; /* the device below us in the stack */
    IO_REMOVE_LOCK remove_lock;
    enum fdo_pnp_state state;
    struct xenbus_services services; /* while started */
    PKINTERRUPT interrupt;           /* Xen's upcall, while connected */
    ULONG vcpus;
    KDPC upcall_dpc[XENBUS_MAX_VCPUS];
};

static inline struct xenbus_fdo *fdo_from_device(DEVICE_OBJECT *device)
{
    return device->DeviceExtension;
}

/* Context: passive. */
NTSTATUS xenbus_add_device(DRIVER_OBJECT *driver, DEVICE_OBJECT *pdo);

/* IRP_MJ_PNP and IRP_MJ_POWER dispatch. Context: passive (power: may be DISPATCH). */
NTSTATUS xenbus_dispatch_pnp(DEVICE_OBJECT *device, IRP *irp);
NTSTATUS xenbus_dispatch_power(DEVICE_OBJECT *device, IRP *irp);

/* Hand an IRP to the lower driver unchanged. Context: passive or dispatch. */
NTSTATUS xenbus_pass_down(struct xenbus_fdo *fdo, IRP *irp);

/*
 * Start and stop what XENBUS runs on the platform device, given the
 * resources START_DEVICE brought (@raw: as the bus assigned them).
 * Context: passive.
 */
NTSTATUS xenbus_start(struct xenbus_fdo *fdo, const CM_RESOURCE_LIST *raw);
void xenbus_stop(struct xenbus_fdo *fdo);

/* Connect Xen's upcall to the platform device's interrupt, and disconnect it. Context: passive. */
NTSTATUS xenbus_upcall_connect(struct xenbus_fdo *fdo, const CM_RESOURCE_LIST *raw);
void xenbus_upcall_disconnect(struct xenbus_fdo *fdo);

#endif /* WINPV_XENBUS_FDO_H */
