/*
 * windows/xenbus/platform_device.c - which PCI device XENBUS was started
 * on. Xen presents its platform device (5853:0001, or 0002 as XenServer
 * does); a toolstack may present a vendor's PV device beside it (5853:C000
 * up, Xen's docs/misc/pci-device-reservations.txt) so that Windows Update
 * finds that vendor's drivers by its ID. When a build binds XENBUS to such
 * a device too, XENBUS serves from the platform device only, whose I/O
 * ports and interrupt are Xen's: on the other it stands by.
 */
#include "fdo.h"

#define XEN_PCI_ID_PREFIX   L"PCI\\VEN_5853&DEV_"
#define XEN_PLATFORM_DEVICE 0x0001
#define XENSERVER_PLATFORM  0x0002
#define HARDWARE_IDS_MAX    512 /* bytes: the PCI bus reports four IDs of under 64 characters */

static int hex_digit(WCHAR c)
{
    if (c >= L'0' && c <= L'9')
        return c - L'0';
    if (c >= L'A' && c <= L'F')
        return c - L'A' + 10;
    if (c >= L'a' && c <= L'f')
        return c - L'a' + 10;
    return -1;
}

/* The device ID in @id, "PCI\VEN_5853&DEV_dddd...", or -1 for another vendor's or a malformed ID. */
static int xen_device_id(const WCHAR *id)
{
    const WCHAR *prefix = XEN_PCI_ID_PREFIX;
    int device = 0;

    for (; *prefix; prefix++, id++) {
        if (*id != *prefix)
            return -1;
    }
    for (int i = 0; i < 4; i++) {
        int digit = hex_digit(id[i]);

        if (digit < 0)
            return -1;
        device = device << 4 | digit;
    }
    return device;
}

NTSTATUS xenbus_platform_device(struct xenbus_fdo *fdo, BOOLEAN *serves)
{
    WCHAR *ids = ExAllocatePoolWithTag(PagedPool, HARDWARE_IDS_MAX, 'dIpW');
    ULONG length = 0;
    NTSTATUS status;
    int device;

    if (ids == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    status = IoGetDeviceProperty(fdo->pdo, DevicePropertyHardwareID,
                                 HARDWARE_IDS_MAX - 2 * sizeof(WCHAR), ids, &length);
    if (NT_SUCCESS(status)) {
        /* Terminated whatever the bus wrote: the first ID is all that is read. */
        ids[length / sizeof(WCHAR)] = 0;
        device = xen_device_id(ids);
        *serves = device == XEN_PLATFORM_DEVICE || device == XENSERVER_PLATFORM;
        if (device < 0)
            os_log(OS_LOG_WARN, "xenbus: not on a Xen PCI device: standing by\n");
        else if (!*serves)
            os_log(OS_LOG_INFO,
                   "xenbus: on PCI device 5853:%04X, not Xen's platform device: standing by "
                   "(the platform device serves)\n",
                   (unsigned int)device);
    }
    ExFreePoolWithTag(ids, 'dIpW');
    return status;
}
