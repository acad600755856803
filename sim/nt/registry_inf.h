/*
 * sim/nt/registry_inf.h - the registry as installing a driver leaves it.
 *
 * For the device instance @instance ("PCI\VEN_5853&DEV_0001&...\3&0&0")
 * and the driver nt_inf_select chose for it, nt_registry_install writes
 * what Windows writes:
 *   Services\<service>       Type, Start, ErrorControl, ImagePath
 *                            (\SystemRoot\... for a file under C:\Windows),
 *                            Group, DisplayName; then the service's AddReg
 *   Enum\<instance>          Service, ClassGUID, Class, Driver, DeviceDesc
 *   Enum\<instance>\Device Parameters   the hardware key: DDInstall.HW's AddReg
 *   Control\Class\{guid}\NNNN            the driver key: DDInstall's AddReg
 * (under \Registry\Machine\System\CurrentControlSet), and HKLM entries
 * where they say. The keys come back in @keys (unless NULL), for the
 * service's DriverEntry and IoOpenDeviceRegistryKey.
 */
#ifndef WINPV_SIM_NT_REGISTRY_INF_H
#define WINPV_SIM_NT_REGISTRY_INF_H

#include "inf.h"
#include "registry.h"

struct nt_installed_keys {
    struct nt_reg_key *service;  /* Services\<service> */
    struct nt_reg_key *instance; /* Enum\<instance> */
    struct nt_reg_key *hardware; /* Enum\<instance>\Device Parameters (PLUGPLAY_REGKEY_DEVICE) */
    struct nt_reg_key *driver;   /* Control\Class\{guid}\NNNN (PLUGPLAY_REGKEY_DRIVER) */
};

/* 0, or a negative errno with the entry that failed named in @error. */
int nt_registry_install(struct nt_registry *registry, const struct nt_inf_driver *driver,
                        const char *instance, struct nt_installed_keys *keys, char *error,
                        size_t error_size);

#endif /* WINPV_SIM_NT_REGISTRY_INF_H */
