/* core/xenbus/store.c - see store.h. */
#include <xen/errno.h>
#include <xen/hvm/params.h>

#include "evtchn/evtchn.h"
#include "hv/hv.h"
#include "os.h"
#include "xenbus/store.h"
#include "xenstore/client.h"

/* The store port's callback: replies and watch events are on the ring. */
static void store_event(void *ctx, unsigned int vcpu)
{
    struct xenbus_store *store = ctx;
    /* Set once the client exists; an event before that finds nothing to read. */
    struct xs_client *client = __atomic_load_n(&store->client, __ATOMIC_ACQUIRE);

    (void)vcpu;
    if (client)
        xs_client_on_event(client);
}

static void store_notify(void *ctx)
{
    struct xenbus_store *store = ctx;

    evtchn_notify(store->channel);
}

/* The toolstack's ring page and port, from the HVM parameters: -XEN_ENODEV when there are none. */
static int toolstack_store(uint64_t *gfn, struct evtchn_bind *bind)
{
    uint64_t port = 0;
    int rc = hv_get_param(HVM_PARAM_STORE_PFN, gfn);

    if (rc == 0)
        rc = hv_get_param(HVM_PARAM_STORE_EVTCHN, &port);
    if (rc == 0 && (*gfn == 0 || port == 0 || port > UINT32_MAX))
        rc = -XEN_ENODEV;
    *bind = (struct evtchn_bind){.kind = EVTCHN_ADOPTED, .port = (uint32_t)port};
    return rc;
}

int xenbus_store_connect(struct xenbus_store *store, struct evtchn_engine *evtchn)
{
    struct evtchn_bind bind;
    struct xs_transport transport = {.notify = store_notify, .ctx = store};
    struct xs_client *client;
    int rc;

    *store = (struct xenbus_store){0};
    rc = toolstack_store(&store->gfn, &bind);
    if (rc == 0) {
        store->page = os_map_gfn(store->gfn);
        rc = store->page ? 0 : -XEN_EFAULT;
    }
    if (rc == 0)
        rc = evtchn_open(evtchn, &bind, store_event, store, &store->channel);
    if (rc == 0) {
        transport.intf = store->page;
        rc = xs_client_create(&transport, &client);
    }
    if (rc) {
        xenbus_store_disconnect(store);
        return rc;
    }
    __atomic_store_n(&store->client, client, __ATOMIC_RELEASE);
    /* What the daemon wrote before the channel was ours. */
    xs_client_on_event(client);
    return 0;
}

void xenbus_store_disconnect(struct xenbus_store *store)
{
    /*
     * The client stops notifying first (a request under way would signal
     * through the channel), then the channel goes (no callback reaches the
     * client after that), then the client.
     */
    if (store->client)
        xs_client_shutdown(store->client);
    if (store->channel)
        evtchn_close(store->channel);
    if (store->client)
        xs_client_destroy(store->client);
    if (store->page)
        os_unmap_gfn(store->page);
    *store = (struct xenbus_store){0};
}

int xenbus_store_suspend(struct xenbus_store *store)
{
    return xs_client_suspend(store->client);
}

/* The page at @gfn mapped in place of the one there was (*old, to unmap once the client moved). */
static int move_page(struct xenbus_store *store, uint64_t gfn, void **old)
{
    void *page;

    *old = NULL;
    if (gfn == store->gfn)
        return 0;
    page = os_map_gfn(gfn);
    if (page == NULL)
        return -XEN_EFAULT;
    *old = store->page;
    store->page = page;
    store->gfn = gfn;
    return 0;
}

int xenbus_store_resume(struct xenbus_store *store, bool restored)
{
    struct evtchn_bind bind;
    void *old = NULL;
    uint64_t gfn;
    int rc = 0, watches;

    if (!restored)
        return xs_client_resume(store->client, NULL);
    rc = toolstack_store(&gfn, &bind);
    if (rc == 0)
        rc = move_page(store, gfn, &old);
    if (rc == 0)
        rc = evtchn_reconnect(store->channel, &bind);
    if (rc)
        os_log(OS_LOG_ERROR, "xenbus: the store after restore: %d\n", rc);
    watches = xs_client_resume(store->client, store->page);
    if (old)
        os_unmap_gfn(old);
    /* What the daemon wrote before the channel was ours again. */
    xs_client_on_event(store->client);
    return rc ? rc : watches;
}
