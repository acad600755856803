/*
 * winpv/xenbus_interface.h - a frontend's side of the xenbus handshake,
 * served by XENBUS to the driver of each PV device it enumerates.
 *
 * Version 1. All functions are passive-level. The otherend callback runs
 * at passive level on a system thread and may call the store interface.
 * See core/xenbus/device.h for each function's meaning.
 */
#ifndef WINPV_XENBUS_INTERFACE_H
#define WINPV_XENBUS_INTERFACE_H

#include "winpv/interface.h"

/* {6c6bcdd8-4081-4e46-93ae-59bb75385d60} */
#define WINPV_XENBUS_INTERFACE_GUID                        \
    {                                                      \
        0x6c6bcdd8, 0x4081, 0x4e46,                        \
        {                                                  \
            0x93, 0xae, 0x59, 0xbb, 0x75, 0x38, 0x5d, 0x60 \
        }                                                  \
    }

#define WINPV_XENBUS_INTERFACE_VERSION_MIN 1
#define WINPV_XENBUS_INTERFACE_VERSION_MAX 1

struct winpv_xenbus_device;

/* States as in xen/io/xenbus.h (XenbusState*). */
struct winpv_xenbus_interface_v1 {
    struct winpv_interface_header header;
    int (*open)(void *context, const char *class, const char *id,
                void (*fn)(void *ctx, uint32_t state), void *ctx, struct winpv_xenbus_device **dev);
    void (*close)(void *context, struct winpv_xenbus_device *dev);
    const char *(*nodename)(void *context, struct winpv_xenbus_device *dev);
    const char *(*otherend)(void *context, struct winpv_xenbus_device *dev);
    uint32_t (*otherend_id)(void *context, struct winpv_xenbus_device *dev);
    int (*switch_state)(void *context, struct winpv_xenbus_device *dev, uint32_t state);
    uint32_t (*otherend_state)(void *context, struct winpv_xenbus_device *dev);
    int (*wait_for_otherend)(void *context, struct winpv_xenbus_device *dev, uint32_t mask,
                             uint64_t timeout_ns, uint32_t *state);
    void (*fail)(void *context, struct winpv_xenbus_device *dev, int err, const char *message);
};

#endif /* WINPV_XENBUS_INTERFACE_H */
