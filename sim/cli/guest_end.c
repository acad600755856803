/*
 * sim/cli/guest_end.c - what the run does when its guest shuts its domain
 * down, as xl does with its defaults (on_poweroff and on_reboot: destroy,
 * and for a reboot create the domain again from its configuration): a
 * power-off leaves the run without a guest, a reboot starts the guest's
 * kernel again in a new domain of the same size, its drivers installed by
 * the boot before. Any other end of the guest's kernel ends the run, as
 * before (run_alive tells it).
 */
#include <stdio.h>

#include <xen/errno.h>
#include <xen/sched.h>

#include "proto.h"
#include "run.h"

#define GUEST_EXIT_MS 10000 /* the kernel exits once Xen took the shutdown */

/* The platform device's hardware ID: what the drivers were installed for. */
#define PLATFORM_HWID "PCI\\VEN_5853&DEV_0001"

/* The reason @domid shut down for, or -1 while it runs (or is not known). */
static int shutdown_reason(struct run *run, uint32_t domid)
{
    struct sim_request req = {.type = SIM_DOMAIN_INFO};
    struct sim_reply reply;

    req.body.domid.domid = domid;
    if (simd_call(&run->simd, &req, &reply) != 0 || reply.body.info.domid != domid ||
        !(reply.body.info.flags & SIM_DOMINFO_SHUTDOWN))
        return -1;
    return (int)reply.body.info.shutdown_reason;
}

/* xenstored forgets the domain and winpv-simd destroys it. */
static int destroy(struct run *run, uint32_t domid)
{
    int rc = xenstore_release(&run->store, domid);

    if (simd_domain_destroy(&run->simd, domid) != 0 && rc == 0)
        rc = -XEN_EIO;
    return rc;
}

/* The guest's configuration again, in a new domain: memory, vCPUs, disks, kernel. */
static int reboot(struct run *run)
{
    struct guest_rings rings;
    int rc = simd_domain_create(&run->simd, run->memory_pages, run->vcpus, &run->domid);

    if (rc == 0)
        rc = xenstore_introduce(&run->simd, &run->store, run->domid, &rings);
    if (rc == 0)
        rc = run_disks_move(run, run->domid);
    if (rc == 0)
        rc = run_guest_start(run, run->guest_dir, PLATFORM_HWID);
    return rc;
}

int run_guest_check(struct run *run)
{
    uint32_t domid = run->domid;
    int reason, rc;

    if (run->guest.state != COMPONENT_RUNNING)
        return 0;
    reason = shutdown_reason(run, domid);
    if (reason != SHUTDOWN_poweroff && reason != SHUTDOWN_reboot)
        return 0;
    rc = component_wait(&run->guest, GUEST_EXIT_MS);
    if (rc) {
        fprintf(stderr, "winpv-sim: domain %u shut down but its kernel did not end cleanly\n",
                domid);
        return -1;
    }
    rc = destroy(run, domid);
    if (rc == 0 && reason == SHUTDOWN_reboot)
        rc = reboot(run);
    if (rc) {
        fprintf(stderr, "winpv-sim: domain %u %s, but the toolstack failed (%d)\n", domid,
                reason == SHUTDOWN_reboot ? "rebooted" : "powered off", rc);
        return -1;
    }
    if (reason == SHUTDOWN_reboot)
        printf("# domain %u rebooted: the guest runs in domain %u\n", domid, run->domid);
    else
        printf("# domain %u powered off: destroyed; the run goes on without a guest (Ctrl-C "
               "stops it)\n",
               domid);
    fflush(stdout);
    return 1;
}
