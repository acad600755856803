/* tests/xsclient/store_glue.c - see store_glue.h. */
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include <xen/event_channel.h>
#include <xen/hvm/params.h>

#include "hv/hv.h"
#include "os.h"
#include "os_posix.h"
#include "store_glue.h"

static struct {
    struct xenstore_domain_interface *intf;
    struct evtchn_send send;
    pthread_t thread;
    atomic_bool stop;
} glue;

static void notify(void *ctx)
{
    struct evtchn_send send = *(const struct evtchn_send *)ctx;

    hv_evtchn_op(EVTCHNOP_send, &send);
}

/* What the store port's callback will do, every millisecond. */
static void *events_main(void *arg)
{
    struct xs_client *client = arg;

    while (!atomic_load(&glue.stop)) {
        os_posix_dispatch_enter();
        xs_client_on_event(client);
        os_posix_dispatch_leave();
        usleep(1000);
    }
    return NULL;
}

int store_glue_connect(struct xs_client **client)
{
    struct xs_transport transport;
    uint64_t gfn, port;
    int rc;

    if (hv_get_param(HVM_PARAM_STORE_PFN, &gfn) || hv_get_param(HVM_PARAM_STORE_EVTCHN, &port))
        return -XEN_EIO;
    glue.intf = os_posix_gfn_to_va(gfn);
    if (glue.intf == NULL)
        return -XEN_EFAULT;
    glue.send.port = (evtchn_port_t)port;
    transport = (struct xs_transport){.intf = glue.intf, .notify = notify, .ctx = &glue.send};
    rc = xs_client_create(&transport, client);
    if (rc)
        return rc;
    atomic_store(&glue.stop, false);
    if (pthread_create(&glue.thread, NULL, events_main, *client) != 0) {
        xs_client_destroy(*client);
        return -XEN_ENOMEM;
    }
    return 0;
}

void store_glue_disconnect(struct xs_client *client)
{
    atomic_store(&glue.stop, true);
    pthread_join(glue.thread, NULL);
    xs_client_destroy(client);
}

struct xenstore_domain_interface *store_glue_page(void)
{
    return glue.intf;
}
