/* core/xenbus/unplug.c - see unplug.h. */
#include "os.h"
#include "xenbus/unplug.h"

#define PORT_MAGIC      0x10 /* 16 bits: the magic; writes: the build (32) or the mask (16) */
#define PORT_VERSION    0x12 /* 8 bits: the protocol version; writes: the product (16) */
#define MAGIC_ACCEPTED  0x49d2
#define MAGIC_REFUSED   0xd249
#define VERSION_NO_ASKS 0 /* no announcement: straight to the unplug */

static int refused(uint32_t build)
{
    os_log(OS_LOG_ERROR,
           "xenbus: the platform device refused build %u (blacklisted): the PV drivers do not "
           "load, emulated devices stay\n",
           (unsigned int)build);
    return -XEN_EACCES;
}

int xenbus_unplug(uint16_t mask, uint32_t build)
{
    uint16_t magic = os_inw(PORT_MAGIC);
    uint8_t version;

    /* Refused already (earlier this boot): the device model keeps saying so. */
    if (magic == MAGIC_REFUSED)
        return refused(build);
    if (magic != MAGIC_ACCEPTED) {
        os_log(OS_LOG_WARN, "xenbus: no unplug protocol (magic %#x): emulated devices stay\n",
               (unsigned int)magic);
        return -XEN_ENODEV;
    }
    version = os_inb(PORT_VERSION);
    if (version != VERSION_NO_ASKS) {
        os_outw(PORT_VERSION, XENBUS_UNPLUG_PRODUCT);
        os_outl(PORT_MAGIC, build);
        magic = os_inw(PORT_MAGIC);
        if (magic == MAGIC_REFUSED)
            return refused(build);
        if (magic != MAGIC_ACCEPTED) {
            os_log(OS_LOG_ERROR,
                   "xenbus: the platform device answered %#x to build %u: emulated devices stay\n",
                   (unsigned int)magic, (unsigned int)build);
            return -XEN_EIO;
        }
    }
    if (mask)
        os_outw(PORT_MAGIC, mask);
    return 0;
}
