/* sim/hv/log.c - the daemon's log: one line per event on stderr (the run directory's log). */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "hv.h"

void hv_log(const char *fmt, ...)
{
    struct timespec ts;
    va_list args;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    fprintf(stderr, "[%5lld.%06ld] ", (long long)ts.tv_sec, ts.tv_nsec / 1000);
    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fputc('\n', stderr);
}
