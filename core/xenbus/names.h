/*
 * core/xenbus/names.h - what a device class or id may be: a name the
 * other end wrote, used to build paths, so it is checked before use.
 * Context: any.
 */
#ifndef WINPV_CORE_XENBUS_NAMES_H
#define WINPV_CORE_XENBUS_NAMES_H

#include <stdbool.h>

/*
 * 1..XENBUS_NAME_MAX characters of letters, digits, '-' and '_' (no '/',
 * no '.', no '@'), as Xen's toolstack names classes and ids.
 */
bool xenbus_name_valid(const char *name);

#endif /* WINPV_CORE_XENBUS_NAMES_H */
