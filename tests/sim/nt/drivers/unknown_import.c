/*
 * tests/sim/nt/drivers/unknown_import.c - a driver importing a kernel function
 * the simulated kernel does not implement (a legacy detection call no PV
 * driver needs), so its load must fail naming it.
 */
#include "nt_headers.h"

/* Read through a pointer the image holds as an absolute address, so that it
 * has a base relocation as every driver does. */
static DEVICE_OBJECT *detected;
DEVICE_OBJECT **volatile detected_at = &detected;

DRIVER_INITIALIZE DriverEntry;

__attribute__((section("INIT"))) NTSTATUS DriverEntry(DRIVER_OBJECT *driver,
                                                      UNICODE_STRING *registry_path)
{
    return IoReportDetectedDevice(driver, InterfaceTypeUndefined, (ULONG)-1, (ULONG)-1, NULL, NULL,
                                  FALSE, detected_at);
}
