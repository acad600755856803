/*
 * core/xenbus/unplug.h - the emulated-device unplug protocol of the Xen
 * platform device's fixed I/O ports (Xen's
 * docs/misc/hvm-emulated-unplug.pandoc), from the drivers' side.
 *
 * The drivers announce themselves (product and build numbers); the device
 * model may refuse them (blacklisted), and then they must not load. Otherwise
 * they name the emulated devices they take over, which disappear from
 * their buses: done before the emulated devices' own drivers bind.
 */
#ifndef WINPV_CORE_XENBUS_UNPLUG_H
#define WINPV_CORE_XENBUS_UNPLUG_H

#include <stdint.h>

/* The unplug mask: which emulated devices go. */
#define XENBUS_UNPLUG_DISKS     (1u << 0) /* every IDE and SCSI disk (not CD drives) */
#define XENBUS_UNPLUG_NICS      (1u << 1) /* every NIC */
#define XENBUS_UNPLUG_AUX_DISKS (1u << 2) /* IDE disks but the primary master (bit 0 wins) */
#define XENBUS_UNPLUG_NVME      (1u << 3) /* every NVMe disk */

/*
 * The product number announced. Xen's register of them
 * (public/hvm/pvdrivers.h) has none for winpv: it announces 0xffff,
 * "experimental", which the register leaves to drivers not yet given one.
 */
#define XENBUS_UNPLUG_PRODUCT 0xffffu

/*
 * Run the protocol: announce product XENBUS_UNPLUG_PRODUCT and build
 * @build, then unplug @mask (nothing written when 0). Returns:
 *   0              done (devices in @mask unplugged, if any);
 *   -XEN_ENODEV    no unplug protocol here (the magic is not Xen's): nothing
 *                  was done, and the emulated devices stay;
 *   -XEN_EACCES    the device model refused this build (blacklisted), now
 *                  or earlier this boot: the drivers must not load; nothing
 *                  was unplugged;
 *   -XEN_EIO       the device answered neither accepted nor refused after
 *                  the announcement: nothing was unplugged.
 * Each outcome but 0 is logged. Context: passive.
 */
int xenbus_unplug(uint16_t mask, uint32_t build);

#endif /* WINPV_CORE_XENBUS_UNPLUG_H */
