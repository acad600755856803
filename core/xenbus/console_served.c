/*
 * core/xenbus/console_served.c - winpv/console_interface.h served from
 * the services' console (xenbus/console.h).
 */
#include <stddef.h>

#include "console/console.h"
#include "winpv/console_interface.h"
#include "xenbus/console.h"
#include "xenbus/provider.h"

/* The line the interface promises is the one the engine assembles. */
_Static_assert(WINPV_CONSOLE_LINE_MAX == CONSOLE_LINE_MAX, "console line length");

static struct xenbus_console *console(void *context)
{
    return ((struct xenbus_provider *)context)->console;
}

static size_t co_write(void *context, const void *data, size_t len)
{
    return console_write(&console(context)->console, data, len);
}

static int co_write_wait(void *context, const void *data, size_t len, uint64_t timeout_ns)
{
    return console_write_wait(&console(context)->console, data, len, timeout_ns);
}

static int co_reader_add(void *context,
                         void (*fn)(void *arg, const char *line, size_t len, bool cut), void *arg)
{
    return xenbus_console_reader_add(console(context), fn, arg);
}

static void co_reader_remove(void *context)
{
    xenbus_console_reader_remove(console(context));
}

static void fill(struct xenbus_provider *provider, uint16_t version,
                 struct winpv_interface_header *header)
{
    struct winpv_console_interface_v1 *v1 = (struct winpv_console_interface_v1 *)header;

    (void)provider;
    (void)version;
    v1->write = co_write;
    v1->write_wait = co_write_wait;
    v1->reader_add = co_reader_add;
    v1->reader_remove = co_reader_remove;
}

const struct xenbus_served_interface xenbus_console_served = {
    .guid = WINPV_CONSOLE_INTERFACE_GUID,
    .version_min = WINPV_CONSOLE_INTERFACE_VERSION_MIN,
    .version_max = WINPV_CONSOLE_INTERFACE_VERSION_MAX,
    .table_sizes = (const uint16_t[]){sizeof(struct winpv_console_interface_v1)},
    .service_offset = offsetof(struct xenbus_provider, console),
    .fill = fill,
};
