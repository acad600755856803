/*
 * core/xenbus/enumerator.c - see enumerator.h.
 *
 * The known devices are a list of "class/id" entries. A rescan lists
 * device/ afresh (a failure of any request keeps the old list: a
 * transient error is not every device gone), merges that into the known
 * list under the lock, then reports what appeared and what went with no
 * lock held, so the callback may block or call back in.
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
    struct known_device *report_next; /* on the list of changes to report */
    char class[XENBUS_NAME_MAX + 1];
    char id[XENBUS_NAME_MAX + 1];
    bool seen; /* found by the scan in progress */
};

struct xenbus_enumerator {
    struct xs_client *client;
    xenbus_device_fn fn;
    void *ctx;
    struct xs_watch *watch;
    struct os_mutex lock; /* guards devices; never held across a request or a callback */
    struct known_device *devices;
};

static void free_list(struct known_device *d)
{
    while (d) {
        struct known_device *next = d->next;

        os_free(d);
        d = next;
    }
}

static int add_found(struct known_device **found, const char *class, const char *id)
{
    struct known_device *d = os_alloc(sizeof(*d));

    if (!d)
        return -XEN_ENOMEM;
    strcpy(d->class, class);
    strcpy(d->id, id);
    d->next = *found;
    *found = d;
    return 0;
}

/*
 * The devices of @class into *found. A class that is gone has none; any
 * other failure is returned, and the scan must not be taken for the truth.
 */
static int scan_class(struct xenbus_enumerator *e, const char *class, struct known_device **found)
{
    char path[sizeof("device/") + XENBUS_NAME_MAX];
    char **ids;
    unsigned int count;
    int rc = xenbus_path(path, sizeof(path), "device", class);

    if (rc == 0)
        rc = xs_directory(e->client, XS_TX_NONE, path, &ids, &count);
    if (rc == -XEN_ENOENT)
        return 0;
    if (rc)
        return rc;
    for (unsigned int i = 0; i < count && rc == 0; i++) {
        if (xenbus_name_valid(ids[i]))
            rc = add_found(found, class, ids[i]);
        else
            os_log(OS_LOG_WARN, "xenbus: skipping device %s/%s: not a valid id\n", class, ids[i]);
    }
    os_free(ids);
    return rc;
}

/* Everything under device/ now, or an error (nothing is known then). */
static int scan(struct xenbus_enumerator *e, struct known_device **found)
{
    char **classes;
    unsigned int count;
    int rc = xs_directory(e->client, XS_TX_NONE, "device", &classes, &count);

    *found = NULL;
    if (rc == -XEN_ENOENT)
        return 0;
    if (rc)
        return rc;
    for (unsigned int i = 0; i < count && rc == 0; i++) {
        if (xenbus_name_valid(classes[i]))
            rc = scan_class(e, classes[i], found);
        else
            os_log(OS_LOG_WARN, "xenbus: skipping device class %s: not a valid name\n", classes[i]);
    }
    os_free(classes);
    if (rc) {
        free_list(*found);
        *found = NULL;
    }
    return rc;
}

static struct known_device *find(struct xenbus_enumerator *e, const char *class, const char *id)
{
    for (struct known_device *d = e->devices; d; d = d->next)
        if (strcmp(d->class, class) == 0 && strcmp(d->id, id) == 0)
            return d;
    return NULL;
}

/*
 * Merge a scan into the known devices: the new ones join (listed in
 * *appeared), the unseen ones leave (listed in *gone, still allocated).
 * Takes @found. Context: passive, under the lock.
 */
static void merge(struct xenbus_enumerator *e, struct known_device *found,
                  struct known_device **appeared, struct known_device **gone)
{
    struct known_device **link;

    *appeared = *gone = NULL;
    while (found) {
        struct known_device *d = found, *known = find(e, d->class, d->id);

        found = d->next;
        if (known) {
            known->seen = true;
            os_free(d);
            continue;
        }
        d->seen = true;
        d->next = e->devices;
        e->devices = d;
        d->report_next = *appeared;
        *appeared = d;
    }
    for (link = &e->devices; *link;) {
        struct known_device *d = *link;

        if (d->seen) {
            d->seen = false;
            link = &d->next;
            continue;
        }
        *link = d->next;
        d->report_next = *gone;
        *gone = d;
    }
}

static void rescan(void *ctx, const char *path)
{
    struct xenbus_enumerator *e = ctx;
    struct known_device *found, *appeared, *gone;
    int rc = scan(e, &found);

    (void)path;
    if (rc) {
        /* Keep what we know: a failed list is not every device gone. */
        os_log(OS_LOG_WARN, "xenbus: cannot list devices (%d); keeping the last list\n", rc);
        return;
    }
    os_mutex_lock(&e->lock);
    merge(e, found, &appeared, &gone);
    os_mutex_unlock(&e->lock);
    /* Reported with no lock held: watch work runs one scan at a time. */
    for (struct known_device *d = appeared; d; d = d->report_next)
        e->fn(e->ctx, d->class, d->id, true);
    while (gone) {
        struct known_device *d = gone;

        gone = d->report_next;
        e->fn(e->ctx, d->class, d->id, false);
        os_free(d);
    }
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
    /*
     * The devices present now, reported before this returns: a bus driver
     * starting at boot reports them in its first BusRelations, which is
     * when Windows looks for its boot disk. The watch then reports changes.
     */
    rescan(e, "device");
    rc = xs_watch_add(client, "device", rescan, e, &e->watch);
    if (rc) {
        free_list(e->devices);
        os_free(e);
        return rc;
    }
    *out = e;
    return 0;
}

void xenbus_enumerator_stop(struct xenbus_enumerator *e)
{
    xs_watch_remove(e->client, e->watch);
    free_list(e->devices);
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
