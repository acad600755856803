/*
 * core/vbd/front_store.c - xenstore nodes through the STORE table: paths,
 * numbers read strictly (core/xenstore/number.h), text, writes.
 */
#include <string.h>

#include "vbd/front_internal.h"
#include "xenbus/node.h"
#include "xenstore/number.h"

/* @dir/@name as the store has it (free with the table's free). */
static int read_raw(struct vbd_front *front, const char *dir, const char *name, char **value,
                    size_t *len)
{
    const struct winpv_store_interface_v1 *store = front->svc.store;
    char path[FRONT_PATH_MAX];
    int rc = xenbus_path(path, sizeof(path), dir, name);

    return rc ? rc : store->read(store->header.context, 0, path, value, len);
}

int front_read_number(struct vbd_front *front, const char *dir, const char *name, uint64_t max,
                      uint64_t *value)
{
    char *text;
    size_t len;
    int rc = read_raw(front, dir, name, &text, &len);

    if (rc)
        return xenbus_node_absent(rc) ? rc : -XEN_EINVAL;
    rc = xs_number_parse(text, len, max, value);
    front->svc.store->free(front->svc.store->header.context, text);
    if (rc) {
        os_log(OS_LOG_ERROR, "vbd: %s/%s: not a number up to %llu\n", dir, name,
               (unsigned long long)max);
        return -XEN_EINVAL;
    }
    return 0;
}

int front_read_flag(struct vbd_front *front, const char *dir, const char *name, bool absent,
                    bool *value)
{
    uint64_t n;
    int rc = front_read_number(front, dir, name, UINT32_MAX, &n);

    if (rc == -XEN_ENOENT) {
        *value = absent;
        return 0;
    }
    if (rc == 0)
        *value = n != 0;
    return rc;
}

int front_read_text(struct vbd_front *front, const char *dir, const char *name, char *buf,
                    size_t size)
{
    char *text;
    size_t len;
    int rc = read_raw(front, dir, name, &text, &len);

    if (rc)
        return xenbus_node_absent(rc) ? rc : -XEN_EINVAL;
    if (len < size && strlen(text) == len)
        memcpy(buf, text, len + 1);
    else
        rc = -XEN_EINVAL;
    front->svc.store->free(front->svc.store->header.context, text);
    if (rc)
        os_log(OS_LOG_ERROR, "vbd: %s/%s: not a string of up to %u bytes\n", dir, name,
               (unsigned int)(size - 1));
    return rc;
}

int front_write_text(struct vbd_front *front, uint32_t tx, const char *dir, const char *name,
                     const char *text)
{
    const struct winpv_store_interface_v1 *store = front->svc.store;
    char path[FRONT_PATH_MAX];
    int rc = xenbus_path(path, sizeof(path), dir, name);

    return rc ? rc : store->write(store->header.context, tx, path, text, strlen(text));
}

int front_write_number(struct vbd_front *front, uint32_t tx, const char *dir, const char *name,
                       uint64_t value)
{
    char text[XS_NUMBER_TEXT_MAX];

    xs_number_format(text, value, 10);
    return front_write_text(front, tx, dir, name, text);
}
