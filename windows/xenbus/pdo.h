/*
 * windows/xenbus/pdo.h - the child devices XENBUS reports: one physical
 * device object per class of PV device present (vbd, vif) and one for
 * XENIFACE, each a device a child driver binds to by hardware ID.
 */
#ifndef WINPV_XENBUS_PDO_H
#define WINPV_XENBUS_PDO_H

#include "nt_headers.h"

struct xenbus_fdo;

enum xenbus_child_class {
    XENBUS_CHILD_VBD,
    XENBUS_CHILD_VIF,
    XENBUS_CHILD_IFACE,
    XENBUS_CHILD_CLASSES,
};

/* A child's life, as the PnP manager moves it. */
enum pdo_pnp_state {
    PDO_REPORTED, /* created and reported in BusRelations */
    PDO_STARTED,
    PDO_STOPPED,
    PDO_SURPRISE_REMOVED,
    PDO_REMOVED, /* removed while still present: may start again */
};

struct xenbus_pdo {
    enum xenbus_object_kind kind; /* XENBUS_PDO: first, as in every extension of ours */
    DEVICE_OBJECT *self;
    struct xenbus_fdo *fdo;
    enum xenbus_child_class cls;
    enum pdo_pnp_state state;
    BOOLEAN present; /* in the last BusRelations; else deleted on REMOVE */
};

/* The xenstore class of @cls ("vbd"), or NULL for a child that has none. */
const char *xenbus_child_class_name(enum xenbus_child_class cls);

/* Create the PDO of @cls for @fdo. Context: passive. */
NTSTATUS xenbus_pdo_create(struct xenbus_fdo *fdo, enum xenbus_child_class cls,
                           struct xenbus_pdo **out);

/* IRP_MJ_PNP and IRP_MJ_POWER sent to a PDO. Context: passive (power: may be DISPATCH). */
NTSTATUS xenbus_pdo_dispatch_pnp(struct xenbus_pdo *pdo, IRP *irp);
NTSTATUS xenbus_pdo_dispatch_power(struct xenbus_pdo *pdo, IRP *irp);

#endif /* WINPV_XENBUS_PDO_H */
