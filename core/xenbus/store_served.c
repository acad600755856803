/*
 * core/xenbus/store_served.c - winpv/store_interface.h served from the
 * xenstore client. Each function takes the provider as its context and
 * forwards to core/xenstore/client.h.
 */
#include <stddef.h>

#include <xen/errno.h>

#include "os.h"
#include "winpv/store_interface.h"
#include "xenbus/provider.h"
#include "xenstore/client.h"

_Static_assert(sizeof(struct winpv_store_perm) == sizeof(struct xs_perm) &&
                   offsetof(struct winpv_store_perm, access) == offsetof(struct xs_perm, access),
               "a permission array crosses the interface as it is");

static struct xs_client *client(void *context)
{
    return ((struct xenbus_provider *)context)->store;
}

static void store_free(void *context, void *p)
{
    (void)context;
    os_free(p);
}

static int store_read(void *context, uint32_t tx, const char *path, char **value, size_t *len)
{
    return xs_read(client(context), tx, path, value, len);
}

static int store_write(void *context, uint32_t tx, const char *path, const void *value, size_t len)
{
    return xs_write(client(context), tx, path, value, len);
}

static int store_mkdir(void *context, uint32_t tx, const char *path)
{
    return xs_mkdir(client(context), tx, path);
}

static int store_rm(void *context, uint32_t tx, const char *path)
{
    return xs_rm(client(context), tx, path);
}

static int store_directory(void *context, uint32_t tx, const char *path, char ***names,
                           unsigned int *count)
{
    return xs_directory(client(context), tx, path, names, count);
}

static int store_get_perms(void *context, uint32_t tx, const char *path,
                           struct winpv_store_perm **perms, unsigned int *count)
{
    return xs_get_perms(client(context), tx, path, (struct xs_perm **)perms, count);
}

static int store_set_perms(void *context, uint32_t tx, const char *path,
                           const struct winpv_store_perm *perms, unsigned int count)
{
    return xs_set_perms(client(context), tx, path, (const struct xs_perm *)perms, count);
}

static int store_tx_start(void *context, uint32_t *tx)
{
    return xs_tx_start(client(context), tx);
}

static int store_tx_end(void *context, uint32_t tx, bool commit)
{
    return xs_tx_end(client(context), tx, commit);
}

static int store_watch_add(void *context, const char *path, void (*fn)(void *ctx, const char *path),
                           void *ctx, struct winpv_store_watch **watch)
{
    return xs_watch_add(client(context), path, fn, ctx, (struct xs_watch **)watch);
}

static void store_watch_remove(void *context, struct winpv_store_watch *watch)
{
    xs_watch_remove(client(context), (struct xs_watch *)watch);
}

static void fill(struct xenbus_provider *provider, uint16_t version,
                 struct winpv_interface_header *table)
{
    struct winpv_store_interface_v1 *v1 = (struct winpv_store_interface_v1 *)table;

    (void)provider;
    (void)version;
    v1->free = store_free;
    v1->read = store_read;
    v1->write = store_write;
    v1->mkdir = store_mkdir;
    v1->rm = store_rm;
    v1->directory = store_directory;
    v1->get_perms = store_get_perms;
    v1->set_perms = store_set_perms;
    v1->tx_start = store_tx_start;
    v1->tx_end = store_tx_end;
    v1->watch_add = store_watch_add;
    v1->watch_remove = store_watch_remove;
}

const struct xenbus_served_interface xenbus_store_served = {
    .guid = WINPV_STORE_INTERFACE_GUID,
    .version_min = WINPV_STORE_INTERFACE_VERSION_MIN,
    .version_max = WINPV_STORE_INTERFACE_VERSION_MAX,
    .table_sizes = (const uint16_t[]){sizeof(struct winpv_store_interface_v1)},
    .service_offset = offsetof(struct xenbus_provider, store),
    .fill = fill,
};
