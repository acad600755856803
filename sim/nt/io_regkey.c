/*
 * sim/nt/io_regkey.c - IoOpenDeviceRegistryKey: a PDO's hardware key
 * (PLUGPLAY_REGKEY_DEVICE: Enum\<instance>\Device Parameters, created when
 * missing as Windows creates it) or its driver's software key
 * (PLUGPLAY_REGKEY_DRIVER: Control\Class\<the instance's Driver value>),
 * as installing the device left them (registry_inf.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "exports_impl.h"
#include "inf_impl.h"
#include "io.h"
#include "kernel.h"
#include "ob.h"
#include "pnp.h"

#define PLUGPLAY_REGKEY_DEVICE            1u
#define PLUGPLAY_REGKEY_DRIVER            2u
#define PLUGPLAY_REGKEY_CURRENT_HWPROFILE 4u
#define DRIVER_VALUE_MAX                  256 /* bytes of the Driver value: {class GUID}\NNNN */

/* Control\Class\<Driver>: the driver key the instance names. */
static NTSTATUS driver_key(const char *instance, struct nt_reg_key **key)
{
    uint8_t value[DRIVER_VALUE_MAX];
    struct nt_reg_data data = {value, sizeof(value) - 2, 0, 0};
    char path[NT_DEVICE_INSTANCE_MAX + 64], name[DRIVER_VALUE_MAX * 3 / 2 + 1];
    struct nt_reg_key *instance_key;

    snprintf(path, sizeof(path), NT_REG_ENUM "\\%s", instance);
    if (nt_reg_open(nt_pnp_registry(), NULL, path, &instance_key) != 0 ||
        nt_reg_query_value(instance_key, "Driver", &data) != 0 || data.type != NT_REG_SZ ||
        data.length < 2 || inf_utf16_decode(value, data.length - 2, name) != 0)
        return STATUS_OBJECT_NAME_NOT_FOUND; /* a device installed without a driver key */
    snprintf(path, sizeof(path), NT_REG_CLASS "\\%s", name);
    return nt_reg_open(nt_pnp_registry(), NULL, path, key) == 0 ? STATUS_SUCCESS
                                                                : STATUS_OBJECT_NAME_NOT_FOUND;
}

static NT_EXPORT NTSTATUS IoOpenDeviceRegistryKey(DEVICE_OBJECT *device, uint32_t which,
                                                  uint32_t access, void **handle)
{
    uint64_t caller = NT_CALLER;
    char path[NT_DEVICE_INSTANCE_MAX + 64];
    struct nt_device *d;
    struct nt_reg_key *key;
    NTSTATUS status;

    nt_require_irql(PASSIVE_LEVEL, caller, __func__);
    /* Windows stops a driver that names a device other than a PDO here (PNP_DETECTED_FATAL_ERROR). */
    if (!nt_pnp_knows_pdo(device) || handle == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "IoOpenDeviceRegistryKey(%p): not a PDO the PnP manager enumerated, or "
                         "no DevInstRegKey",
                         (void *)device);
    d = nt_device_of(device);
    if (which & PLUGPLAY_REGKEY_CURRENT_HWPROFILE)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "IoOpenDeviceRegistryKey: hardware profile keys are not implemented");
    if (which == PLUGPLAY_REGKEY_DEVICE) {
        snprintf(path, sizeof(path), NT_REG_ENUM "\\%s\\Device Parameters", d->instance);
        status = nt_reg_create(nt_pnp_registry(), NULL, path, &key, NULL) == 0
                     ? STATUS_SUCCESS
                     : STATUS_INSUFFICIENT_RESOURCES;
    } else if (which == PLUGPLAY_REGKEY_DRIVER) {
        status = driver_key(d->instance, &key);
    } else {
        return STATUS_INVALID_PARAMETER;
    }
    return NT_SUCCESS(status) ? nt_key_handle(key, access, caller, handle) : status;
}
NT_REGISTER(NTOSKRNL, IoOpenDeviceRegistryKey);
