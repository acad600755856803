/*
 * core/xenbus/suspend_callbacks.h - the callbacks child drivers register
 * through the SUSPEND interface (include/winpv/suspend_interface.h, which
 * says what each phase means), and the count of restores.
 *
 * Locking: a mutex guards the list; it is not held while a callback runs
 * (children's callbacks run at passive level proper). A deregistration
 * waits while its callback runs, so a callback may not deregister itself.
 * A callback registered while a phase runs waits for the next suspend.
 */
#ifndef WINPV_CORE_XENBUS_SUSPEND_CALLBACKS_H
#define WINPV_CORE_XENBUS_SUSPEND_CALLBACKS_H

#include <stdbool.h>
#include <stdint.h>

#include "os.h"

typedef void (*xenbus_suspend_early_fn)(void *arg);
typedef void (*xenbus_suspend_late_fn)(void *arg, bool cancelled);

struct xenbus_suspend_callback;

struct xenbus_suspend_callbacks {
    struct os_mutex lock;
    struct xenbus_suspend_callback *first, *last; /* lock: in the order registered */
    uint32_t pass;                                /* lock: phases run so far */
    struct xenbus_suspend_callback *running;      /* lock: whose callback runs */
    uintptr_t runner;                             /* lock: the thread running it */
    struct os_event idle;                         /* set when a callback returns */
    volatile uint32_t resumes;                    /* restores as a new domain */
};

/* An empty list. Context: passive. */
void xenbus_suspend_callbacks_init(struct xenbus_suspend_callbacks *cbs);

/* Whether no callback is registered. Context: passive. */
bool xenbus_suspend_callbacks_empty(struct xenbus_suspend_callbacks *cbs);

/*
 * Register @early (or @late: exactly one of them) with @arg. Returns 0 and
 * the registration in *out, or -XEN_ENOMEM. Context: passive.
 */
int xenbus_suspend_callbacks_add(struct xenbus_suspend_callbacks *cbs,
                                 xenbus_suspend_early_fn early, xenbus_suspend_late_fn late,
                                 void *arg, struct xenbus_suspend_callback **out);

/* Deregister and free @cb; it is not running when this returns. Context: passive. */
void xenbus_suspend_callbacks_remove(struct xenbus_suspend_callbacks *cbs,
                                     struct xenbus_suspend_callback *cb);

/* Run the early callbacks, in order. Context: passive. */
void xenbus_suspend_callbacks_early(struct xenbus_suspend_callbacks *cbs);

/*
 * Count a restore (unless @cancelled), then run the late callbacks, in
 * order, telling them @cancelled. Context: passive.
 */
void xenbus_suspend_callbacks_late(struct xenbus_suspend_callbacks *cbs, bool cancelled);

/* Restores as a new domain so far. Context: any. */
uint32_t xenbus_suspend_callbacks_resumes(const struct xenbus_suspend_callbacks *cbs);

#endif /* WINPV_CORE_XENBUS_SUSPEND_CALLBACKS_H */
