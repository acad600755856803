/*
 * sim/nt/io_device.c - device objects and device stacks (IoCreateDevice,
 * IoDeleteDevice, IoAttachDeviceToDeviceStack, IoDetachDevice).
 *
 * A device's kernel-private part (what Windows keeps in DEVOBJ_EXTENSION)
 * is struct nt_device, which DeviceObjectExtension points to. A device is
 * an object (ob.h): the I/O manager holds a reference until IoDeleteDevice,
 * and the last reference frees it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exports_impl.h"
#include "io.h"
#include "kernel.h"
#include "ob.h"

static pthread_mutex_t devices_lock = PTHREAD_MUTEX_INITIALIZER;

static void free_device(void *object)
{
    DEVICE_OBJECT *device = object;

    device->Type = 0;
    free(device->DeviceObjectExtension);
    free(device);
}

static void describe_device(const void *object, char *out, size_t size)
{
    const DEVICE_OBJECT *device = object;

    snprintf(out, size, "%p of driver %p", object, (void *)device->DriverObject);
}

const struct nt_object_type nt_device_type = {"Device", free_device, describe_device};

struct nt_device *nt_device_of(DEVICE_OBJECT *device)
{
    return device ? device->DeviceObjectExtension : NULL;
}

DEVICE_OBJECT *nt_device_lower(DEVICE_OBJECT *device)
{
    struct nt_device *d = nt_device_of(device);

    return d ? d->attached_to : NULL;
}

DEVICE_OBJECT *nt_device_top(DEVICE_OBJECT *device)
{
    pthread_mutex_lock(&devices_lock);
    while (device->AttachedDevice)
        device = device->AttachedDevice;
    pthread_mutex_unlock(&devices_lock);
    return device;
}

NTSTATUS nt_device_create(DRIVER_OBJECT *driver, uint32_t extension_size, uint32_t type,
                          uint32_t characteristics, DEVICE_OBJECT **out)
{
    size_t size = sizeof(DEVICE_OBJECT) + ((extension_size + 15u) & ~15u);
    DEVICE_OBJECT *device = aligned_alloc(16, size);
    struct nt_device *d = calloc(1, sizeof(*d));

    if (device == NULL || d == NULL) {
        free(device);
        free(d);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    memset(device, 0, size);
    d->device = device;
    device->Type = NT_TYPE_DEVICE;
    device->Size = (uint16_t)(sizeof(DEVICE_OBJECT) + extension_size);
    device->DriverObject = driver;
    device->Flags = DO_DEVICE_INITIALIZING;
    device->Characteristics = characteristics;
    device->DeviceExtension = extension_size ? device + 1 : NULL;
    device->DeviceType = type;
    device->StackSize = 1;
    device->DeviceObjectExtension = d;
    nt_object_insert(&d->object, device, &nt_device_type, 1); /* the I/O manager's */
    pthread_mutex_lock(&devices_lock);
    device->NextDevice = driver->DeviceObject;
    driver->DeviceObject = device;
    pthread_mutex_unlock(&devices_lock);
    *out = device;
    return STATUS_SUCCESS;
}

static NT_EXPORT NTSTATUS IoCreateDevice(DRIVER_OBJECT *driver, uint32_t extension_size,
                                         UNICODE_STRING *name, uint32_t type,
                                         uint32_t characteristics, BOOLEAN exclusive,
                                         DEVICE_OBJECT **out)
{
    uint64_t caller = NT_CALLER;

    nt_require_irql(PASSIVE_LEVEL, caller, __func__);
    if (driver == NULL || driver->Type != NT_TYPE_DRIVER || out == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "IoCreateDevice: no driver object or no out");
    if (name != NULL)
        /* Named devices need the object namespace, which is not modelled yet. */
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "IoCreateDevice with a name: named devices are not implemented");
    return nt_device_create(driver, extension_size, type, characteristics, out);
}
NT_REGISTER(NTOSKRNL, IoCreateDevice);

/* Deleted: off its driver's list at once, freed once no reference is left (as Windows does). */
void nt_device_delete(DEVICE_OBJECT *device, uint64_t caller)
{
    DRIVER_OBJECT *driver = device->DriverObject;
    struct nt_device *d = nt_device_of(device);

    pthread_mutex_lock(&devices_lock);
    if (d->deleted) {
        pthread_mutex_unlock(&devices_lock);
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "IoDeleteDevice(%p) of a deleted device",
                         (void *)device);
    }
    if (device->AttachedDevice || d->attached_to) {
        pthread_mutex_unlock(&devices_lock);
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "IoDeleteDevice(%p) of a device still in a stack (detach it first)",
                         (void *)device);
    }
    for (DEVICE_OBJECT **p = &driver->DeviceObject; *p; p = &(*p)->NextDevice) {
        if (*p == device) {
            *p = device->NextDevice;
            break;
        }
    }
    d->deleted = true;
    pthread_mutex_unlock(&devices_lock);
    nt_io_shutdown_forget(device);
    nt_interfaces_forget(device);
    nt_object_dereference(device, NT_HELD_BY_KERNEL, caller, "IoDeleteDevice");
}

static NT_EXPORT void IoDeleteDevice(DEVICE_OBJECT *device)
{
    uint64_t caller = NT_CALLER;

    nt_require_irql(PASSIVE_LEVEL, caller, __func__);
    if (device == NULL || device->Type != NT_TYPE_DEVICE)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "IoDeleteDevice(%p): no device object",
                         (void *)device);
    nt_device_delete(device, caller);
}
NT_REGISTER(NTOSKRNL, IoDeleteDevice);

DEVICE_OBJECT *nt_device_attach(DEVICE_OBJECT *source, DEVICE_OBJECT *target)
{
    DEVICE_OBJECT *top;

    pthread_mutex_lock(&devices_lock);
    top = target;
    while (top->AttachedDevice)
        top = top->AttachedDevice;
    if (nt_device_of(top)->deleted) {
        pthread_mutex_unlock(&devices_lock);
        return NULL;
    }
    top->AttachedDevice = source;
    nt_device_of(source)->attached_to = top;
    source->StackSize = (int8_t)(top->StackSize + 1);
    source->AlignmentRequirement = top->AlignmentRequirement;
    pthread_mutex_unlock(&devices_lock);
    return top;
}

void nt_device_detach(DEVICE_OBJECT *target)
{
    DEVICE_OBJECT *above;

    pthread_mutex_lock(&devices_lock);
    above = target->AttachedDevice;
    target->AttachedDevice = NULL;
    nt_device_of(above)->attached_to = NULL;
    pthread_mutex_unlock(&devices_lock);
}

static NT_EXPORT DEVICE_OBJECT *IoAttachDeviceToDeviceStack(DEVICE_OBJECT *source,
                                                            DEVICE_OBJECT *target)
{
    uint64_t caller = NT_CALLER;

    nt_require_irql(PASSIVE_LEVEL, caller, __func__);
    if (source == NULL || target == NULL || source->Type != NT_TYPE_DEVICE ||
        target->Type != NT_TYPE_DEVICE)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "IoAttachDeviceToDeviceStack(%p, %p)",
                         (void *)source, (void *)target);
    return nt_device_attach(source, target);
}
NT_REGISTER(NTOSKRNL, IoAttachDeviceToDeviceStack);

static NT_EXPORT void IoDetachDevice(DEVICE_OBJECT *target)
{
    uint64_t caller = NT_CALLER;

    nt_require_irql(PASSIVE_LEVEL, caller, __func__);
    if (target == NULL || target->AttachedDevice == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "IoDetachDevice(%p): nothing is attached to it", (void *)target);
    nt_device_detach(target);
}
NT_REGISTER(NTOSKRNL, IoDetachDevice);
