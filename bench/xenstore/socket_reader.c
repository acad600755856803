/* bench/xenstore/socket_reader.c - see socket_reader.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "socket_reader.h"

static struct xs_handle *xsh;

bool socket_reader_open(void)
{
    xsh = xs_open(0);
    if (xsh == NULL)
        fprintf(stderr, "xenstore-bench: xs_open: %s\n", strerror(errno));
    return xsh != NULL;
}

void socket_reader_close(void)
{
    if (xsh)
        xs_close(xsh);
    xsh = NULL;
}

bool socket_reader_publish(const char *path, const void *value, unsigned int len, uint32_t reader)
{
    struct xs_permissions perms[] = {
        {.id = 0, .perms = XS_PERM_NONE},
        {.id = reader, .perms = XS_PERM_READ},
    };

    if (!xs_write(xsh, XBT_NULL, path, value, len) ||
        !xs_set_permissions(xsh, XBT_NULL, path, perms, 2)) {
        fprintf(stderr, "xenstore-bench: cannot publish %s: %s\n", path, strerror(errno));
        return false;
    }
    return true;
}

int socket_reader_read(const char *path, unsigned int len)
{
    unsigned int got;
    char *value = xs_read(xsh, XBT_NULL, path, &got);

    free(value);
    return value && got == len ? 0 : -1;
}
