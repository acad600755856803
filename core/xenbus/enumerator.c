/*
 * core/xenbus/enumerator.c - see enumerator.h.
 *
 * The known devices are a list of "class/id" entries, each with a mark.
 * A rescan marks every device it finds (adding and reporting new ones),
 * then reports and drops the unmarked ones.
 */
#include <string.h>

#include <xen/errno.h>
#include <xen/io/xs_wire.h>

#include "os.h"
#include "xenbus/device.h"
#include "xenbus/enumerator.h"
#include "xenbus/names.h"
#include "xenbus/node.h"

struct known_device {
    struct known_device *next;
    char class[XENBUS_NAME_MAX + 1];
    char id[XENBUS_NAME_MAX + 1];
    bool seen; /* found by the scan in progress */
};

struct xenbus_enumerator {
    struct xs_client *client;
    xenbus_device_fn fn;
    void *ctx;
    struct xs_watch *watch;
    struct os_mutex lock; /* guards devices; held across a whole scan */
    struct known_device *devices;
};

static struct known_device *find(struct xenbus_enumerator *e, const char *class, const char *id)
{
    for (struct known_device *d = e->devices; d; d = d->next)
        if (strcmp(d->class, class) == 0 && strcmp(d->id, id) == 0)
            return d;
    return NULL;
}

static void found(struct xenbus_enumerator *e, const char *class, const char *id)
{
    struct known_device *d = find(e, class, id);

    if (d) {
        d->seen = true;
        return;
    }
    d = os_alloc(sizeof(*d));
    if (!d) {
        os_log(OS_LOG_ERROR, "xenbus: no memory for device %s/%s\n", class, id);
        return;
    }
    strcpy(d->class, class);
    strcpy(d->id, id);
    d->seen = true;
    d->next = e->devices;
    e->devices = d;
    e->fn(e->ctx, class, id, true);
}

static void scan_class(struct xenbus_enumerator *e, const char *class)
{
    char path[sizeof("device/") + XENBUS_NAME_MAX];
    char **ids;
    unsigned int count;

    if (xenbus_path(path, sizeof(path), "device", class) != 0 ||
        xs_directory(e->client, XS_TX_NONE, path, &ids, &count) != 0)
        return; /* removed meanwhile: its devices are gone */
    for (unsigned int i = 0; i < count; i++) {
        if (xenbus_name_valid(ids[i]))
            found(e, class, ids[i]);
        else
            os_log(OS_LOG_WARN, "xenbus: skipping device %s/%s: not a valid id\n", class, ids[i]);
    }
    os_free(ids);
}

/* Report and forget what the scan did not find. */
static void drop_unseen(struct xenbus_enumerator *e)
{
    struct known_device **link = &e->devices;

    while (*link) {
        struct known_device *d = *link;

        if (d->seen) {
            d->seen = false;
            link = &d->next;
            continue;
        }
        *link = d->next;
        e->fn(e->ctx, d->class, d->id, false);
        os_free(d);
    }
}

static void rescan(void *ctx, const char *path)
{
    struct xenbus_enumerator *e = ctx;
    char **classes = NULL;
    unsigned int count = 0;
    int rc;

    (void)path;
    rc = xs_directory(e->client, XS_TX_NONE, "device", &classes, &count);
    if (rc != 0 && rc != -XEN_ENOENT) {
        /* Keep what we know: a failed list is not every device gone. */
        os_log(OS_LOG_WARN, "xenbus: cannot list devices (%d)\n", rc);
        return;
    }
    os_mutex_lock(&e->lock);
    for (unsigned int i = 0; i < count; i++) {
        if (xenbus_name_valid(classes[i]))
            scan_class(e, classes[i]);
        else
            os_log(OS_LOG_WARN, "xenbus: skipping device class %s: not a valid name\n", classes[i]);
    }
    drop_unseen(e);
    os_mutex_unlock(&e->lock);
    os_free(classes);
}

int xenbus_enumerator_start(struct xs_client *client, xenbus_device_fn fn, void *ctx,
                            struct xenbus_enumerator **out)
{
    struct xenbus_enumerator *e = os_alloc(sizeof(*e));
    int rc;

    if (!e)
        return -XEN_ENOMEM;
    e->client = client;
    e->fn = fn;
    e->ctx = ctx;
    os_mutex_init(&e->lock);
    rc = xs_watch_add(client, "device", rescan, e, &e->watch);
    if (rc) {
        os_free(e);
        return rc;
    }
    *out = e;
    return 0;
}

void xenbus_enumerator_stop(struct xenbus_enumerator *e)
{
    xs_watch_remove(e->client, e->watch);
    while (e->devices) {
        struct known_device *d = e->devices;

        e->devices = d->next;
        os_free(d);
    }
    os_free(e);
}

unsigned int xenbus_enumerator_count(struct xenbus_enumerator *e)
{
    unsigned int n = 0;

    os_mutex_lock(&e->lock);
    for (struct known_device *d = e->devices; d; d = d->next)
        n++;
    os_mutex_unlock(&e->lock);
    return n;
}
