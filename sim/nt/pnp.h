/* sim/nt/pnp.h - the PnP manager (see pnp.c). Context: the PnP thread, PASSIVE_LEVEL. */
#ifndef WINPV_SIM_NT_PNP_H
#define WINPV_SIM_NT_PNP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

#include "exports.h"
#include "image.h"
#include "ntabi.h"

enum nt_devnode_state {
    NT_DEVNODE_NO_DRIVER, /* enumerated, no driver found for it */
    NT_DEVNODE_PRESENT,   /* enumerated, no driver */
    NT_DEVNODE_ADDED,     /* AddDevice succeeded */
    NT_DEVNODE_STARTED,
    NT_DEVNODE_STOPPED,
    NT_DEVNODE_REMOVED,
    NT_DEVNODE_FAILED, /* START_DEVICE failed, or (a child) its IDs could not be had */
};

#define NT_PNP_IRP_TIMEOUT_MS 30000
/* The platform device's interrupt: GSI (raw), vector and device IRQL (translated). */
#define NT_PLATFORM_GSI       28
#define NT_PLATFORM_VECTOR    0x81
#define NT_PLATFORM_IRQL      8 /* a PnP IRP not completed by then is a driver bug */
#define NT_SERVICE_KEY_MAX    256

#define NT_BUS_RELATIONS 0
#define NT_CHILD_IDS_MAX 512 /* characters of a child's IDs, space-separated */

/* A child the platform device's bus driver reported. */
struct nt_child {
    struct nt_child *next;
    DEVICE_OBJECT *pdo; /* referenced while known */
    char device_id[128];
    char instance_id[64];
    char hardware_ids[NT_CHILD_IDS_MAX];
    char compatible_ids[NT_CHILD_IDS_MAX];
    enum nt_devnode_state state;
    bool reported; /* in the last BusRelations */
};

struct nt_pnp {
    DRIVER_OBJECT *pci;          /* the kernel's PCI bus driver */
    DEVICE_OBJECT *platform_pdo; /* the Xen platform device */
    DRIVER_OBJECT *driver;       /* its function driver */
    struct nt_image *image;
    enum nt_devnode_state state;
    unsigned int irp_timeout_ms;
    struct { /* a list of one descriptor and the one after it */
        CM_RESOURCE_LIST list;
        CM_PARTIAL_RESOURCE_DESCRIPTOR more;
    } raw, translated;
    WCHAR service_key[NT_SERVICE_KEY_MAX]; /* DriverEntry's registry path */
    struct nt_child *children;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    atomic_bool relations_invalid; /* IoInvalidateDeviceRelations since the last enumeration */
};

int nt_pnp_init(struct nt_pnp *pnp);
void nt_pnp_fini(struct nt_pnp *pnp);
/* @image's driver object, DriverEntry (its service key named @service), AddDevice. */
int nt_pnp_bind(struct nt_pnp *pnp, struct nt_image *image, const char *service);
int nt_pnp_start(struct nt_pnp *pnp);
int nt_pnp_stop(struct nt_pnp *pnp);
int nt_pnp_remove(struct nt_pnp *pnp);
/*
 * DriverUnload, then what the image still holds: a connected interrupt or
 * a set timer stops the guest; pool and I/O space mappings are counted.
 * Returns the number of leaks.
 */
size_t nt_pnp_unload(struct nt_pnp *pnp);
void nt_pnp_print(const struct nt_pnp *pnp, FILE *out);
const char *nt_devnode_state_name(enum nt_devnode_state state);

/*
 * Ask the platform device's stack for its BusRelations and bring the
 * children up to date: a new PDO becomes a child (its IDs queried), a PDO
 * no longer reported is removed. Returns 0, or -1 when the query failed.
 */
int nt_pnp_enumerate(struct nt_pnp *pnp);
/* Enumerate again whenever the bus invalidated its relations, for @ms milliseconds. */
void nt_pnp_serve(struct nt_pnp *pnp, unsigned int ms);
/* REMOVE_DEVICE to every child, and forget them. */
void nt_pnp_remove_children(struct nt_pnp *pnp);
void nt_pnp_print_children(const struct nt_pnp *pnp, FILE *out);

/* Send a PnP request (@request's major, minor and parameters) down @pdo's stack; wait for it. */
NTSTATUS nt_pnp_irp(struct nt_pnp *pnp, DEVICE_OBJECT *pdo, const IO_STACK_LOCATION *request,
                    uint64_t *information);
/* A driver's routine returned: it must be back at PASSIVE_LEVEL holding no spinlock. */
void nt_pnp_check_passive(const char *what, const void *code);

/* One of the kernel's own exports, for the kernel's own drivers. */
const void *nt_kernel_export(const char *name);

#endif /* WINPV_SIM_NT_PNP_H */
