/* sim/nt/pnp_driver.c - loading, adding and unloading a driver (see pnp_driver.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exports_impl.h"
#include "io.h"
#include "kernel.h"
#include "ob.h"
#include "pnp.h"
#include "pnp_driver.h"

#define SERVICES_KEY                                          "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\"
#define DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS 0xCE

/*
 * What the I/O manager puts in every MajorFunction slot before DriverEntry
 * runs: a request the driver does not handle fails.
 */
static NT_EXPORT NTSTATUS invalid_device_request(DEVICE_OBJECT *device, IRP *irp)
{
    irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
    nt_irp_complete(irp, 0);
    return STATUS_INVALID_DEVICE_REQUEST;
}

DRIVER_OBJECT *nt_driver_object_new(void)
{
    DRIVER_OBJECT *driver = calloc(1, sizeof(*driver));
    DRIVER_EXTENSION *ext = calloc(1, sizeof(*ext));

    if (driver == NULL || ext == NULL) {
        free(driver);
        free(ext);
        return NULL;
    }
    driver->Type = NT_TYPE_DRIVER;
    driver->Size = sizeof(*driver);
    driver->DriverExtension = ext;
    ext->DriverObject = driver;
    for (unsigned int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        driver->MajorFunction[i] = invalid_device_request;
    return driver;
}

void nt_driver_object_free(DRIVER_OBJECT *driver)
{
    if (driver) {
        free(driver->DriverExtension);
        free(driver);
    }
}

/* The driver's service key, as DriverEntry gets it. */
static UNICODE_STRING service_key(struct nt_driver *driver)
{
    char narrow[NT_SERVICE_KEY_MAX];
    size_t n = (size_t)snprintf(narrow, sizeof(narrow), SERVICES_KEY "%s", driver->service);

    if (n >= NT_SERVICE_KEY_MAX)
        n = NT_SERVICE_KEY_MAX - 1;
    for (size_t i = 0; i <= n; i++)
        driver->service_key[i] = (WCHAR)(unsigned char)narrow[i];
    return (UNICODE_STRING){(uint16_t)(n * 2), (uint16_t)(NT_SERVICE_KEY_MAX * 2),
                            driver->service_key};
}

int nt_driver_load(struct nt_driver *driver, const char *path, const char *service,
                   uint64_t kuser_page, char *error, size_t error_size)
{
    DRIVER_INITIALIZE *entry;
    UNICODE_STRING key;
    NTSTATUS status;

    memset(driver, 0, sizeof(*driver));
    snprintf(driver->service, sizeof(driver->service), "%s", service);
    if (nt_image_load(path, kuser_page, &driver->image, error, error_size) != 0) {
        nt_log("load: %s\n", error);
        return -1;
    }
    driver->loaded = true;
    nt_log("load: %s at %p, %d instructions prepared, after pool allocation %llu\n",
           driver->image.name, (void *)driver->image.base, driver->image.rewritten,
           (unsigned long long)nt_pool_allocations());
    driver->object = nt_driver_object_new();
    if (driver->object == NULL) {
        snprintf(error, error_size, "no memory for a driver object");
        return -1;
    }
    entry = (DRIVER_INITIALIZE *)(driver->image.base + driver->image.entry_rva);
    driver->object->DriverStart = driver->image.base;
    driver->object->DriverSize = (uint32_t)driver->image.size;
    driver->object->DriverInit = entry;
    key = service_key(driver);
    status = (NTSTATUS)nt_driver_call(entry, (uint64_t)(uintptr_t)driver->object,
                                      (uint64_t)(uintptr_t)&key, 0, 0);
    nt_pnp_check_passive("DriverEntry", entry);
    nt_log("pnp: %s: DriverEntry -> %#x\n", driver->image.name, (unsigned)status);
    if (!NT_SUCCESS(status)) {
        snprintf(error, error_size, "%s: DriverEntry failed (%#x)", driver->image.name,
                 (unsigned)status);
        return -1;
    }
    if (driver->object->DriverExtension->AddDevice == NULL) {
        snprintf(error, error_size, "%s has no AddDevice: not a PnP driver", driver->image.name);
        nt_log("pnp: %s\n", error);
        return -1;
    }
    return 0;
}

int nt_driver_add_device(struct nt_driver *driver, DEVICE_OBJECT *pdo)
{
    DRIVER_ADD_DEVICE *add = driver->object->DriverExtension->AddDevice;
    NTSTATUS status = (NTSTATUS)nt_driver_call(add, (uint64_t)(uintptr_t)driver->object,
                                               (uint64_t)(uintptr_t)pdo, 0, 0);

    nt_pnp_check_passive("AddDevice", add);
    nt_log("pnp: %s: AddDevice -> %#x\n", driver->image.name, (unsigned)status);
    if (!NT_SUCCESS(status))
        return -1;
    for (DEVICE_OBJECT *d = nt_device_top(pdo); d != pdo; d = nt_device_lower(d)) {
        if (d->Flags & DO_DEVICE_INITIALIZING)
            nt_verifier_fail(NT_VERIFY_ARGUMENT, (uint64_t)(uintptr_t)add,
                             "AddDevice left DO_DEVICE_INITIALIZING set on device %p", (void *)d);
    }
    driver->devices++;
    return 0;
}

/*
 * A system thread of the image still running would run unloaded code:
 * Windows stops there with DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS,
 * naming the code it ran (here the thread's start routine).
 */
static void check_threads(const char *name, uint64_t base, uint64_t size)
{
    uint64_t start = nt_threads_running_in(base, size);
    char where[1200];

    if (start == 0)
        return;
    nt_describe_address(start, where, sizeof(where));
    nt_log("*** %s unloads with a system thread still running (started at %s)\n", name, where);
    nt_bugcheck(DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS, start, 0, start, 0, start);
}

size_t nt_driver_unload(struct nt_driver *driver)
{
    const char *name = driver->image.name;
    uint64_t base = (uint64_t)(uintptr_t)driver->image.base, size = driver->image.size;
    size_t leaks = 0;

    if (driver->object) {
        if (driver->object->DeviceObject)
            nt_verifier_fail(NT_VERIFY_ARGUMENT, 0, "%s unloads with device %p not deleted", name,
                             (void *)driver->object->DeviceObject);
        if (driver->object->DriverUnload) {
            nt_driver_call(driver->object->DriverUnload, (uint64_t)(uintptr_t)driver->object, 0, 0,
                           0);
            nt_pnp_check_passive("DriverUnload", driver->object->DriverUnload);
        }
        if (nt_interrupts_connected_in(base, size))
            nt_verifier_fail(NT_VERIFY_ARGUMENT, 0, "%s unloads with an interrupt connected", name);
        if (nt_timers_set_in(base, size))
            nt_verifier_fail(NT_VERIFY_ARGUMENT, 0, "%s unloads with a timer set", name);
        check_threads(name, base, size);
        leaks = nt_pool_report_leaks(base, size) + nt_iospace_report_leaks(base, size) +
                nt_mdl_report_leaks(base, size) + nt_mdl_mappings_report_leaks(base, size) +
                nt_mdl_pages_report_leaks(base, size) + nt_contiguous_report_leaks(base, size) +
                nt_handles_report_leaks(base, size);
        if (leaks)
            nt_log("pnp: %s left %zu allocation(s), mapping(s) and handle(s) at unload\n", name,
                   leaks);
        nt_driver_object_free(driver->object);
        driver->object = NULL;
    }
    if (driver->loaded)
        nt_image_unload(&driver->image);
    driver->loaded = false;
    return leaks;
}
