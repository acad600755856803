/* tests/support/blkfront/guest_store.c - see guest_store.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xen/errno.h>

#include "guest_store.h"
#include "xenstore/number.h"
#include "xenstore/wire.h"

#define REPLY_TIMEOUT_MS 5000

static uint32_t next_req_id = 1;

/*
 * Send one request; its reply's payload in @reply. Watch events that arrive
 * meanwhile are not replies: they are dropped (this guest sets no watches).
 */
static int request(struct xs_ring *ring, uint32_t type, const void *payload, size_t len,
                   char *reply, size_t size)
{
    uint32_t id = next_req_id++;
    struct xsd_sockmsg msg;
    int rc = xs_ring_send(ring, type, id, payload, len);

    while (rc == 0) {
        rc = xs_ring_recv(ring, &msg, reply, size, REPLY_TIMEOUT_MS);
        if (rc || msg.type == XS_WATCH_EVENT)
            continue;
        if (msg.req_id != id)
            return -XEN_EIO;
        if (msg.type == XS_ERROR)
            return xs_wire_error(reply, msg.len);
        return msg.type == type ? 0 : -XEN_EIO;
    }
    return rc;
}

int guest_store_read(struct xs_ring *ring, const char *path, char *value, size_t size)
{
    return request(ring, XS_READ, path, strlen(path) + 1, value, size);
}

int guest_store_read_u64(struct xs_ring *ring, const char *path, uint64_t *value)
{
    char text[32];
    int rc = guest_store_read(ring, path, text, sizeof(text));

    if (rc)
        return rc;
    return xs_number_parse(text, strlen(text), UINT64_MAX, value) ? -XEN_EINVAL : 0;
}

int guest_store_write(struct xs_ring *ring, const char *path, const char *value)
{
    size_t path_len = strlen(path) + 1, value_len = strlen(value);
    char payload[XENSTORE_PAYLOAD_MAX], reply[16];

    /* The payload is the path with its NUL, then the value without one. */
    if (path_len + value_len > sizeof(payload))
        return -XEN_E2BIG;
    memcpy(payload, path, path_len);
    memcpy(payload + path_len, value, value_len);
    return request(ring, XS_WRITE, payload, path_len + value_len, reply, sizeof(reply));
}

int guest_store_remove(struct xs_ring *ring, const char *path)
{
    char reply[16];

    return request(ring, XS_RM, path, strlen(path) + 1, reply, sizeof(reply));
}
