/* tests/support/xenstore/store_glue.c - see store_glue.h. */

#include <xen/errno.h>

#include "evtchn/evtchn.h"
#include "guest.h"
#include "hv/shared_info.h"
#include "support/sim/guest_events.h"
#include "store_glue.h"
#include "xenbus/store.h"

static struct guest_events events;
static struct xenbus_store store;

int store_glue_start_events(void)
{
    return guest_events_start(&events, 2);
}

void store_glue_stop_events(void)
{
    guest_events_stop(&events);
}

struct evtchn_engine *store_glue_engine(void)
{
    return events.engine;
}

int store_glue_connect(struct xs_client **client)
{
    int rc = xenbus_store_connect(&store, events.engine);

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
