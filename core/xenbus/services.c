/* core/xenbus/services.c - see services.h. */
#include <xen/xen.h>

#include "balloon/balloon.h"
#include "evtchn/evtchn.h"
#include "gnttab/gnttab.h"
#include "hv/shared_info.h"
#include "os.h"
#include "xenbus/services.h"

/* The console, when the toolstack gave one: without it the guest runs on (logged). */
static void start_console(struct xenbus_services *s)
{
    int rc = xenbus_console_connect(&s->console, s->evtchn);

    if (rc == -XEN_ENODEV)
        os_log(OS_LOG_INFO, "xenbus: no PV console\n");
    else if (rc)
        os_log(OS_LOG_WARN, "xenbus: the PV console did not start (%d): running without\n", rc);
}

int xenbus_services_start(struct xenbus_services *s, unsigned int vcpus)
{
    struct evtchn_engine *evtchn = NULL;
    int rc;

    /* Field by field: the upcall may already look at evtchn (atomically). */
    __atomic_store_n(&s->evtchn, NULL, __ATOMIC_RELEASE);
    s->shared = NULL;
    s->gnttab = NULL;
    s->store = (struct xenbus_store){0};
    s->console = (struct xenbus_console){0};
    s->provider = (struct xenbus_provider){0};
    s->balloon = NULL;
    xenbus_suspend_callbacks_init(&s->suspend);
    if (vcpus > XEN_LEGACY_MAX_VCPUS) {
        /* Without VCPUOP_register_vcpu_info the others have no vcpu_info to signal. */
        os_log(OS_LOG_WARN, "xenbus: events on the first %u of %u vCPUs\n",
               (unsigned int)XEN_LEGACY_MAX_VCPUS, vcpus);
        vcpus = XEN_LEGACY_MAX_VCPUS;
    }
    rc = hv_shared_info_map(&s->shared);
    if (rc == 0)
        rc = evtchn_create(s->shared, vcpus, &evtchn);
    /* Published whole: upcalls may already be arriving. */
    __atomic_store_n(&s->evtchn, evtchn, __ATOMIC_RELEASE);
    if (rc == 0) {
        /* As early as it can be (it needs event channels): the rest of the start is in its log. */
        start_console(s);
        rc = gnttab_create(NULL, &s->gnttab);
    }
    if (rc == 0)
        rc = xenbus_store_connect(&s->store, s->evtchn);
    if (rc) {
        os_log(OS_LOG_ERROR, "xenbus: services failed to start (%d)\n", rc);
        xenbus_services_stop(s);
        return rc;
    }
    s->provider.console = s->console.page ? &s->console : NULL;
    s->provider.store = s->store.client;
    s->provider.gnttab = s->gnttab;
    s->provider.evtchn = s->evtchn;
    s->provider.suspend = &s->suspend;
    xenbus_services_transition(s, XENBUS_SERVICES_RUNNING);
    return 0;
}

void xenbus_services_stop(struct xenbus_services *s)
{
    OS_ASSERT_CMP(xenbus_provider_references(&s->provider), ==, 0);
    OS_ASSERT(s->balloon == NULL);
    OS_ASSERT(xenbus_suspend_callbacks_empty(&s->suspend));
    xenbus_services_transition(s, XENBUS_SERVICES_STOPPED);
    xenbus_console_disconnect(&s->console);
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
    s->shared = NULL;
    s->gnttab = NULL;
}

void xenbus_services_balloon_start(struct xenbus_services *s)
{
    OS_ASSERT(s->balloon == NULL && s->store.client != NULL);
    if (balloon_start(s->store.client, &s->balloon) != 0)
        s->balloon = NULL; /* logged */
}

void xenbus_services_balloon_stop(struct xenbus_services *s)
{
    if (s->balloon)
        balloon_stop(s->balloon);
    s->balloon = NULL;
}

void xenbus_services_upcall(struct xenbus_services *s, unsigned int vcpu)
{
    struct evtchn_engine *evtchn = __atomic_load_n(&s->evtchn, __ATOMIC_ACQUIRE);

    if (evtchn)
        evtchn_upcall(evtchn, vcpu);
}
