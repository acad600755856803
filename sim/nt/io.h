/*
 * sim/nt/io.h - the I/O manager's private view of devices and IRPs.
 */
#ifndef WINPV_SIM_NT_IO_H
#define WINPV_SIM_NT_IO_H

#include <stdbool.h>

#include "ntabi.h"
#include "ob.h"

#define NT_DEVICE_INSTANCE_MAX 200 /* MAX_DEVICE_ID_LEN */

/* What the kernel keeps about a device (DEVICE_OBJECT.DeviceObjectExtension). */
struct nt_device {
    DEVICE_OBJECT *device;
    DEVICE_OBJECT *attached_to; /* the device below in its stack */
    bool deleted;               /* IoDeleteDevice ran: freed at the last reference */
    struct nt_object_header object;
    /* A PDO's interrupt line, as its resources give it. */
    bool has_interrupt;
    uint32_t interrupt_line;
    KIRQL interrupt_irql;
    /* A PDO's device instance path (its key under Enum), as the PnP manager named it; else "". */
    char instance[NT_DEVICE_INSTANCE_MAX];
};

struct nt_device *nt_device_of(DEVICE_OBJECT *device);
DEVICE_OBJECT *nt_device_lower(DEVICE_OBJECT *device);
DEVICE_OBJECT *nt_device_top(DEVICE_OBJECT *device);
NTSTATUS nt_device_create(DRIVER_OBJECT *driver, uint32_t extension_size, uint32_t type,
                          uint32_t characteristics, DEVICE_OBJECT **out);
void nt_device_delete(DEVICE_OBJECT *device, uint64_t caller);
/* IoAttachDeviceToDeviceStack (the stack's old top, or NULL) and IoDetachDevice, checked by the caller. */
DEVICE_OBJECT *nt_device_attach(DEVICE_OBJECT *source, DEVICE_OBJECT *target);
void nt_device_detach(DEVICE_OBJECT *target);

/* IRPs. */
IRP *nt_irp_alloc(int8_t stack_size);
void nt_irp_free(IRP *irp);
NTSTATUS nt_irp_call(DEVICE_OBJECT *device, IRP *irp, uint64_t caller);
/* IofCompleteRequest, for the kernel's own drivers too (@caller: who completes it). */
void nt_irp_complete(IRP *irp, uint64_t caller);
/* The location the next IoCallDriver makes current: where a request is filled in. */
IO_STACK_LOCATION *nt_irp_next_stack(IRP *irp);
/*
 * Send @irp, allocated with @top->StackSize locations and its next location
 * filled in, to @top, the top of a device stack, and wait until it is
 * completed (the verifier fails an IRP the drivers never complete within
 * @timeout_ms). Returns the final status.
 */
NTSTATUS nt_irp_send_and_wait(DEVICE_OBJECT *top, IRP *irp, unsigned int timeout_ms);
/*
 * Wait until @irp, sent to a stack, has passed every location (0 for
 * @timeout_ms: however long it takes); whether it has.
 */
bool nt_irp_wait(IRP *irp, unsigned int timeout_ms);
bool nt_irp_finished(IRP *irp);
/* Stop the guest unless @irp is an IRP the I/O manager made (@caller: who passed it). */
void nt_irp_check(IRP *irp, uint64_t caller);
/* IoCancelIrp: whether a cancel routine was called. */
bool nt_irp_cancel(IRP *irp, uint64_t caller);

/*
 * Device interfaces (io_interface.c). The PDO of the first enabled
 * instance of @guid, its link name in @link; NULL when none is enabled.
 */
DEVICE_OBJECT *nt_interface_find(const GUID *guid, char *link, size_t size);
/* The PnP manager removed @pdo: what its drivers left enabled is disabled. */
void nt_interfaces_removed(DEVICE_OBJECT *pdo);
/* @pdo is deleted: its instances go. */
void nt_interfaces_forget(DEVICE_OBJECT *pdo);

/* Shutdown notification (io_shutdown.c): IRP_MJ_SHUTDOWN to each registered device; how many. */
unsigned int nt_io_shutdown_notify(unsigned int timeout_ms);
/* @device is deleted: it is registered no more. */
void nt_io_shutdown_forget(DEVICE_OBJECT *device);

/*
 * User mode's handles (io_file.c). Open the first enabled instance of
 * interface @guid as @who with @access (FILE_READ_DATA, FILE_WRITE_DATA) as
 * CreateFile does, the device's security checked first; send a METHOD_BUFFERED control request and wait for it
 * (DeviceIoControl); cancel what is in flight from another thread
 * (CancelIoEx); close (CloseHandle). Each from a kernel thread at
 * PASSIVE_LEVEL, as user mode's system calls run.
 */
struct nt_file;
/* Whose token an open carries (io_security.c): LocalSystem, an elevated administrator, a user. */
enum nt_identity {
    NT_AS_SYSTEM,
    NT_AS_ADMIN,
    NT_AS_USER,
};
const char *nt_identity_name(enum nt_identity who);
/*
 * Whether @who may open @pdo's device for @access, by the security its INF
 * gave it: STATUS_SUCCESS or STATUS_ACCESS_DENIED.
 */
NTSTATUS nt_security_check(DEVICE_OBJECT *pdo, enum nt_identity who, uint32_t access);
NTSTATUS nt_file_open(const GUID *guid, enum nt_identity who, uint32_t access,
                      unsigned int timeout_ms, struct nt_file **out);
NTSTATUS nt_file_ioctl(struct nt_file *f, uint32_t code, const void *in, uint32_t in_length,
                       void *out, uint32_t out_length, uint32_t *returned);
void nt_file_cancel(struct nt_file *f);
void nt_file_close(struct nt_file *f);

#endif /* WINPV_SIM_NT_IO_H */
