/* core/xenbus/names.c - see names.h. */
#include "xenbus/device.h"
#include "xenbus/names.h"

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

bool xenbus_name_valid(const char *name)
{
    unsigned int n = 0;

    for (; name[n]; n++)
        if (n >= XENBUS_NAME_MAX || !name_char(name[n]))
            return false;
    return n > 0;
}
