/* tests/xsclient/store_glue.c - see store_glue.h. */

#include <xen/errno.h>

#include "evtchn/evtchn.h"
#include "guest.h"
#include "hv/shared_info.h"
#include "store_glue.h"
#include "xenbus/store.h"

static struct hv_shared_info *shared;
static struct evtchn_engine *engine;
static struct xenbus_store store;

/* winpv-simd's upcall thread: what the upcall DPC does on Windows. */
static void on_upcall(void *ctx, unsigned int vcpu)
{
    evtchn_upcall(ctx, vcpu);
}

int store_glue_start_events(void)
{
    int rc = hv_shared_info_map(&shared);

    if (rc == 0)
        rc = evtchn_create(shared, 2, &engine);
    if (rc) {
        store_glue_stop_events();
        return rc;
    }
    sim_guest_set_upcall(on_upcall, engine);
    return 0;
}

void store_glue_stop_events(void)
{
    /* Returns once the upcall thread no longer runs the old handler. */
    sim_guest_set_upcall(NULL, NULL);
    if (engine)
        evtchn_destroy(engine);
    engine = NULL;
    if (shared)
        hv_shared_info_unmap(shared);
    shared = NULL;
}

struct evtchn_engine *store_glue_engine(void)
{
    return engine;
}

int store_glue_connect(struct xs_client **client)
{
    int rc = xenbus_store_connect(&store, engine);

    if (rc == 0)
        *client = store.client;
    return rc;
}

void store_glue_disconnect(struct xs_client *client)
{
    (void)client;
    xenbus_store_disconnect(&store);
}

struct xenstore_domain_interface *store_glue_page(void)
{
    return store.page;
}
