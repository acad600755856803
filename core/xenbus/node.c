/* core/xenbus/node.c - see node.h. */
#include <string.h>

#include <xen/errno.h>
#include <xen/io/xs_wire.h>

#include "os.h"
#include "xenbus/node.h"
#include "xenstore/number.h"

int xenbus_read_uint(struct xs_client *client, xs_tx_t tx, const char *dir, const char *name,
                     uint64_t max, uint64_t *value)
{
    char path[XENSTORE_ABS_PATH_MAX + 1];
    char *text;
    size_t len;
    int rc = xenbus_path(path, sizeof(path), dir, name);

    if (rc == 0)
        rc = xs_read(client, tx, path, &text, &len);
    if (rc)
        return rc;
    rc = xs_number_parse(text, len, max, value);
    os_free(text);
    return rc;
}

int xenbus_write_uint(struct xs_client *client, xs_tx_t tx, const char *dir, const char *name,
                      uint64_t value)
{
    char path[XENSTORE_ABS_PATH_MAX + 1];
    char text[XS_NUMBER_TEXT_MAX];
    size_t len = xs_number_format(text, value, 10);
    int rc = xenbus_path(path, sizeof(path), dir, name);

    return rc ? rc : xs_write(client, tx, path, text, len);
}

int xenbus_read_state(struct xs_client *client, xs_tx_t tx, const char *dir,
                      enum xenbus_state *state)
{
    uint64_t value;
    int rc = xenbus_read_uint(client, tx, dir, "state", XenbusStateReconfigured, &value);

    if (xenbus_node_absent(rc)) {
        *state = XenbusStateUnknown;
        return 0;
    }
    if (rc == -XEN_ERANGE)
        rc = -XEN_EINVAL;
    if (rc == 0)
        *state = (enum xenbus_state)value;
    return rc;
}

const char *xenbus_state_name(enum xenbus_state state)
{
    static const char *const names[] = {
        [XenbusStateUnknown] = "Unknown",
        [XenbusStateInitialising] = "Initialising",
        [XenbusStateInitWait] = "InitWait",
        [XenbusStateInitialised] = "Initialised",
        [XenbusStateConnected] = "Connected",
        [XenbusStateClosing] = "Closing",
        [XenbusStateClosed] = "Closed",
        [XenbusStateReconfiguring] = "Reconfiguring",
        [XenbusStateReconfigured] = "Reconfigured",
    };

    return (unsigned int)state < sizeof(names) / sizeof(names[0]) ? names[state] : "invalid";
}
