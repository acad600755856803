/*
 * windows/xenbus/hypervisor.c - what XENBUS starts on the platform device.
 *
 * So far: find Xen, choose the hypercall instruction and report the hypervisor's
 * version. Grant tables, event channels, xenstore and device enumeration
 * are not here yet.
 */
#include <xen/xen.h>
#include <xen/version.h>

#include "fdo.h"
#include "os.h"
#include "os_nt.h"

NTSTATUS xenbus_start(struct xenbus_fdo *fdo)
{
    NTSTATUS status = os_nt_hypercall_init();
    int64_t version;

    if (!NT_SUCCESS(status)) {
        os_log(OS_LOG_ERROR, "xenbus: not running on Xen (%#lx)\n", (unsigned long)status);
        return status;
    }
    version = os_hypercall2(__HYPERVISOR_xen_version, XENVER_version, 0);
    if (version < 0) {
        os_log(OS_LOG_ERROR, "xenbus: xen_version failed (%lld)\n", (long long)version);
        os_nt_hypercall_fini();
        return STATUS_UNSUCCESSFUL;
    }
    os_log(OS_LOG_INFO, "xenbus: Xen %u.%u\n", (unsigned int)(version >> 16),
           (unsigned int)(version & 0xffff));
    return STATUS_SUCCESS;
}

void xenbus_stop(struct xenbus_fdo *fdo)
{
    os_nt_hypercall_fini();
}
