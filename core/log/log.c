/*
 * core/log/log.c - os_log on top of each OS's os_vlog.
 */
#include "os.h"

void os_log(enum os_log_level level, const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    os_vlog(level, fmt, args);
    va_end(args);
}
