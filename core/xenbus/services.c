/* core/xenbus/services.c - see services.h. */
#include "evtchn/evtchn.h"
#include "gnttab/gnttab.h"
#include "hv/shared_info.h"
#include "os.h"
#include "xenbus/services.h"

int xenbus_services_start(struct xenbus_services *s, unsigned int vcpus)
{
    struct evtchn_engine *evtchn = NULL;
    int rc;

    *s = (struct xenbus_services){0};
    rc = hv_shared_info_map(&s->shared);
    if (rc == 0)
        rc = evtchn_create(s->shared, vcpus, &evtchn);
    /* Published whole: upcalls may already be arriving. */
    __atomic_store_n(&s->evtchn, evtchn, __ATOMIC_RELEASE);
    if (rc == 0)
        rc = gnttab_create(NULL, &s->gnttab);
    if (rc == 0)
        rc = xenbus_store_connect(&s->store, s->evtchn);
    if (rc) {
        os_log(OS_LOG_ERROR, "xenbus: services failed to start (%d)\n", rc);
        xenbus_services_stop(s);
        return rc;
    }
    s->provider.store = s->store.client;
    s->provider.gnttab = s->gnttab;
    s->provider.evtchn = s->evtchn;
    return 0;
}

void xenbus_services_stop(struct xenbus_services *s)
{
    OS_ASSERT_CMP(xenbus_provider_references(&s->provider), ==, 0);
    xenbus_store_disconnect(&s->store);
    if (s->gnttab)
        gnttab_destroy(s->gnttab);
    if (s->evtchn) {
        struct evtchn_engine *evtchn = s->evtchn;

        __atomic_store_n(&s->evtchn, NULL, __ATOMIC_RELEASE);
        evtchn_destroy(evtchn);
    }
    if (s->shared)
        hv_shared_info_unmap(s->shared);
    *s = (struct xenbus_services){0};
}

void xenbus_services_upcall(struct xenbus_services *s, unsigned int vcpu)
{
    struct evtchn_engine *evtchn = __atomic_load_n(&s->evtchn, __ATOMIC_ACQUIRE);

    if (evtchn)
        evtchn_upcall(evtchn, vcpu);
}
