/*
 * windows/xenvbd/adapter.h - XENVBD's adapter: the Storport miniport's
 * HwDeviceExtension on XENBUS's disk class PDO, one target per vbd device.
 *
 * Built so far: registration with Storport, the adapter's start (the
 * XENBUS interfaces queried through the PDO's stack, every vbd device of
 * the domain connected through core/vbd in passive initialization), disks
 * hot-plugged and unplugged while it runs (targets.c: a target each, given
 * and freed, Storport told to rescan), its stop and removal (every
 * frontend closed at PASSIVE_LEVEL before Storport stops the adapter), and
 * SRBs through core/vbd/scsi (srb.c), answered at once or on the ring, a
 * resize reported as a unit attention. HwStartIo runs on several
 * processors at once where Storport offers concurrent channels
 * (StorPortInitializePerfOpts in HwInitialize), each SRB on the frontend
 * queue of its processor; a target's frontend is held against its removal
 * by a rundown count, no lock shared (target_use.c). Dump mode
 * (dump.c): the dump pointers answered with each disk's dump context, and
 * the dump copy that writes a crash dump or a hibernation file through it.
 */
#ifndef WINPV_XENVBD_ADAPTER_H
#define WINPV_XENVBD_ADAPTER_H

#include "os.h"
#include "srb_access.h"
#include "storport_abi.h"
#include "vbd/front.h"
#include "vbd/scsi.h"
#include "winpv/evtchn_interface.h"
#include "winpv/gnttab_interface.h"
#include "winpv/store_interface.h"
#include "winpv/suspend_interface.h"
#include "winpv/xenbus_interface.h"

/* Targets: one per vbd device, as many as Storport addresses on one bus. */
#define XENVBD_MAX_TARGETS 16

enum xenvbd_interface {
    XENVBD_STORE,
    XENVBD_XENBUS,
    XENVBD_EVTCHN,
    XENVBD_GNTTAB,
    XENVBD_SUSPEND,
    XENVBD_INTERFACES,
};

/* A vbd device's name under device/vbd (its virtual-device number), with its NUL. */
#define XENVBD_ID_SIZE 16

struct xenvbd_target {
    char id[XENVBD_ID_SIZE];
    /*
     * The connected frontend; NULL while the target is free. Published and
     * withdrawn by passive code (targets.c); HwStartIo uses it only between
     * xenvbd_target_enter and _leave (target_use.c).
     */
    struct vbd_front *front;
    volatile uint32_t users;             /* HwStartIo calls inside, and whether it is closing */
    struct os_event drained;             /* set when the last one leaves a closing target */
    struct vbd_scsi_attention attention; /* the disk as Storport was told of it */
};

/* Page pieces of the largest transfer, which need not start on a page. */
#define XENVBD_MAX_SG (VBD_FRONT_MAX_TRANSFER_DEFAULT / PAGE_SIZE + 1)

/* An SRB's state while it is on the ring (its SrbExtension). */
struct xenvbd_srb {
    struct vbd_front_request req;
    struct vbd_scsi_result res;
    struct xenvbd_srb_view view; /* the SRB, either form */
    struct xenvbd_adapter *adapter;
    struct vbd_front *front; /* the target's frontend when the SRB started */
    ULONG nr_sg;
    struct vbd_front_sg sg[XENVBD_MAX_SG];
};

struct xenvbd_adapter {
    DEVICE_OBJECT *fdo, *pdo, *lower;
    struct winpv_store_interface_v1 store;
    struct winpv_xenbus_interface_v1 xenbus;
    struct winpv_evtchn_interface_v1 evtchn;
    struct winpv_gnttab_interface_v1 gnttab;
    struct winpv_suspend_interface_v1 suspend;
    BOOLEAN held[XENVBD_INTERFACES]; /* each table XENBUS gave, referenced until the stop */
    struct xenvbd_target target[XENVBD_MAX_TARGETS];
    /* Following the domain's devices (targets.c). */
    struct os_work work;             /* compares devices and targets */
    BOOLEAN work_ready;              /* work initialized: flushed at the stop */
    volatile uint32_t stopping;      /* the work changes nothing any more */
    struct winpv_store_watch *watch; /* on device/vbd; NULL when none */
    /* Devices left out until they go (did not connect), or until a target is freed (no room). */
    struct {
        char id[XENVBD_ID_SIZE]; /* "": an unused entry */
        BOOLEAN no_room;
    } refused[XENVBD_MAX_TARGETS];
};

/* The miniport's callbacks (adapter.c), for DriverEntry's registration. */
HW_FIND_ADAPTER xenvbd_find_adapter;
HW_INITIALIZE xenvbd_initialize;
HW_STARTIO xenvbd_start_io;
HW_RESET_BUS xenvbd_reset_bus;
HW_ADAPTER_CONTROL xenvbd_adapter_control;

/*
 * Close every target's frontend and give XENBUS its tables back, before
 * Storport stops or removes the adapter. Context: passive.
 */
void xenvbd_adapter_stop(struct xenvbd_adapter *adapter);

/*
 * Connect every vbd device of the domain, one target each, then follow
 * devices added and removed while the adapter runs (targets.c). Context:
 * passive initialization.
 */
void xenvbd_targets_start(struct xenvbd_adapter *adapter);

/*
 * Stop following the domain's devices and close every target's frontend.
 * Context: passive.
 */
void xenvbd_targets_stop(struct xenvbd_adapter *adapter);

/*
 * A target's frontend, used by HwStartIo while passive code may withdraw
 * it (target_use.c). Init: the target free (passive, before it is used).
 * Enter: the frontend, held until _leave, or NULL (free, or closing: not
 * to be left). Context: any, concurrently. Publish: a connected frontend
 * made the target's (passive). Withdraw: no one enters any more, those
 * inside have left; the frontend, now the caller's (passive).
 */
void xenvbd_target_init(struct xenvbd_target *t);
struct vbd_front *xenvbd_target_enter(struct xenvbd_target *t);
void xenvbd_target_leave(struct xenvbd_target *t);
void xenvbd_target_publish(struct xenvbd_target *t, struct vbd_front *front);
struct vbd_front *xenvbd_target_withdraw(struct xenvbd_target *t);

/*
 * What HwFindAdapter tells Storport of the adapter in either mode: the
 * largest transfer (1 MiB), one bus of XENVBD_MAX_TARGETS targets of one
 * LUN, 64-bit scatter/gather. Context: HwFindAdapter.
 */
void xenvbd_adapter_limits(PPORT_CONFIGURATION_INFORMATION config);

/*
 * SRB_FUNCTION_DUMP_POINTERS: MINIPORT_DUMP_POINTERS naming the target's
 * dump context, or the SRB failed; the SRB given back. Context: HwStartIo.
 */
void xenvbd_dump_pointers(struct xenvbd_adapter *adapter, const struct xenvbd_srb_view *v);

/*
 * DriverEntry in dump mode (NULL arguments): register the dump copy's
 * callbacks with the dump port. Context: as the dump port calls it
 * (HIGH_LEVEL, nothing may wait or allocate).
 */
NTSTATUS xenvbd_dump_entry(void);

/* The adapter whose FDO is @fdo, or NULL (a unit's PDO, or an adapter not started). */
struct xenvbd_adapter *xenvbd_adapter_of(DEVICE_OBJECT *fdo);

/* Ask XENBUS for interface @which through the adapter's stack. Context: passive. */
NTSTATUS xenvbd_query_interface(struct xenvbd_adapter *adapter, enum xenvbd_interface which);

#endif /* WINPV_XENVBD_ADAPTER_H */
