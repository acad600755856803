/*
 * core/log/log.c - os_log on top of each OS's os_vlog, and the sink
 * beside it (log/sink.h).
 */
#include "log/sink.h"
#include "os.h"

void os_log(enum os_log_level level, const char *fmt, ...)
{
    va_list args, again;

    va_start(args, fmt);
    va_copy(again, args);
    os_vlog(level, fmt, args);
    log_sink_emit(level, fmt, again);
    va_end(again);
    va_end(args);
}
