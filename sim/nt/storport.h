/*
 * sim/nt/storport.h - the simulated Storport's adapters, shared by its
 * parts: storport.c (registration, PnP, the miniport's calls) and
 * storport_srb.c (SRBs to the miniport, the scan of its targets).
 */
#ifndef WINPV_SIM_NT_STORPORT_H
#define WINPV_SIM_NT_STORPORT_H

#include <pthread.h>
#include <stdbool.h>

#include "storport_abi.h"

#define ADAPTER_MAGIC     0x52444150524f5453ull /* "STORPADR" */
#define ADAPTER_DIRQL     5  /* HwInitialize runs at a device's interrupt level */
#define CONTROL_TYPES_MAX 26 /* ScsiAdapterControlMax */

/* A miniport driver registered with StorPortInitialize. */
struct miniport {
    DRIVER_OBJECT *driver;
    HW_INITIALIZATION_DATA init;
    struct miniport *next;
};

enum adapter_state {
    ADAPTER_ADDED,   /* AddDevice made it */
    ADAPTER_STARTED, /* HwFindAdapter found it and HwInitialize succeeded */
    ADAPTER_STOPPED, /* stopped (ScsiStopAdapter), or its start failed */
    ADAPTER_REMOVED, /* removed: its FDO is deleted */
};

/* An SRB the miniport holds: given to HwBuildIo or HwStartIo, not yet given back. */
struct srb_in_flight {
    SCSI_REQUEST_BLOCK *srb;
    bool completed;
    struct srb_in_flight *next;
};

/* The FDO's extension: the adapter. */
struct adapter {
    uint64_t magic;
    enum adapter_state state;
    struct miniport *miniport;
    DEVICE_OBJECT *fdo, *pdo, *lower;
    void *hw_extension; /* the miniport's HwDeviceExtension, in nonpaged pool */
    PORT_CONFIGURATION_INFORMATION config;
    bool in_hw_initialize;
    void *passive_initialize; /* HwPassiveInitializeRoutine, when enabled */
    BOOLEAN control_types[CONTROL_TYPES_MAX];
    KSPIN_LOCK start_io_lock;
    pthread_mutex_t srbs_lock; /* guards in_flight; taken alone */
    pthread_cond_t srb_completed;
    struct srb_in_flight *in_flight;
    unsigned int units; /* disks the scan found */
    struct adapter *next;
};

/*
 * The scan of a started adapter's targets (LUN 0 of each), as Storport's
 * first bus enumeration does: a standard INQUIRY each, then READ CAPACITY
 * of each disk found; what is found is logged. Context: PASSIVE_LEVEL.
 */
void storport_scan(struct adapter *a);

/* StorPortNotification(RequestComplete): the miniport gives @srb back. */
void storport_request_complete(struct adapter *a, SCSI_REQUEST_BLOCK *srb, uint64_t caller);

#endif /* WINPV_SIM_NT_STORPORT_H */
