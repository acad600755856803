/* core/xenstore/client_ops.c - reading, writing, creating, removing and listing nodes. */
#include <string.h>

#include "xenstore/client_internal.h"

int xs_client_read(struct xs_client *client, xs_tx_t tx, const char *path, char **value,
                   size_t *len)
{
    return xs_client_request_path(client, XS_READ, tx, path, value, len);
}

int xs_client_write(struct xs_client *client, xs_tx_t tx, const char *path, const void *value,
                    size_t len)
{
    struct xs_part parts[2] = {{path, 0}, {value, len}};
    int rc = xs_path_check(path);

    if (rc)
        return rc;
    parts[0].len = strlen(path) + 1;
    return xs_client_request(client, XS_WRITE, tx, parts, 2, NULL, NULL);
}

int xs_client_write_str(struct xs_client *client, xs_tx_t tx, const char *path, const char *value)
{
    return xs_client_write(client, tx, path, value, strlen(value));
}

int xs_client_mkdir(struct xs_client *client, xs_tx_t tx, const char *path)
{
    return xs_client_request_path(client, XS_MKDIR, tx, path, NULL, NULL);
}

int xs_client_rm(struct xs_client *client, xs_tx_t tx, const char *path)
{
    return xs_client_request_path(client, XS_RM, tx, path, NULL, NULL);
}

int xs_client_directory(struct xs_client *client, xs_tx_t tx, const char *path, char ***names,
                        unsigned int *count)
{
    char *reply, **block, *strings;
    size_t len;
    unsigned int n;
    int rc = xs_client_request_strings(client, XS_DIRECTORY, tx, path, &reply, &len, &n);

    if (rc)
        return rc;
    /* One block: the pointers, then the strings they point to. */
    block = os_alloc(n * sizeof(char *) + len + 1);
    if (block) {
        strings = (char *)(block + n);
        memcpy(strings, reply, len);
        for (unsigned int i = 0; i < n; i++) {
            block[i] = strings;
            strings += strlen(strings) + 1;
        }
        *names = block;
        *count = n;
    }
    os_free(reply);
    return block ? 0 : -XEN_ENOMEM;
}
