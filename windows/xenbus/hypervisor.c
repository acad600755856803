/*
 * windows/xenbus/hypervisor.c - what XENBUS starts on the platform device:
 * find Xen and choose the hypercall instruction, connect the upcall
 * interrupt, then core/xenbus's services (shared_info, event channels, the
 * grant table, xenstore) and the balloon, tells the toolstack of the
 * drivers (core/xenbus/toolstack_keys.c), and carries out its suspend
 * requests (suspend.c). Stopping undoes it in reverse and
 * gives every page, channel and grant back (the balloon's pages from Xen
 * before they go back to Windows).
 *
 * The children (children.c, pdo.c) are watched for while started.
 */
#include <xen/version.h>
#include <xen/xen.h>

#include "fdo.h"
#include "os.h"
#include "os_nt.h"
#include "xenbus/toolstack_keys.h"
#include "xenstore/client.h"

/* Log who this guest is to xenstore, as a first request through the new connection. */
static void log_identity(struct xenbus_fdo *fdo)
{
    char *domid = NULL;
    int rc = xs_client_read(fdo->services.store.client, XS_TX_NONE, "domid", &domid, NULL);

    if (rc == 0)
        os_log(OS_LOG_INFO, "xenbus: xenstore connected, domain %s\n", domid);
    else
        os_log(OS_LOG_WARN, "xenbus: xenstore connected, domid unreadable (%d)\n", rc);
    os_free(domid);
}

NTSTATUS xenbus_start(struct xenbus_fdo *fdo, const CM_RESOURCE_LIST *raw)
{
    NTSTATUS status = os_nt_hypercall_init();
    int64_t version;
    int rc;

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
    status = xenbus_upcall_connect(fdo, raw);
    if (!NT_SUCCESS(status)) {
        os_nt_hypercall_fini();
        return status;
    }
    rc = xenbus_services_start(&fdo->services, fdo->vcpus);
    if (rc) {
        xenbus_upcall_disconnect(fdo);
        os_nt_hypercall_fini();
        return STATUS_UNSUCCESSFUL;
    }
    log_identity(fdo);
    /* What the toolstack reads of our drivers; refused, it is only logged. */
    xenbus_toolstack_keys_write(fdo->services.store.client);
    xenbus_services_balloon_start(&fdo->services);
    status = xenbus_children_start(fdo);
    if (!NT_SUCCESS(status)) {
        xenbus_stop(fdo);
        return status;
    }
    /*
     * Without them the guest runs on; the toolstack sees no
     * control/feature-suspend, or no power-off and reboot.
     */
    if (NT_SUCCESS(xenbus_suspend_start(fdo))) {
        status = xenbus_agent_start(fdo);
        if (!NT_SUCCESS(status))
            os_log(OS_LOG_WARN,
                   "xenbus: no agent interface (%#x): power-off and reboot not "
                   "offered\n",
                   (unsigned int)status);
    }
    return STATUS_SUCCESS;
}

void xenbus_stop(struct xenbus_fdo *fdo)
{
    /* The agent's wait ends; a suspend in flight finishes first; none is taken after. */
    xenbus_agent_stop(fdo);
    xenbus_suspend_stop(fdo);
    xenbus_children_stop(fdo);
    /* Every page back from Xen while xenstore still answers (the watch goes). */
    xenbus_services_balloon_stop(&fdo->services);
    xenbus_toolstack_keys_remove(fdo->services.store.client);
    /* Upcalls before the services: they may not be stopped under a running DPC. */
    xenbus_upcall_disconnect(fdo);
    xenbus_services_stop(&fdo->services);
    os_nt_hypercall_fini();
}
