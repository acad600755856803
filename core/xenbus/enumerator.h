/*
 * core/xenbus/enumerator.h - the PV devices of this guest, kept up to date.
 *
 * The toolstack creates a frontend directory device/<class>/<id> for each
 * PV device it gives the guest and removes it when the device goes. The
 * enumerator watches device/, lists it again on every change, and reports
 * each device that appeared or disappeared since the last list, exactly
 * once. A list that fails part-way (xenstore unreachable, a timeout)
 * changes nothing: only a device whose directory is gone is gone. Names
 * that are not valid (xenbus_name_valid) are skipped with a
 * log line: they cannot be a device.
 *
 * Context: every function is "passive". The callback runs in passive
 * context on the xenstore client's watch work, one call at a time, and may
 * make requests.
 */
#ifndef WINPV_CORE_XENBUS_ENUMERATOR_H
#define WINPV_CORE_XENBUS_ENUMERATOR_H

#include <stdbool.h>

#include "xenstore/client.h"

struct xenbus_enumerator;

/* Device @class/@id appeared (@present) or disappeared. */
typedef void (*xenbus_device_fn)(void *ctx, const char *class, const char *id, bool present);

/*
 * Report the devices present now, before this returns, then start
 * watching for changes (the callback gets @ctx, not the enumerator).
 */
int xenbus_enumerator_start(struct xs_client *client, xenbus_device_fn fn, void *ctx,
                            struct xenbus_enumerator **out);

/*
 * Stop watching and free. Devices still present are not reported as gone:
 * their owners are being stopped anyway.
 */
void xenbus_enumerator_stop(struct xenbus_enumerator *enumerator);

/* How many devices are known now. */
unsigned int xenbus_enumerator_count(struct xenbus_enumerator *enumerator);

#endif /* WINPV_CORE_XENBUS_ENUMERATOR_H */
