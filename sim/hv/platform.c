/*
 * sim/hv/platform.c - the Xen platform PCI device's fixed I/O ports, as
 * the emulated-device unplug protocol uses them (Xen's
 * docs/misc/hvm-emulated-unplug.pandoc), answered as Xen's QEMU answers
 * them: read the magic 0x49d2 from port 0x10 and the protocol version (1)
 * from 0x12, write a product number (16 bits) to 0x12 and a build number
 * (32 bits) to 0x10, read the magic again (0xd249: the drivers are refused
 * and must not load), then write the mask of emulated devices to unplug
 * (16 bits) to 0x10. Byte writes to 0x12 are the drivers' log, a line at a
 * time.
 *
 * A build is refused when the toolstack blacklisted it (SIM_DRIVER_BLACKLIST,
 * standing for /mh/driver-blacklist/{product name}/{build} in xenstore). A
 * product number outside Xen's register (public/hvm/pvdrivers.h) is refused
 * too: stricter than QEMU, which only logs it. A mask written after a
 * refusal is still applied, as QEMU applies it, and logged: the tests see a
 * driver that unplugs regardless.
 */
#include <stdbool.h>

#include <xen/errno.h>

#include "hv.h"

#define PORT_MAGIC              0x10
#define PORT_VERSION            0x12
#define UNPLUG_MAGIC            0x49d2
#define UNPLUG_REFUSED          0xd249
#define UNPLUG_PROTOCOL_VERSION 1
#define BLACKLIST_MAX           16

/* Xen's register of product numbers (public/hvm/pvdrivers.h), with their names. */
static const struct {
    uint16_t number;
    const char *name;
} products[] = {
    {0x0001, "xensource-windows"},
    {0x0002, "gplpv-windows"},
    {0x0003, "linux"},
    {0x0004, "xenserver-windows-v7.0+"},
    {0x0005, "xenserver-windows-v7.2+"},
    {0xffff, "experimental"},
};

static struct sim_driver_blacklist blacklist[BLACKLIST_MAX];
static unsigned int blacklisted;

static const char *product_name(uint32_t number)
{
    for (size_t i = 0; i < sizeof(products) / sizeof(products[0]); i++)
        if (products[i].number == number)
            return products[i].name;
    return NULL;
}

static int listed_at(uint32_t product, uint32_t build)
{
    for (unsigned int i = 0; i < blacklisted; i++)
        if (blacklist[i].product == product && blacklist[i].build == build)
            return (int)i;
    return -1;
}

int platform_blacklist(const struct sim_driver_blacklist *entry)
{
    int at = listed_at(entry->product, entry->build);

    if (entry->listed > 1 || product_name(entry->product) == NULL)
        return -XEN_EINVAL;
    if (entry->listed && at < 0) {
        if (blacklisted == BLACKLIST_MAX)
            return -XEN_ENOSPC;
        blacklist[blacklisted++] = *entry;
    } else if (!entry->listed && at >= 0) {
        blacklist[at] = blacklist[--blacklisted];
    }
    hv_log("driver blacklist: %s build %u %s", product_name(entry->product), entry->build,
           entry->listed ? "listed" : "off the list");
    return 0;
}

/* The magic as the drivers read it now. */
static uint16_t magic(struct domain *d)
{
    const char *name;

    if (d->pv_product == SIM_PV_NONE)
        return UNPLUG_MAGIC;
    name = product_name(d->pv_product);
    if (name == NULL || listed_at(d->pv_product, d->pv_build) >= 0) {
        if (!d->pv_refused)
            hv_log("domain %u: PV drivers refused: %s product %u, build %u", d->domid,
                   name ? "blacklisted" : "unknown", d->pv_product, d->pv_build);
        d->pv_refused = true;
        return UNPLUG_REFUSED;
    }
    return UNPLUG_MAGIC;
}

/* A byte of the drivers' log; a line is logged when it ends (or fills up). */
static void log_byte(struct domain *d, uint8_t c)
{
    bool end = c == '\n' || d->pv_log_len == sizeof(d->pv_log) - 1;

    if (c != '\n')
        d->pv_log[d->pv_log_len++] = (char)(c >= 0x20 && c < 0x7f ? c : '?');
    if (end) {
        d->pv_log[d->pv_log_len] = '\0';
        hv_log("domain %u: PV drivers: %s", d->domid, d->pv_log);
        d->pv_log_len = 0;
    }
}

static void port_write(struct domain *d, const struct sim_port_io *io)
{
    if (io->port == PORT_MAGIC && io->bytes == 2) {
        d->unplugged |= (uint16_t)io->value;
        d->pv_unplugs++;
        hv_log("domain %u unplugged emulated devices %#x%s", d->domid, io->value,
               d->pv_refused ? " (after its drivers were refused)" : "");
    } else if (io->port == PORT_VERSION && io->bytes == 2) {
        const char *name = product_name(io->value);

        d->pv_product = io->value;
        hv_log("domain %u: PV drivers, product %u (%s)", d->domid, io->value,
               name ? name : "unknown");
    } else if (io->port == PORT_MAGIC && io->bytes == 4) {
        d->pv_build = io->value;
        hv_log("domain %u: PV drivers, build %u", d->domid, io->value);
    } else if (io->port == PORT_VERSION && io->bytes == 1) {
        log_byte(d, (uint8_t)io->value);
    }
}

int port_io(struct conn *c, struct sim_port_io *io, uint64_t *value)
{
    struct domain *d = domain_get(c->domid);

    if (d == NULL)
        return -XEN_ESRCH;
    if (io->bytes != 1 && io->bytes != 2 && io->bytes != 4)
        return -XEN_EINVAL;
    *value = io->bytes == 4 ? UINT32_MAX : (1u << (io->bytes * 8)) - 1; /* nothing decodes it */
    if (io->write)
        port_write(d, io);
    else if (io->port == PORT_MAGIC && io->bytes == 2)
        *value = magic(d);
    else if (io->port == PORT_VERSION && io->bytes == 1)
        *value = UNPLUG_PROTOCOL_VERSION;
    return 0;
}
