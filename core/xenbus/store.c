/* core/xenbus/store.c - see store.h. */
#include <xen/errno.h>
#include <xen/hvm/params.h>

#include "evtchn/evtchn.h"
#include "os.h"
#include "xenbus/store.h"
#include "xenbus/toolstack_ring.h"
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

int xenbus_store_connect(struct xenbus_store *store, struct evtchn_engine *evtchn)
{
    struct evtchn_bind bind;
    struct xs_transport transport = {.notify = store_notify, .ctx = store};
    struct xs_client *client;
    int rc;

    *store = (struct xenbus_store){0};
    rc = xenbus_toolstack_ring(HVM_PARAM_STORE_PFN, HVM_PARAM_STORE_EVTCHN, &store->gfn, &bind);
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

int xenbus_store_resume(struct xenbus_store *store, bool restored)
{
    struct evtchn_bind bind;
    void *old = NULL;
    uint64_t gfn;
    int rc = 0, watches;

    if (!restored)
        return xs_client_resume(store->client, NULL);
    rc = xenbus_toolstack_ring(HVM_PARAM_STORE_PFN, HVM_PARAM_STORE_EVTCHN, &gfn, &bind);
    if (rc == 0)
        rc = xenbus_toolstack_page_move(&store->page, &store->gfn, gfn, &old);
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
