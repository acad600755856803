/*
 * tests/vbd/front/fake_services_xenbus.c - one device, whose backend is the
 * test's; see fake_services.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <xen/io/xenbus.h>

#include "fake_services.h"
#include "os_posix.h"

static struct fake_xenbus *device_of(void *context, struct winpv_xenbus_device *dev)
{
    struct fake_xenbus *fx = context;

    if ((void *)dev != (void *)fx || !fx->open)
        fake_violation("xenbus: a device that is not open");
    return fx;
}

static int xenbus_open(void *context, const char *class, const char *id,
                       void (*fn)(void *ctx, uint32_t state), void *ctx,
                       struct winpv_xenbus_device **dev)
{
    struct fake_xenbus *fx = context;

    os_posix_require_passive(__func__);
    if (strcmp(class, fx->class) != 0 || strcmp(id, fx->id) != 0)
        return -XEN_ENOENT;
    pthread_mutex_lock(&fx->lock);
    if (fx->open)
        fake_violation("xenbus: %s/%s opened twice", class, id);
    fx->open = true;
    fx->changed = fn;
    fx->changed_ctx = ctx;
    pthread_mutex_unlock(&fx->lock);
    *dev = (struct winpv_xenbus_device *)(void *)fx;
    return 0;
}

static void xenbus_close(void *context, struct winpv_xenbus_device *dev)
{
    struct fake_xenbus *fx = device_of(context, dev);

    os_posix_require_passive(__func__);
    pthread_mutex_lock(&fx->lock);
    fx->open = false;
    fx->changed = NULL;
    pthread_mutex_unlock(&fx->lock);
}

static const char *xenbus_nodename(void *context, struct winpv_xenbus_device *dev)
{
    os_posix_require_passive(__func__);
    return device_of(context, dev)->nodename;
}

static const char *xenbus_otherend(void *context, struct winpv_xenbus_device *dev)
{
    os_posix_require_passive(__func__);
    return device_of(context, dev)->otherend;
}

static uint32_t xenbus_otherend_id(void *context, struct winpv_xenbus_device *dev)
{
    os_posix_require_passive(__func__);
    device_of(context, dev);
    return 0;
}

static int xenbus_switch_state(void *context, struct winpv_xenbus_device *dev, uint32_t state)
{
    struct fake_xenbus *fx = device_of(context, dev);

    os_posix_require_passive(__func__);
    if (state > XenbusStateReconfigured)
        fake_violation("xenbus: state %u", state);
    fake_store_write_number(fx->store, fx->nodename, "state", state);
    pthread_mutex_lock(&fx->lock);
    fx->front_state = state;
    pthread_mutex_unlock(&fx->lock);
    fx->backend(fx->backend_ctx, state);
    return 0;
}

static uint32_t xenbus_otherend_state(void *context, struct winpv_xenbus_device *dev)
{
    struct fake_xenbus *fx = device_of(context, dev);
    uint32_t state;

    os_posix_require_passive(__func__);
    pthread_mutex_lock(&fx->lock);
    state = fx->back_state;
    pthread_mutex_unlock(&fx->lock);
    return state;
}

static int xenbus_wait_for_otherend(void *context, struct winpv_xenbus_device *dev, uint32_t mask,
                                    uint64_t timeout_ns, uint32_t *state)
{
    struct fake_xenbus *fx = device_of(context, dev);
    uint64_t at = os_time_ns() + timeout_ns;
    struct timespec deadline = {.tv_sec = (time_t)(at / 1000000000u),
                                .tv_nsec = (long)(at % 1000000000u)};
    int rc = 0;

    os_posix_require_passive(__func__);
    pthread_mutex_lock(&fx->lock);
    while (!(mask & (1u << fx->back_state)) && rc == 0)
        rc = pthread_cond_timedwait(&fx->changed_cond, &fx->lock, &deadline);
    *state = fx->back_state;
    rc = mask & (1u << fx->back_state) ? 0 : -XEN_ETIMEDOUT;
    pthread_mutex_unlock(&fx->lock);
    return rc;
}

/* As XENBUS: the error node, then Closing. */
static void xenbus_fail(void *context, struct winpv_xenbus_device *dev, int err,
                        const char *message)
{
    struct fake_xenbus *fx = device_of(context, dev);
    char path[128], text[160];

    os_posix_require_passive(__func__);
    if (err >= 0 || !message)
        fake_violation("xenbus: fail(%d, %s)", err, message ? message : "(null)");
    pthread_mutex_lock(&fx->lock);
    fx->fails++;
    fx->fail_err = err;
    snprintf(fx->fail_message, sizeof(fx->fail_message), "%s", message);
    pthread_mutex_unlock(&fx->lock);
    snprintf(path, sizeof(path), "error/%s/error", fx->nodename);
    snprintf(text, sizeof(text), "%d %s", -err, message);
    fake_store_write(fx->store, path, text);
    xenbus_switch_state(context, dev, XenbusStateClosing);
}

void fake_xenbus_set_backend_state(struct fake_xenbus *fx, uint32_t state)
{
    fake_store_write_number(fx->store, fx->otherend, "state", state);
    pthread_mutex_lock(&fx->lock);
    fx->back_state = state;
    pthread_cond_broadcast(&fx->changed_cond);
    pthread_mutex_unlock(&fx->lock);
}

void fake_xenbus_backend_changed(struct fake_xenbus *fx, uint32_t state)
{
    void (*fn)(void *ctx, uint32_t state);
    void *ctx;

    os_posix_require_passive(__func__);
    fake_xenbus_set_backend_state(fx, state);
    pthread_mutex_lock(&fx->lock);
    fn = fx->open ? fx->changed : NULL;
    ctx = fx->changed_ctx;
    pthread_mutex_unlock(&fx->lock);
    if (fn)
        fn(ctx, state);
}

void fake_xenbus_init(struct fake_xenbus *fx, struct fake_store *store, const char *class,
                      const char *id)
{
    char path[128];
    pthread_condattr_t attr;

    pthread_mutex_init(&fx->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&fx->changed_cond, &attr);
    pthread_condattr_destroy(&attr);
    fx->store = store;
    snprintf(fx->class, sizeof(fx->class), "%s", class);
    snprintf(fx->id, sizeof(fx->id), "%s", id);
    snprintf(fx->nodename, sizeof(fx->nodename), "device/%s/%s", class, id);
    snprintf(fx->otherend, sizeof(fx->otherend), "/local/domain/0/backend/%s/1/%s", class, id);
    fake_store_write(store, fx->nodename, "");
    fake_store_write_number(store, fx->nodename, "backend-id", 0);
    fake_join_path(path, sizeof(path), fx->nodename, "backend");
    fake_store_write(store, path, fx->otherend);
    fx->table = (struct winpv_xenbus_interface_v1){
        .header = fake_header(sizeof(fx->table), fx),
        .open = xenbus_open,
        .close = xenbus_close,
        .nodename = xenbus_nodename,
        .otherend = xenbus_otherend,
        .otherend_id = xenbus_otherend_id,
        .switch_state = xenbus_switch_state,
        .otherend_state = xenbus_otherend_state,
        .wait_for_otherend = xenbus_wait_for_otherend,
        .fail = xenbus_fail,
    };
}
