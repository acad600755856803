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

#endif /* WINPV_SIM_NT_IO_H */
