/* sim/nt/pnp.h - the PnP manager (see pnp.c). Context: the PnP thread, PASSIVE_LEVEL. */
#ifndef WINPV_SIM_NT_PNP_H
#define WINPV_SIM_NT_PNP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

#include "exports.h"
#include "image.h"
#include "io.h"
#include "ntabi.h"
#include "inf.h"
#include "pci_ids.h"
#include "pnp_driver.h"
#include "registry.h"

enum nt_devnode_state {
    NT_DEVNODE_NO_DRIVER, /* enumerated, no driver found for it */
    NT_DEVNODE_PRESENT,   /* enumerated, its driver not yet loaded */
    NT_DEVNODE_ADDED,     /* AddDevice succeeded */
    NT_DEVNODE_STARTED,
    NT_DEVNODE_STOPPED,
    NT_DEVNODE_REMOVED,
    NT_DEVNODE_FAILED, /* START_DEVICE failed, or (a child) its IDs could not be had */
};

#define NT_PNP_IRP_TIMEOUT_MS 30000 /* a PnP IRP not completed by then is a driver bug */
/* The platform device's interrupt: GSI (raw), vector and device IRQL (translated). */
#define NT_PLATFORM_GSI       28
#define NT_PLATFORM_VECTOR    0x81
#define NT_PLATFORM_IRQL      8
#define NT_PNP_DRIVERS_MAX    8

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
    bool reported;            /* in the last BusRelations */
    struct nt_driver *driver; /* its function driver, when one was found */
};

/* A child device's driver, as an INF chose it: loaded with its first device, unloaded with its last. */
struct nt_loaded_driver {
    char path[4096];
    struct nt_driver driver;
};

/* The system's shutdown, one state: not asked, asked (power-off or restart), carried out. */
enum nt_shutdown {
    NT_SHUTDOWN_NONE,
    NT_SHUTDOWN_POWER_OFF,
    NT_SHUTDOWN_RESTART,
    NT_SHUTDOWN_DONE,
};

/*
 * Windows's boot in two phases: while it boots, only boot-start drivers
 * (StartType 0, which the boot loader loaded beside the kernel) can serve a
 * device found; then the boot disk is opened, and every other driver may
 * load for the devices that waited (nt_pnp_boot_done).
 */
enum nt_boot_phase { NT_BOOT_PHASE_BOOT, NT_BOOT_PHASE_SYSTEM };

struct nt_pnp {
    DRIVER_OBJECT *pci;          /* the kernel's PCI bus driver */
    DEVICE_OBJECT *platform_pdo; /* the Xen platform device */
    struct nt_pci_ids platform_ids;
    struct nt_driver platform; /* its function driver */
    enum nt_devnode_state state;
    uint64_t kuser_page;
    unsigned int irp_timeout_ms;
    struct { /* a list of one descriptor and the one after it */
        CM_RESOURCE_LIST list;
        CM_PARTIAL_RESOURCE_DESCRIPTOR more;
    } raw, translated;
    const char *drivers_dir; /* driver packages (dist/x64's layout) to bind by INF, or NULL */
    struct nt_registry *registry;
    struct nt_loaded_driver drivers[NT_PNP_DRIVERS_MAX];
    size_t child_leaks; /* what child drivers left at their unload */
    struct nt_child *children;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    atomic_bool relations_invalid; /* IoInvalidateDeviceRelations since the last enumeration */
    atomic_bool stop_requested;    /* the machine is asked to stop: serving ends */
    atomic_int shutdown;           /* enum nt_shutdown: asked for, then carried out */
    const char *tree_path;         /* where the device tree is published, or NULL */
    enum nt_boot_phase phase;
    uint32_t platform_start; /* the platform device's driver's StartType (0 when bound by path) */
};

/*
 * The boot phase is over: the devices found meanwhile whose drivers are not
 * boot-start get theirs now. Context: the PnP manager's thread.
 */
void nt_pnp_boot_done(struct nt_pnp *pnp);

/* The registry of the running PnP manager (the kernel's), for the registry DDIs. */
struct nt_registry *nt_pnp_registry(void);

/*
 * @kuser_page: where images' KUSER_SHARED_DATA reads go (nt_time_start);
 * @device: the platform device's PCI device ID (vendor 5853).
 */
int nt_pnp_init(struct nt_pnp *pnp, uint64_t kuser_page, unsigned int device);
void nt_pnp_fini(struct nt_pnp *pnp);
/* Load the driver at @path for the platform device (service @service) and add it. */
int nt_pnp_bind(struct nt_pnp *pnp, const char *path, const char *service, char *error,
                size_t error_size);
/*
 * The platform device's driver as Windows would choose it from the INFs in
 * drivers_dir (nt_inf_select), installed (the registry seeded) and added.
 */
int nt_pnp_bind_by_inf(struct nt_pnp *pnp, char *error, size_t error_size);
/*
 * What installing the driver @driver for device @instance means, done: its
 * registry keys written. Returns 0 or -1 with the reason logged.
 */
int nt_pnp_install(struct nt_pnp *pnp, const struct nt_inf_driver *driver, const char *instance);
/*
 * A device of @hardware_id got its driver from drivers_dir on an earlier
 * boot: that installation is in the registry (its service, its INF's
 * AddReg values) before anything is bound, as Windows keeps it across
 * boots. Returns 0, or -1 with the reason in @error.
 */
int nt_pnp_installed_earlier(struct nt_pnp *pnp, const char *hardware_id, char *error,
                             size_t error_size);
int nt_pnp_start(struct nt_pnp *pnp);
int nt_pnp_stop(struct nt_pnp *pnp);
int nt_pnp_remove(struct nt_pnp *pnp);
/* SURPRISE_REMOVAL (children first), then REMOVE_DEVICE: what nothing can refuse. */
void nt_pnp_surprise_remove(struct nt_pnp *pnp);
/* Unload the platform device's driver (nt_driver_unload); the leaks of every driver. */
size_t nt_pnp_unload(struct nt_pnp *pnp);
void nt_pnp_print(const struct nt_pnp *pnp, FILE *out);
const char *nt_devnode_state_name(enum nt_devnode_state state);

/*
 * Ask the platform device's stack for its BusRelations and bring the
 * children up to date: a new PDO becomes a child (its IDs queried), a PDO
 * no longer reported is removed. Returns 0, or -1 when the query failed.
 */
int nt_pnp_enumerate(struct nt_pnp *pnp);
/*
 * Enumerate again whenever the bus invalidated its relations, for @ms
 * milliseconds (0: until stop_requested is set).
 */
void nt_pnp_serve(struct nt_pnp *pnp, unsigned int ms);
/* Write the device tree (nt_pnp_print) to tree_path, whole: a reader never sees half of it. */
void nt_pnp_publish(const struct nt_pnp *pnp);
/*
 * A removal of the platform device, as Windows orders it: QUERY_REMOVE to
 * the started children (0, or -1 when one refused: those asked are
 * cancelled), then the parent's query; CANCEL_REMOVE to them if the
 * parent refused; REMOVE_DEVICE to every child, which forgets them, before
 * the parent's.
 */
int nt_pnp_query_remove_children(struct nt_pnp *pnp);
void nt_pnp_cancel_remove_children(struct nt_pnp *pnp);
void nt_pnp_remove_children(struct nt_pnp *pnp);
void nt_pnp_surprise_remove_children(struct nt_pnp *pnp);
void nt_pnp_print_children(const struct nt_pnp *pnp, FILE *out);

/*
 * The hardware IDs (or, @compatible, the compatible IDs) of a PDO the PnP
 * manager knows, as a UTF-8 multi-string (each ID ends with a NUL, the
 * list with one more) in @out; its length with the last NUL, or 0 for a
 * device the PnP manager does not know. Context: any thread.
 */
size_t nt_pnp_device_ids(DEVICE_OBJECT *pdo, bool compatible, char *out, size_t size);
/*
 * Whether @pdo is a device node's PDO: the platform device's, or a child's
 * whose IDs were had (the same devices nt_pnp_device_ids answers for).
 * Any thread.
 */
bool nt_pnp_knows_pdo(DEVICE_OBJECT *pdo);

/* Send a PnP request (@request's major, minor and parameters) down @pdo's stack; wait for it. */
NTSTATUS nt_pnp_irp(struct nt_pnp *pnp, DEVICE_OBJECT *pdo, const IO_STACK_LOCATION *request,
                    uint64_t *information);
/* A driver's routine returned: it must be back at PASSIVE_LEVEL holding no spinlock. */
void nt_pnp_check_passive(const char *what, const void *code);

/*
 * System power state S@s (0 working, 3 sleep, 4 hibernation, 5 shutdown)
 * told to every started device (po.c). Returns 0, or -1 when a device
 * refused a sleep or hibernation (the system stays working).
 */
int nt_po_set_system_state(struct nt_pnp *pnp, unsigned int s);
/* S5 told to every started device for a power-off, or with @restart for a restart. */
void nt_po_shutdown(struct nt_pnp *pnp, bool restart);

/*
 * The system's shutdown (shutdown.c). A request (InitiateShutdown, from
 * user mode: any thread) ends serving; the PnP thread then carries it out
 * as Windows does: user mode ends (the agent stops), IRP_MJ_SHUTDOWN to
 * every device registered for it, S5 to every device stack, and the
 * platform powers off or resets, which Xen sees as SCHEDOP_shutdown with
 * the reason poweroff or reboot. Drivers are not unloaded: the machine is
 * off. nt_system_shutdown returns 0 when the hypervisor took the shutdown.
 */
void nt_system_shutdown_request(struct nt_pnp *pnp, bool restart);
int nt_system_shutdown(struct nt_pnp *pnp);

/*
 * The user-mode agent (agent.c): started with the machine when asked for,
 * paused around a stop or removal of the device it has open, stopped at
 * shutdown or when the machine stops. Pause and stop are called by a kernel
 * thread at PASSIVE_LEVEL; each is a no-op when the agent does not run.
 */
int nt_agent_start(struct nt_pnp *pnp, enum nt_identity who);
void nt_agent_pause(void);
void nt_agent_resume(void);
void nt_agent_stop(void);

#endif /* WINPV_SIM_NT_PNP_H */
