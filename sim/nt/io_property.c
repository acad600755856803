/*
 * sim/nt/io_property.c - IoGetDeviceProperty: what the PnP manager knows of
 * a device (its PDO), as Microsoft documents the call. The hardware and
 * compatible IDs are answered; another property the kernel does not keep
 * fails the driver's call by name rather than returning made-up data.
 */
#include "exports_impl.h"
#include "kernel.h"
#include "pnp.h"

/* DEVICE_REGISTRY_PROPERTY (wdm.h). */
#define DEVICE_PROPERTY_HARDWARE_ID    1
#define DEVICE_PROPERTY_COMPATIBLE_IDS 2

static NT_EXPORT NTSTATUS IoGetDeviceProperty(DEVICE_OBJECT *device, uint32_t property,
                                              uint32_t buffer_length, void *buffer,
                                              uint32_t *result_length)
{
    uint64_t caller = NT_CALLER;
    char ids[2 * NT_CHILD_IDS_MAX];
    size_t length;

    nt_require_irql(PASSIVE_LEVEL, caller, __func__);
    if (result_length == NULL || (buffer == NULL && buffer_length != 0))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "IoGetDeviceProperty: ResultLength %p, PropertyBuffer %p of %u bytes",
                         (void *)result_length, buffer, buffer_length);
    if (property != DEVICE_PROPERTY_HARDWARE_ID && property != DEVICE_PROPERTY_COMPATIBLE_IDS) {
        /* Documented for many more; this kernel keeps only the IDs, and says so. */
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "IoGetDeviceProperty: property %u is not implemented by this kernel",
                         property);
    }
    length =
        nt_pnp_device_ids(device, property == DEVICE_PROPERTY_COMPATIBLE_IDS, ids, sizeof(ids));
    if (length == 0) {
        /* Windows stops with PNP_DETECTED_FATAL_ERROR (0xCA, 2: invalid PDO) here. */
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "IoGetDeviceProperty(%p): not a PDO the PnP manager enumerated",
                         (void *)device);
    }
    /* REG_MULTI_SZ of WCHARs: the IDs are ASCII. */
    *result_length = (uint32_t)(length * sizeof(uint16_t));
    if (buffer_length < *result_length)
        return STATUS_BUFFER_TOO_SMALL;
    for (size_t i = 0; i < length; i++)
        ((uint16_t *)buffer)[i] = (uint8_t)ids[i];
    return STATUS_SUCCESS;
}
NT_REGISTER(NTOSKRNL, IoGetDeviceProperty);
