/*
 * core/xenbus/toolstack_keys.h - what XENBUS tells the toolstack about the
 * guest's PV drivers in xenstore, under the domain's home
 * (docs/TOOLSTACK-KEYS.md lists each key, who reads it and what we write):
 *
 *   attr/PVAddons/MajorVersion, MinorVersion, MicroVersion, BuildVersion
 *                         the drivers' version (include/winpv/version.h), as
 *                         XAPI reads it into PV_drivers_version
 *   attr/PVAddons/Installed   "1": PV drivers are installed and running
 *   data/updated          "1": XAPI takes the guest's attr/ and data/ keys
 *                         only while this exists
 *
 * Written in one transaction once the store connection is up; the
 * attr/PVAddons directory is removed when XENBUS stops (no PV driver runs
 * then). A toolstack that refuses the writes (permissions) gets a log line
 * and nothing else: XENBUS runs on.
 */
#ifndef WINPV_CORE_XENBUS_TOOLSTACK_KEYS_H
#define WINPV_CORE_XENBUS_TOOLSTACK_KEYS_H

struct xs_client;

/* Write the keys; 0 or the store's error (logged). Context: passive. */
int xenbus_toolstack_keys_write(struct xs_client *store);

/* Remove attr/PVAddons; 0 or the store's error (logged). Context: passive. */
int xenbus_toolstack_keys_remove(struct xs_client *store);

#endif /* WINPV_CORE_XENBUS_TOOLSTACK_KEYS_H */
