/* core/xenbus/device.c - see device.h. */
#include <string.h>

#include <xen/errno.h>
#include <xen/io/xs_wire.h>
#include <xen/xen.h>

#include "os.h"
#include "xenbus/device.h"
#include "xenbus/names.h"
#include "xenbus/node.h"
#include "xenstore/number.h"

struct xenbus_device {
    struct xs_client *client;
    char nodename[sizeof("device//") + 2 * XENBUS_NAME_MAX];
    char otherend[XENSTORE_ABS_PATH_MAX + 1];
    char otherend_state_path[XENSTORE_ABS_PATH_MAX + 1];
    uint32_t otherend_id;
    struct xs_watch *watch;
    xenbus_otherend_fn fn;
    void *ctx;
    struct os_spinlock lock; /* guards otherend_state */
    enum xenbus_state otherend_state;
    struct os_event changed; /* set whenever otherend_state is updated */
};

const char *xenbus_device_nodename(const struct xenbus_device *dev)
{
    return dev->nodename;
}

const char *xenbus_device_otherend(const struct xenbus_device *dev)
{
    return dev->otherend;
}

uint32_t xenbus_device_otherend_id(const struct xenbus_device *dev)
{
    return dev->otherend_id;
}

enum xenbus_state xenbus_otherend_state(const struct xenbus_device *dev)
{
    struct xenbus_device *d = (struct xenbus_device *)dev;
    os_irql_t irql = os_spin_lock(&d->lock);
    enum xenbus_state state = d->otherend_state;

    os_spin_unlock(&d->lock, irql);
    return state;
}

/*
 * The backend directory must belong to backend-id: "/local/domain/<id>/..."
 * (the toolstack's layout), so a confused or forged node cannot point us at
 * another domain's tree.
 */
static bool otherend_matches_id(const char *path, uint32_t id)
{
    static const char prefix[] = "/local/domain/";
    char digits[XS_NUMBER_TEXT_MAX];
    size_t n = xs_number_format(digits, id, 10);
    size_t p = sizeof(prefix) - 1;

    return strncmp(path, prefix, p) == 0 && strncmp(path + p, digits, n) == 0 &&
           path[p + n] == '/' && path[p + n + 1] != '\0';
}

static int read_otherend(struct xenbus_device *dev)
{
    char path[XENSTORE_ABS_PATH_MAX + 1];
    uint64_t id;
    char *backend;
    size_t len;
    int rc = xenbus_read_uint(dev->client, XS_TX_NONE, dev->nodename, "backend-id",
                              DOMID_FIRST_RESERVED - 1, &id);

    if (rc == -XEN_ERANGE)
        rc = -XEN_EINVAL;
    if (rc == 0)
        rc = xenbus_path(path, sizeof(path), dev->nodename, "backend");
    if (rc == 0)
        rc = xs_read(dev->client, XS_TX_NONE, path, &backend, &len);
    if (rc)
        return rc;
    if (len != strlen(backend) || len + sizeof("/state") > sizeof(dev->otherend) ||
        !otherend_matches_id(backend, (uint32_t)id))
        rc = -XEN_EINVAL;
    else {
        memcpy(dev->otherend, backend, len + 1);
        dev->otherend_id = (uint32_t)id;
        rc = xenbus_path(dev->otherend_state_path, sizeof(dev->otherend_state_path), dev->otherend,
                         "state");
    }
    os_free(backend);
    return rc;
}

static void otherend_changed(void *ctx, const char *path)
{
    struct xenbus_device *dev = ctx;
    enum xenbus_state state;
    os_irql_t irql;

    (void)path;
    if (xenbus_read_state(dev->client, XS_TX_NONE, dev->otherend, &state) != 0) {
        os_log(OS_LOG_WARN, "xenbus: %s: backend %s has no valid state; ignored\n", dev->nodename,
               dev->otherend);
        return;
    }
    irql = os_spin_lock(&dev->lock);
    dev->otherend_state = state;
    os_spin_unlock(&dev->lock, irql);
    /* The owner hears first, so a waiter woken next finds the owner up to date. */
    if (dev->fn)
        dev->fn(dev->ctx, state);
    os_event_set(&dev->changed);
}

int xenbus_device_open(struct xs_client *client, const char *class, const char *id,
                       xenbus_otherend_fn fn, void *ctx, struct xenbus_device **out)
{
    struct xenbus_device *dev;
    int rc;

    if (!xenbus_name_valid(class) || !xenbus_name_valid(id))
        return -XEN_EINVAL;
    dev = os_alloc(sizeof(*dev));
    if (!dev)
        return -XEN_ENOMEM;
    dev->client = client;
    dev->fn = fn;
    dev->ctx = ctx;
    os_spin_init(&dev->lock);
    os_event_init(&dev->changed);
    rc = xenbus_path(dev->nodename, sizeof(dev->nodename), "device", class);
    if (rc == 0)
        rc = xenbus_path(dev->nodename, sizeof(dev->nodename), dev->nodename, id);
    if (rc == 0)
        rc = read_otherend(dev);
    /* The watch fires once at once, which reads the backend's first state. */
    if (rc == 0)
        rc = xs_watch_add(client, dev->otherend_state_path, otherend_changed, dev, &dev->watch);
    if (rc) {
        os_free(dev);
        return rc;
    }
    *out = dev;
    return 0;
}

void xenbus_device_close(struct xenbus_device *dev)
{
    xs_watch_remove(dev->client, dev->watch);
    os_free(dev);
}

int xenbus_switch_state(struct xenbus_device *dev, enum xenbus_state state)
{
    int rc = xenbus_write_uint(dev->client, XS_TX_NONE, dev->nodename, "state", state);

    if (rc)
        os_log(OS_LOG_ERROR, "xenbus: %s: cannot switch to %s (%d)\n", dev->nodename,
               xenbus_state_name(state), rc);
    return rc;
}

int xenbus_wait_for_otherend(struct xenbus_device *dev, uint32_t mask, uint64_t timeout_ns,
                             enum xenbus_state *state)
{
    uint64_t start = os_time_ns();

    for (;;) {
        uint64_t waited;

        /* Clear before looking, so a change after the look still wakes us. */
        os_event_clear(&dev->changed);
        *state = xenbus_otherend_state(dev);
        if (mask & XENBUS_STATE_BIT(*state))
            return 0;
        waited = os_time_ns() - start;
        if (waited >= timeout_ns ||
            os_event_wait(&dev->changed,
                          timeout_ns == OS_WAIT_FOREVER ? OS_WAIT_FOREVER : timeout_ns - waited) ==
                -XEN_ETIMEDOUT) {
            *state = xenbus_otherend_state(dev);
            return (mask & XENBUS_STATE_BIT(*state)) ? 0 : -XEN_ETIMEDOUT;
        }
    }
}

void xenbus_fail(struct xenbus_device *dev, int err, const char *message)
{
    char dir[sizeof(dev->nodename) + sizeof("error/")];
    char path[sizeof(dir) + sizeof("/error")];
    char text[256];
    size_t n = xs_number_format(text, (uint64_t)(err < 0 ? -(int64_t)err : err), 10);
    size_t m = strlen(message);

    os_log(OS_LOG_ERROR, "xenbus: %s: %d %s\n", dev->nodename, err, message);
    if (m > sizeof(text) - n - 2)
        m = sizeof(text) - n - 2;
    text[n] = ' ';
    memcpy(text + n + 1, message, m);
    text[n + 1 + m] = '\0';
    if (xenbus_path(dir, sizeof(dir), "error", dev->nodename) == 0 &&
        xenbus_path(path, sizeof(path), dir, "error") == 0)
        xs_write(dev->client, XS_TX_NONE, path, text, n + 1 + m);
    xenbus_switch_state(dev, XenbusStateClosing);
}
