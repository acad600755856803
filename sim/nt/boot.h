/*
 * sim/nt/boot.h - Windows's boot (boot.c): the platform device's first
 * start, during which only boot-start drivers serve the devices found
 * (pnp.h); then Windows opens its boot disk, and the devices that waited
 * get their drivers.
 */
#ifndef WINPV_SIM_NT_BOOT_H
#define WINPV_SIM_NT_BOOT_H

#include <stdbool.h>
#include <stdint.h>

#include "pnp.h"

/* The machine's boot disk, as its toolstack set it up. */
struct nt_boot {
    /*
     * The system disk is one of the domain's vbd disks, which QEMU also
     * shows as an emulated disk until XENBUS unplugs those.
     */
    bool from_vbd;
    const char *run_dir; /* the run's winpv-simd, which knows the unplug */
    uint32_t domid;
};

/*
 * The boot, as the first start step: 0 when the platform device started.
 * With @boot->from_vbd, Windows then opens its boot disk: the emulated one
 * while XENBUS left it plugged in, else the first disk Storport found; a
 * boot that reached neither stops the machine with INACCESSIBLE_BOOT_DEVICE,
 * as Windows does. Context: the PnP manager's thread.
 */
int nt_boot(struct nt_pnp *pnp, const struct nt_boot *boot);

#endif /* WINPV_SIM_NT_BOOT_H */
