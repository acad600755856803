/*
 * core/log/sink.h - one more place os_log's lines go, beside the OS's own
 * log (DbgPrint, stderr): XENBUS attaches the PV console here, so what the
 * drivers log shows in the toolstack's console log of the guest.
 *
 * Lines of OS_LOG_INFO and more severe go to the sink (or wait for one:
 * see log_sink_attach), formatted
 * (LOG_SINK_LINE_MAX bytes at most, cut beyond), each ending in one
 * newline. The sink is called from os_log's context, which may be any: it
 * must not wait, allocate nor take a lock it may already hold; os_log
 * called from inside the sink comes back to it (the sink must not loop on
 * that).
 */
#ifndef WINPV_CORE_LOG_SINK_H
#define WINPV_CORE_LOG_SINK_H

#include <stddef.h>

#include "os.h"

#define LOG_SINK_LINE_MAX    256
#define LOG_SINK_EARLY_BYTES 2048 /* of lines kept while no sink is attached */

typedef void (*log_sink_fn)(void *ctx, enum os_log_level level, const char *line, size_t len);

/*
 * Send lines to @fn(@ctx, ...) from now on; one sink at a time. First it
 * gets the lines logged while none was attached (the first
 * LOG_SINK_EARLY_BYTES of them, whole lines; as OS_LOG_INFO). Context:
 * passive.
 */
void log_sink_attach(log_sink_fn fn, void *ctx);

/* No more: once it returns the sink is not running and is not called again. Context: passive. */
void log_sink_detach(void);

/* Only os_log: hand the sink the line of @fmt. Context: any. */
void log_sink_emit(enum os_log_level level, const char *fmt, va_list args);

#endif /* WINPV_CORE_LOG_SINK_H */
