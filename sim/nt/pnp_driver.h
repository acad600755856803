/*
 * sim/nt/pnp_driver.h - a driver as the PnP manager loads it: its image,
 * its driver object, DriverEntry once, AddDevice per device, and
 * DriverUnload when its last device is gone, with what it left behind
 * counted. Context: the PnP thread, PASSIVE_LEVEL.
 */
#ifndef WINPV_SIM_NT_PNP_DRIVER_H
#define WINPV_SIM_NT_PNP_DRIVER_H

#include <stddef.h>

#include "image.h"
#include "ntabi.h"

#define NT_SERVICE_KEY_MAX 256

struct nt_driver {
    struct nt_image image;
    DRIVER_OBJECT *object;
    char service[64];
    WCHAR service_key[NT_SERVICE_KEY_MAX]; /* DriverEntry's registry path */
    unsigned int devices;                  /* device nodes it was added to */
    bool loaded;                           /* the image is mapped */
};

/*
 * Load the image at @path (@kuser_page: see nt_image_load) and run
 * DriverEntry with service key @service. Returns 0, or -1 with the reason
 * logged (and in @error).
 */
int nt_driver_load(struct nt_driver *driver, const char *path, const char *service,
                   uint64_t kuser_page, char *error, size_t error_size);

/* AddDevice for @pdo; 0 when the driver attached itself. */
int nt_driver_add_device(struct nt_driver *driver, DEVICE_OBJECT *pdo);

/*
 * DriverUnload, then what the image still holds: a device not deleted, a
 * connected interrupt, a set timer or a system thread still running stops
 * the guest; pool, I/O space mappings and open handles are counted. Unmaps
 * the image. Returns the number of leaks.
 */
size_t nt_driver_unload(struct nt_driver *driver);

/* The kernel's own driver objects (its bus drivers), and freeing one. */
DRIVER_OBJECT *nt_driver_object_new(void);
void nt_driver_object_free(DRIVER_OBJECT *driver);

#endif /* WINPV_SIM_NT_PNP_DRIVER_H */
