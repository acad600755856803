/*
 * sim/nt/storport.h - the simulated Storport's adapters, shared by its
 * parts: storport.c (registration, PnP, the miniport's calls),
 * storport_srb.c (SRBs to the miniport), storport_srbex.c (an SRB in the
 * form the miniport takes) and storport_bus.c (the
 * enumeration of its targets, the units found and their disk numbers).
 *
 * Lock order: storport.c's adapters_lock; storport_bus.c's units_lock,
 * then an adapter's srbs_lock. An adapter's scan_lock is taken before
 * either of the last two and held across SRBs.
 */
#ifndef WINPV_SIM_NT_STORPORT_H
#define WINPV_SIM_NT_STORPORT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

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

/* Which of the miniport's initialization routines an adapter's start is in. */
enum adapter_init {
    ADAPTER_INIT_NONE,
    ADAPTER_INIT_HW,      /* HwInitialize */
    ADAPTER_INIT_PASSIVE, /* HwPassiveInitializeRoutine */
};

/*
 * What a request asks of the miniport, whichever form its SRB takes
 * (storport_srbex.c): what the port wrote into it, and what the miniport's
 * answer is checked against.
 */
struct srb_spec {
    uint8_t function; /* SRB_FUNCTION_* */
    uint8_t target;   /* LUN 0 of it, on bus 0 */
    uint8_t cdb[16];
    uint8_t cdb_length;
    uint32_t flags; /* SRB_FLAGS_* */
    void *data;
    uint32_t length;
    void *sense;
    uint8_t sense_length;
    void *extension;  /* the miniport's SrbExtension, NULL when it asked for none */
    uint32_t timeout; /* seconds */
};

/* An SRB the miniport holds: given to HwBuildIo or HwStartIo, not yet given back. */
struct srb_in_flight {
    void *srb; /* SCSI_REQUEST_BLOCK or STORAGE_REQUEST_BLOCK, as the miniport asked */
    const struct srb_spec *spec;  /* what it was built from */
    bool extended;                /* its form */
    STOR_SCATTER_GATHER_LIST *sg; /* built at the miniport's first ask, freed with the entry */
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
    enum adapter_init init_phase; /* where its start is in the miniport's initialization */
    void *passive_initialize;     /* HwPassiveInitializeRoutine, when enabled */
    /*
     * Concurrent calls of HwStartIo the miniport takes (StorPortInitializePerfOpts,
     * storport_perf.c); 0: one at a time, under the StartIo lock. Then the
     * SRBs in HwStartIo now (srbs_lock).
     */
    uint32_t concurrent_channels;
    uint32_t in_start_io;
    uint32_t most_in_start_io; /* the most HwStartIo calls seen at once (srbs_lock) */
    uint32_t start_io_vcpus;   /* the processors HwStartIo ran on, a bit each (srbs_lock) */
    BOOLEAN control_types[CONTROL_TYPES_MAX];
    KSPIN_LOCK start_io_lock;
    pthread_mutex_t srbs_lock; /* guards in_flight, users, rescan_queued; see the lock order */
    pthread_cond_t srb_completed;
    struct srb_in_flight *in_flight;
    /* Users of its units (disk holds, an enumeration): a stop waits for none (srbs_lock). */
    unsigned int users;
    /* The enumeration of its targets (storport_bus.c). */
    pthread_mutex_t scan_lock;   /* one enumeration at a time */
    bool closing;                /* units dropped, no user taken (units_lock) */
    bool rescan_queued;          /* rescan_item waits for a worker (srbs_lock) */
    WORK_QUEUE_ITEM rescan_item; /* BusChangeDetected's enumeration */
    struct adapter *next;
};

/*
 * The enumeration of a started adapter's targets (LUN 0 of each), as
 * Storport's bus enumeration does: a standard INQUIRY each, then READ
 * CAPACITY of each disk found that was not known; what is found and what
 * went is logged, and the disk class started on each new disk. The first
 * after a start. Context: PASSIVE_LEVEL.
 */
void storport_scan(struct adapter *a);

/*
 * StorPortNotification(BusChangeDetected, @a, @path_id) from the miniport
 * at @caller: checked as documented, then the bus enumerated again at
 * PASSIVE_LEVEL on a system worker. Context: up to the adapter's DIRQL.
 */
void storport_bus_change(struct adapter *a, uint8_t path_id, uint64_t caller);

/*
 * Before the adapter stops or goes: its units dropped (their disk numbers
 * free), no new user taken, and every user and queued enumeration waited
 * for. Context: PASSIVE_LEVEL.
 */
void storport_units_close(struct adapter *a);

/* What an SRB came back with. */
struct srb_outcome {
    uint8_t srb_status;
    uint8_t scsi_status;
    uint32_t transferred;
    uint8_t sense_length; /* of autosense data in sense (SRB_STATUS_AUTOSENSE_VALID) */
    uint8_t sense[18];
};

enum srb_direction { SRB_DIR_NONE, SRB_DIR_IN, SRB_DIR_OUT };

/*
 * A request of the disk class's: an SRB of its own in nonpaged pool (guest
 * memory) with room for @max_length bytes of data at @data, started as
 * often as wanted, one start at a time. Several can be with the miniport at
 * once, which is how a queue depth above 1 is made.
 */
struct storport_request {
    struct adapter *a;
    void *srb;     /* in either form: spec says what it holds */
    bool extended; /* a STORAGE_REQUEST_BLOCK */
    struct srb_spec spec;
    uint8_t *data;
    uint32_t max_length;
    uint8_t function;         /* the SRB's Function: 0, SRB_FUNCTION_EXECUTE_SCSI, unless set */
    bool started;             /* with the miniport, not yet taken back by a wait */
    unsigned int attentions;  /* unit attentions its caller met on its command (retries) */
    struct timespec deadline; /* when the miniport must have given it back */
    struct srb_in_flight f;
};

/* 0, or -1 when the pool has no room. Context: PASSIVE_LEVEL. */
int storport_request_init(struct storport_request *r, struct adapter *a, uint32_t max_length);
void storport_request_fini(struct storport_request *r);

/*
 * Give @r to the miniport: @cdb for @target's LUN 0 with the first @length
 * bytes of r->data going @dir. Returns at once; storport_request_wait
 * takes it back. Context: PASSIVE_LEVEL.
 */
void storport_request_start(struct storport_request *r, uint8_t target, const uint8_t *cdb,
                            uint8_t cdb_length, enum srb_direction dir, uint32_t length);

/*
 * Wait until one of the @n requests at @r that are started is given back
 * by the miniport: its index. The guest stops when one is not given back
 * within its timeout. Context: PASSIVE_LEVEL.
 */
unsigned int storport_request_wait(struct storport_request *const *r, unsigned int n);

/* What @r, taken back, came back with. */
struct srb_outcome storport_request_outcome(const struct storport_request *r);

/*
 * Send @cdb to @target's LUN 0 and wait for it: @length bytes at @data go
 * out with it (SRB_DIR_OUT) or are filled from what came back when it
 * succeeded (SRB_DIR_IN). Context: PASSIVE_LEVEL.
 */
struct srb_outcome storport_command(struct adapter *a, uint8_t target, const uint8_t *cdb,
                                    uint8_t cdb_length, enum srb_direction dir, void *data,
                                    uint32_t length);

/*
 * The started adapter and target of the guest's disk number @disk (each
 * unit numbered when found, with the lowest number free, as Windows
 * numbers its disks), held against the adapter's stop or removal until
 * storport_disk_release; NULL when there is no such disk. A unit that
 * goes meanwhile answers its SRBs with an error. Any kernel thread.
 */
struct adapter *storport_disk_hold(unsigned int disk, uint8_t *target, uint32_t *block_size);
void storport_disk_release(struct adapter *a);

/* The adapter whose HwDeviceExtension is @hw_extension; the miniport's call @function stops otherwise. */
struct adapter *storport_adapter_of(void *hw_extension, uint64_t caller, const char *function);

/*
 * StorPortInitializePerfOpts (StorPortExtendedFunction's
 * InitializePerformanceOptimizations) for @a: its answer.
 */
uint32_t storport_perf_opts(struct adapter *a, bool query, PERF_CONFIGURATION_DATA *data,
                            uint64_t caller);

/* StorPortNotification(RequestComplete): the miniport gives @srb back. */
void storport_request_complete(struct adapter *a, void *srb, uint64_t caller);

/* Bytes an SRB of either form takes (the extended one with its address and CDB16 datum). */
#define STORPORT_SRB_ROOM 184

/* Whether @m asked for STORAGE_REQUEST_BLOCKs (SrbTypeFlags), which it is then sent. */
bool storport_srb_extended(const struct miniport *m);

/* The SRB @spec makes at @srb (STORPORT_SRB_ROOM bytes), extended or legacy. */
void storport_srb_build(void *srb, bool extended, const struct srb_spec *spec);

/* What the SRB at @srb, built from @spec, came back with, read from its form. */
struct srb_outcome storport_srb_outcome(const void *srb, bool extended,
                                        const struct srb_spec *spec);

/*
 * Whether the miniport gave back the SRB at @srb, built from @spec, with
 * fields the documentation does not let it write that way: then why, in @why.
 */
bool storport_srb_inconsistent(const void *srb, bool extended, const struct srb_spec *spec,
                               char *why, size_t size);

#endif /* WINPV_SIM_NT_STORPORT_H */
