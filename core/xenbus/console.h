/*
 * core/xenbus/console.h - the guest's PV console as XENBUS runs it: the
 * toolstack's page (HVM_PARAM_CONSOLE_PFN) mapped, its port
 * (HVM_PARAM_CONSOLE_EVTCHN) adopted as an event channel whose callback
 * feeds the ring engine (core/console), which is the log sink
 * (core/log/sink.h) while connected: what the drivers log shows in the
 * toolstack's log of the guest's console. One child driver at a time reads
 * the console's input, by lines.
 *
 * Across a suspend the console keeps its page; after a restore as a new
 * domain the toolstack's page and port are read again, the port adopted by
 * the same channel.
 */
#ifndef WINPV_CORE_XENBUS_CONSOLE_H
#define WINPV_CORE_XENBUS_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

#include "console/console.h"

struct evtchn_engine;
struct evtchn_channel;

struct xenbus_console {
    struct console console;
    void *page;   /* mapped; NULL: not connected */
    uint64_t gfn; /* where it is */
    struct evtchn_channel *channel;
    volatile uint32_t reader; /* 1 while a child reads input */
};

/*
 * Connect through @evtchn's engine and become the log sink. Returns 0;
 * -XEN_ENODEV when the toolstack gave this guest no console; else the
 * failure, with nothing left open. Context: passive.
 */
int xenbus_console_connect(struct xenbus_console *xc, struct evtchn_engine *evtchn);

/* Undo connect (any part of it); no reader may be left. Context: passive. */
void xenbus_console_disconnect(struct xenbus_console *xc);

/* Around a suspend (see above); no-ops when not connected. Context: passive. */
void xenbus_console_suspend(struct xenbus_console *xc);
int xenbus_console_resume(struct xenbus_console *xc, bool restored);

/*
 * The reader of input lines: -XEN_EBUSY when another one reads. Its @fn
 * runs in dispatch context (console_set_input). Remove returns once @fn is
 * not running. Context: any.
 */
int xenbus_console_reader_add(struct xenbus_console *xc, console_line_fn fn, void *arg);
void xenbus_console_reader_remove(struct xenbus_console *xc);

#endif /* WINPV_CORE_XENBUS_CONSOLE_H */
