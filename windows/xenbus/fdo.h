/*
 * windows/xenbus/fdo.h - the function device object XENBUS creates on the
 * Xen platform PCI device.
 */
#ifndef WINPV_XENBUS_FDO_H
#define WINPV_XENBUS_FDO_H

#include "nt_headers.h"
#include "os.h"
#include "xenbus/services.h"
#include "xenbus/shutdown.h"

/* What a device extension of ours is: the first member of each. */
enum xenbus_object_kind {
    XENBUS_FDO = 0x46425758, /* "XWBF" */
    XENBUS_PDO = 0x50425758, /* "XWBP" */
};

#include "pdo.h"

/* vCPUs whose upcalls are taken: Xen signals the legacy vcpu_info of the first 32. */
#define XENBUS_MAX_VCPUS 32

enum fdo_pnp_state {
    FDO_ADDED,   /* created, not started */
    FDO_STARTED, /* START_DEVICE succeeded */
    /* START_DEVICE succeeded on a device other than Xen's platform device: serving nothing. */
    FDO_STANDING_BY,
    FDO_STOPPED, /* STOP_DEVICE, resources released */
    FDO_SURPRISE_REMOVED,
    FDO_REMOVED,
};

/* The user-mode agent's channel (agent.c), while the bus serves. */
struct xenbus_agent {
    KSPIN_LOCK lock;            /* guards what follows but the link and the offer lock */
    BOOLEAN serving;            /* the interface is enabled: handles may open and wait */
    FILE_OBJECT *owner;         /* the agent's handle: the first that waited */
    IRP *waiting;               /* its pending wait, or NULL */
    uint32_t kept;              /* a request that came while no wait was pending, or 0 */
    struct os_mutex offer_lock; /* held while the shutdown engine is told what is offered */
    UNICODE_STRING link;        /* the interface instance, from IoRegisterDeviceInterface */
};

struct xenbus_fdo {
    enum xenbus_object_kind kind; /* XENBUS_FDO */
    DEVICE_OBJECT *self;
    DEVICE_OBJECT *pdo;   /* the PCI bus driver's device */
    DEVICE_OBJECT *lower; /* the device below us in the stack */
    IO_REMOVE_LOCK remove_lock;
    enum fdo_pnp_state state;
    struct xenbus_services services; /* while started */
    PKINTERRUPT interrupt;           /* Xen's upcall, while connected */
    ULONG vcpus;
    KDPC upcall_dpc[XENBUS_MAX_VCPUS];
    /* The toolstack's suspend requests (suspend.c), while started. */
    struct xenbus_shutdown *shutdown;
    PIO_WORKITEM suspend_item;
    struct os_mutex suspend_lock; /* guards suspend_stopping against a request queued */
    BOOLEAN suspend_stopping;
    KEVENT suspend_idle; /* signalled while no suspend is queued or running */
    ULONG processors;    /* each holds still around the suspend hypercall... */
    KDPC *hold_dpcs;     /* ...by its DPC */
    struct xenbus_agent agent;
    /* The children: devices present per class, and each class's PDO. */
    struct xenbus_enumerator *enumerator;
    struct os_mutex children_lock;
    unsigned int devices[XENBUS_CHILD_CLASSES];
    struct xenbus_pdo *children[XENBUS_CHILD_CLASSES];
};

static inline enum xenbus_object_kind xenbus_kind_of(DEVICE_OBJECT *device)
{
    return *(enum xenbus_object_kind *)device->DeviceExtension;
}

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
/*
 * The driver's service key (\Registry\Machine\...\Services\xenbus),
 * terminated, from DriverEntry; Buffer NULL when the name was too long.
 */
extern UNICODE_STRING xenbus_service_path;

/*
 * Unplug the emulated devices whose PV drivers are installed, once per
 * boot (unplug.c); *@serves becomes FALSE when the platform device refused
 * this build: XENBUS then stands by. Context: passive.
 */
NTSTATUS xenbus_unplug_at_start(BOOLEAN *serves);

/* Whether the FDO is on Xen's platform device, which it serves from (platform_device.c). */
NTSTATUS xenbus_platform_device(struct xenbus_fdo *fdo, BOOLEAN *serves);
NTSTATUS xenbus_start(struct xenbus_fdo *fdo, const CM_RESOURCE_LIST *raw);
void xenbus_stop(struct xenbus_fdo *fdo);

/*
 * Children: watch device/ for PV devices (start), stop watching and forget
 * every child (stop), answer BusRelations (relations: the IRP's new
 * Information, or NULL when there is nothing to report).
 * Context: passive.
 */
NTSTATUS xenbus_children_start(struct xenbus_fdo *fdo);
void xenbus_children_stop(struct xenbus_fdo *fdo);
NTSTATUS xenbus_children_relations(struct xenbus_fdo *fdo, DEVICE_RELATIONS **relations);
/* The PnP manager removed @pdo; forget it if it was gone. Context: passive. */
void xenbus_children_removed(struct xenbus_fdo *fdo, struct xenbus_pdo *pdo);
/* Every child deleted, as the bus itself goes. Context: passive. */
void xenbus_children_delete(struct xenbus_fdo *fdo);

/*
 * Carry out the toolstack's suspend requests (control/shutdown "suspend"):
 * start after the services, stop before them; stop waits for a suspend in
 * flight. Context: passive.
 */
NTSTATUS xenbus_suspend_start(struct xenbus_fdo *fdo);
void xenbus_suspend_stop(struct xenbus_fdo *fdo);

/*
 * The agent (agent.c): its interface served from start to stop (after the
 * suspend's start, before its stop); a power-off, reboot or halt handed to
 * it from the shutdown engine's callback; IRP_MJ_CREATE, _CLEANUP, _CLOSE,
 * _DEVICE_CONTROL and _SHUTDOWN dispatched. Context: passive.
 */
NTSTATUS xenbus_agent_start(struct xenbus_fdo *fdo);
void xenbus_agent_stop(struct xenbus_fdo *fdo);
void xenbus_agent_deliver(struct xenbus_fdo *fdo, enum xenbus_shutdown_request request);
NTSTATUS xenbus_dispatch_agent(DEVICE_OBJECT *device, IRP *irp);

/* Any other IRP: passed down from the FDO, ended at a PDO. Context: passive or dispatch. */
NTSTATUS xenbus_dispatch_other(DEVICE_OBJECT *device, IRP *irp);

/* Connect Xen's upcall to the platform device's interrupt, and disconnect it. Context: passive. */
NTSTATUS xenbus_upcall_connect(struct xenbus_fdo *fdo, const CM_RESOURCE_LIST *raw);
void xenbus_upcall_disconnect(struct xenbus_fdo *fdo);

#endif /* WINPV_XENBUS_FDO_H */
