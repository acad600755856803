/*
 * sim/hv/platform.c - the Xen platform PCI device's fixed I/O ports, as
 * the emulated-device unplug protocol uses them: read the magic 0x49d2 from
 * port 0x10 and the protocol version from 0x12, write a product number
 * (16 bits) to 0x12 and a build number (32 bits) to 0x10, then write the
 * mask of emulated devices to unplug (16 bits) to 0x10.
 */
#include <xen/errno.h>

#include "hv.h"

#define PORT_MAGIC              0x10
#define PORT_VERSION            0x12
#define UNPLUG_MAGIC            0x49d2
#define UNPLUG_PROTOCOL_VERSION 1

int port_io(struct conn *c, struct sim_port_io *io, uint64_t *value)
{
    struct domain *d = domain_get(c->domid);

    if (d == NULL)
        return -XEN_ESRCH;
    if (io->bytes != 1 && io->bytes != 2 && io->bytes != 4)
        return -XEN_EINVAL;
    *value = io->bytes == 4 ? UINT32_MAX : (1u << (io->bytes * 8)) - 1; /* nothing decodes it */
    if (!io->write) {
        if (io->port == PORT_MAGIC && io->bytes == 2)
            *value = UNPLUG_MAGIC;
        else if (io->port == PORT_VERSION && io->bytes == 1)
            *value = UNPLUG_PROTOCOL_VERSION;
        return 0;
    }
    if (io->port == PORT_MAGIC && io->bytes == 2) {
        d->unplugged |= (uint16_t)io->value;
        hv_log("domain %u unplugged emulated devices %#x", d->domid, io->value);
    } else if (io->port == PORT_VERSION && io->bytes == 2) {
        hv_log("domain %u: PV drivers, product %u", d->domid, io->value);
    } else if (io->port == PORT_MAGIC && io->bytes == 4) {
        hv_log("domain %u: PV drivers, build %u", d->domid, io->value);
    }
    return 0;
}
