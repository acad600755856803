/*
 * tests/vbd/front/fake_services.c - what the four fakes share, and the four
 * set up and checked together; see fake_services.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_services.h"

void fake_violation(const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    fprintf(stderr, "violation: ");
    vfprintf(stderr, fmt, args);
    fprintf(stderr, "\n");
    va_end(args);
    abort();
}

void *fake_alloc(size_t size)
{
    void *p = calloc(1, size ? size : 1);

    if (!p)
        fake_violation("out of memory");
    return p;
}

static void no_reference(void *context)
{
    (void)context;
}

struct winpv_interface_header fake_header(uint16_t size, void *context)
{
    return (struct winpv_interface_header){.size = size,
                                           .version = 1,
                                           .context = context,
                                           .reference = no_reference,
                                           .dereference = no_reference};
}

void fake_join_path(char *buf, size_t size, const char *dir, const char *name)
{
    if ((size_t)snprintf(buf, size, "%s/%s", dir, name) >= size)
        fake_violation("store: path %s/%s too long", dir, name);
}

/* -- all four ------------------------------------------------------------- */

void fake_services_init(struct fake_services *fx, const char *class, const char *id,
                        void (*backend)(void *ctx, uint32_t front_state), void *backend_ctx)
{
    memset(fx, 0, sizeof(*fx));
    fake_store_init(&fx->store);
    fake_xenbus_init(&fx->xenbus, &fx->store, class, id);
    fx->xenbus.backend = backend;
    fx->xenbus.backend_ctx = backend_ctx;
    fake_gnttab_init(&fx->gnttab);
    fake_evtchn_init(&fx->evtchn);
    fx->svc = (struct vbd_front_services){.store = &fx->store.table,
                                          .xenbus = &fx->xenbus.table,
                                          .gnttab = &fx->gnttab.table,
                                          .evtchn = &fx->evtchn.table};
}

void fake_services_destroy(struct fake_services *fx)
{
    fake_gnttab_destroy(&fx->gnttab);
    if (fx->evtchn.open)
        fake_violation("evtchn: %u channel(s) left open", fx->evtchn.open);
    if (fx->xenbus.open)
        fake_violation("xenbus: the device was left open");
    fake_store_destroy(&fx->store);
}
