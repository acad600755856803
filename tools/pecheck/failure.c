#include "failure.h"

#include <stdarg.h>
#include <stdio.h>

bool fail(struct failure *why, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why->text, sizeof(why->text), fmt, ap);
    va_end(ap);
    return false;
}
