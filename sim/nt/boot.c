/* sim/nt/boot.c - see boot.h. */
#include "boot.h"
#include "client.h"
#include "inf.h"
#include "kernel.h"
#include "storport.h"

#define INACCESSIBLE_BOOT_DEVICE 0x7b
/* Its second parameter: the boot device's opening failed, STATUS_OBJECT_NAME_NOT_FOUND. */
#define BOOT_DEVICE_NOT_FOUND    0xffffffffc0000034ull
/* The platform device's unplug mask: every emulated disk (IDE and SCSI; NVMe). */
#define EMULATED_DISKS           ((1u << 0) | (1u << 3))

/* Whether XENBUS unplugged the emulated disks: the platform device's state, which winpv-simd keeps. */
static bool emulated_disks_gone(const struct nt_boot *boot)
{
    struct sim_request req = {.type = SIM_DOMAIN_INFO};
    struct sim_reply reply;
    struct sim_conn conn;
    bool gone = false;

    if (sim_connect(&conn, boot->run_dir, SIM_ROLE_TOOLSTACK, 0, NULL) != 0) {
        nt_log("system: the platform device's state cannot be read: taken as unplugged\n");
        return true;
    }
    req.body.domid.domid = boot->domid;
    if (sim_call(&conn, &req, &reply, NULL) != 0 || reply.body.info.domid != boot->domid)
        nt_log("system: the platform device's state cannot be read: taken as unplugged\n");
    gone = reply.body.info.domid != boot->domid || (reply.body.info.unplugged & EMULATED_DISKS);
    sim_disconnect(&conn);
    return gone;
}

/* Windows opens its boot disk once the boot drivers have started. */
static void open_boot_disk(const struct nt_boot *boot)
{
    uint32_t block_size;
    uint8_t target;
    struct adapter *a;

    if (!emulated_disks_gone(boot)) {
        nt_log("system: boot disk: the emulated one, which XENBUS left plugged in\n");
        return;
    }
    a = storport_disk_hold(0, &target, &block_size);
    if (a == NULL) {
        nt_log("system: no boot disk: the emulated ones unplugged, no PV disk reached: "
               "INACCESSIBLE_BOOT_DEVICE\n");
        nt_bugcheck(INACCESSIBLE_BOOT_DEVICE, 0, BOOT_DEVICE_NOT_FOUND, 0, 0, 0);
    }
    storport_disk_release(a);
    nt_log("system: boot disk: unit 0:%u:0, a PV disk\n", target);
}

int nt_boot(struct nt_pnp *pnp, const struct nt_boot *boot)
{
    bool platform_boots = pnp->platform_start == SERVICE_BOOT_START;
    int rc = 0;

    /* A platform driver that is not boot-start loads only after the boot. */
    if (platform_boots)
        rc = nt_pnp_start(pnp);
    else
        nt_log("pnp: the platform device waits for the end of the boot: its driver has start "
               "type %u, not boot\n",
               pnp->platform_start);
    if (boot->from_vbd)
        open_boot_disk(boot);
    nt_pnp_boot_done(pnp);
    return platform_boots ? rc : nt_pnp_start(pnp);
}
