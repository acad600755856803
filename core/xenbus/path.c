/*
 * core/xenbus/path.c - xenbus_path (see node.h), alone in its file: it
 * makes no request, so drivers that reach xenstore only through the STORE
 * table (XENVBD) link it without the client.
 */
#include <string.h>

#include <xen/errno.h>
#include <xen/io/xs_wire.h>

#include "xenbus/node.h"

int xenbus_path(char *buf, size_t size, const char *dir, const char *name)
{
    size_t dir_len = strlen(dir);
    size_t name_len = name ? strlen(name) : 0;
    size_t total = dir_len + (name ? 1 + name_len : 0);

    if (total >= size || total > XENSTORE_ABS_PATH_MAX)
        return -XEN_ENAMETOOLONG;
    memcpy(buf, dir, dir_len);
    if (name) {
        buf[dir_len] = '/';
        memcpy(buf + dir_len + 1, name, name_len);
    }
    buf[total] = '\0';
    return 0;
}
