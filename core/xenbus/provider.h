/*
 * core/xenbus/provider.h - XENBUS's side of include/winpv: filling the
 * function table a child driver asks for, and counting the references the
 * children hold.
 *
 * Context: xenbus_query_interface and the reference functions are "any"
 * (a QUERY_INTERFACE request may come at DISPATCH_LEVEL); the functions in
 * the tables say their own.
 */
#ifndef WINPV_CORE_XENBUS_PROVIDER_H
#define WINPV_CORE_XENBUS_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#include "winpv/interface.h"

struct xs_client;
struct gnttab;
struct evtchn_engine;
struct xenbus_suspend_callbacks;
struct xenbus_console;

/* The services XENBUS runs (NULL: not running), and the references children hold. */
struct xenbus_provider {
    struct xs_client *store;
    struct gnttab *gnttab;
    struct evtchn_engine *evtchn;
    struct xenbus_suspend_callbacks *suspend;
    struct xenbus_console *console;
    volatile uint32_t references;
};

/*
 * Fill @table (@size bytes, as the consumer allocated it) with version
 * @version of interface @guid, and take a reference for the consumer.
 * Returns 0; -XEN_ENOENT for an interface not served (or whose service is
 * not running); -XEN_EOPNOTSUPP for a version not served; -XEN_EINVAL
 * when @size is smaller than that version's table.
 */
int xenbus_query_interface(struct xenbus_provider *provider, const struct winpv_guid *guid,
                           uint16_t version, struct winpv_interface_header *table, uint16_t size);

/* References held by consumers now (XENBUS may stop only at zero). */
uint32_t xenbus_provider_references(const struct xenbus_provider *provider);

/* -- what each interface's file provides to provider.c -- */

/* Fill the table of @version (already checked against the range). */
typedef void (*xenbus_fill_fn)(struct xenbus_provider *provider, uint16_t version,
                               struct winpv_interface_header *table);

struct xenbus_served_interface {
    struct winpv_guid guid;
    uint16_t version_min, version_max;
    const uint16_t *table_sizes; /* bytes of each version's table, from version_min */
    size_t service_offset;       /* of the service's pointer in struct xenbus_provider */
    xenbus_fill_fn fill;
};

extern const struct xenbus_served_interface xenbus_store_served;
extern const struct xenbus_served_interface xenbus_device_served;
extern const struct xenbus_served_interface xenbus_gnttab_served;
extern const struct xenbus_served_interface xenbus_evtchn_served;
extern const struct xenbus_served_interface xenbus_suspend_served;
extern const struct xenbus_served_interface xenbus_console_served;

#endif /* WINPV_CORE_XENBUS_PROVIDER_H */
