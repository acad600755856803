/*
 * sim/nt/shutdown.c - the system's shutdown and restart, in Windows's
 * order (pnp.h): user mode ends, IRP_MJ_SHUTDOWN to the devices
 * registered for it, S5 to every device stack, then the platform.
 *
 * On an HVM guest the platform's power-off (ACPI sleep to S5) or reset
 * ends the domain with the reason poweroff or reboot; here the kernel
 * tells Xen so itself, with SCHEDOP_shutdown, the call an HVM guest's
 * device model makes for it.
 */
#include <stdbool.h>

#include <xen/sched.h>
#include <xen/xen.h>

#include "io.h"
#include "kernel.h"
#include "os.h"
#include "pnp.h"

void nt_system_shutdown_request(struct nt_pnp *pnp, bool restart)
{
    int none = NT_SHUTDOWN_NONE;

    /* The first request counts; later ones, as on Windows, find a shutdown under way. */
    if (atomic_compare_exchange_strong(&pnp->shutdown, &none,
                                       restart ? NT_SHUTDOWN_RESTART : NT_SHUTDOWN_POWER_OFF))
        atomic_store(&pnp->stop_requested, true);
}

int nt_system_shutdown(struct nt_pnp *pnp)
{
    bool restart = atomic_load(&pnp->shutdown) == NT_SHUTDOWN_RESTART;
    struct sched_shutdown reason = {.reason = restart ? SHUTDOWN_reboot : SHUTDOWN_poweroff};
    unsigned int told;
    int64_t rc;

    nt_log("system: %s: user mode ends\n", restart ? "restart" : "shut down");
    nt_agent_stop();
    told = nt_io_shutdown_notify(pnp->irp_timeout_ms);
    nt_log("system: IRP_MJ_SHUTDOWN sent to %u device(s)\n", told);
    nt_po_shutdown(pnp, restart);
    rc = os_hypercall2(__HYPERVISOR_sched_op, SCHEDOP_shutdown, (uintptr_t)&reason);
    nt_log("system: the platform %s: SCHEDOP_shutdown(%s) -> %lld\n",
           restart ? "resets" : "powers off", restart ? "reboot" : "poweroff", (long long)rc);
    atomic_store(&pnp->shutdown, NT_SHUTDOWN_DONE);
    return rc == 0 ? 0 : -1;
}
