/*
 * sim/nt/io_shutdown.c - shutdown notification (IoRegisterShutdownNotification,
 * IoUnregisterShutdownNotification): at a system shutdown, before the
 * power manager's S5 IRPs, every registered device gets an IRP_MJ_SHUTDOWN
 * of its own, the last registered first (nt_io_shutdown_notify). A device
 * deleted while registered is unregistered, as IoDeleteDevice does.
 *
 * Lock order: shutdown_lock alone (never held across a driver's dispatch).
 */
#include <pthread.h>
#include <string.h>

#include "exports_impl.h"
#include "io.h"
#include "kernel.h"

#define REGISTERED_MAX 16

static pthread_mutex_t shutdown_lock = PTHREAD_MUTEX_INITIALIZER;
static DEVICE_OBJECT *registered[REGISTERED_MAX]; /* in the order of registration */
static unsigned int count;

static NT_EXPORT NTSTATUS IoRegisterShutdownNotification(DEVICE_OBJECT *device)
{
    uint64_t caller = NT_CALLER;
    bool full, twice = false;

    nt_require_irql(PASSIVE_LEVEL, caller, __func__);
    if (device == NULL || device->Type != NT_TYPE_DEVICE)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "IoRegisterShutdownNotification(%p): no device object", (void *)device);
    pthread_mutex_lock(&shutdown_lock);
    for (unsigned int i = 0; i < count; i++)
        twice |= registered[i] == device;
    full = count == REGISTERED_MAX;
    if (!twice && !full)
        registered[count++] = device;
    pthread_mutex_unlock(&shutdown_lock);
    if (twice)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "IoRegisterShutdownNotification(%p): registered already", (void *)device);
    if (full)
        return STATUS_INSUFFICIENT_RESOURCES;
    return STATUS_SUCCESS;
}
NT_REGISTER(NTOSKRNL, IoRegisterShutdownNotification);

/* Drop @device from the list, keeping the order of the rest; whether it was there. */
static bool unregister(DEVICE_OBJECT *device)
{
    bool found = false;

    pthread_mutex_lock(&shutdown_lock);
    for (unsigned int i = 0; i < count && !found; i++) {
        if (registered[i] == device) {
            found = true;
            memmove(&registered[i], &registered[i + 1], (count - i - 1) * sizeof(registered[0]));
            count--;
        }
    }
    pthread_mutex_unlock(&shutdown_lock);
    return found;
}

static NT_EXPORT void IoUnregisterShutdownNotification(DEVICE_OBJECT *device)
{
    uint64_t caller = NT_CALLER;

    nt_require_irql(PASSIVE_LEVEL, caller, __func__);
    if (device == NULL || device->Type != NT_TYPE_DEVICE)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "IoUnregisterShutdownNotification(%p): no device object", (void *)device);
    unregister(device);
}
NT_REGISTER(NTOSKRNL, IoUnregisterShutdownNotification);

void nt_io_shutdown_forget(DEVICE_OBJECT *device)
{
    if (unregister(device))
        nt_log("io: device %p deleted while registered for shutdown notification: "
               "unregistered\n",
               (void *)device);
}

unsigned int nt_io_shutdown_notify(unsigned int timeout_ms)
{
    unsigned int sent = 0;

    for (;;) {
        DEVICE_OBJECT *device = NULL;
        char handler[1200];
        IRP *irp;
        NTSTATUS status;

        /* The list may change under a dispatch routine: take the last not yet told each time. */
        pthread_mutex_lock(&shutdown_lock);
        if (sent < count)
            device = registered[count - 1 - sent];
        pthread_mutex_unlock(&shutdown_lock);
        if (device == NULL)
            return sent;
        irp = nt_irp_alloc(device->StackSize);
        if (irp == NULL) {
            nt_log("io: no memory for IRP_MJ_SHUTDOWN to %p\n", (void *)device);
            return sent;
        }
        nt_irp_next_stack(irp)->MajorFunction = IRP_MJ_SHUTDOWN;
        status = nt_irp_send_and_wait(device, irp, timeout_ms);
        nt_irp_free(irp);
        nt_describe_address(
            (uint64_t)(uintptr_t)device->DriverObject->MajorFunction[IRP_MJ_SHUTDOWN], handler,
            sizeof(handler));
        nt_log("io: IRP_MJ_SHUTDOWN to device %p (%s): %#x\n", (void *)device, handler,
               (unsigned)status);
        sent++;
    }
}
