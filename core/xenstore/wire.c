/* core/xenstore/wire.c - the xenstore wire protocol (see wire.h). */
#include <string.h>

#include "os.h"
#include "xenstore/wire.h"

int xs_wire_build(void *buf, size_t size, uint32_t type, uint32_t req_id, uint32_t tx_id,
                  const struct xs_part *parts, size_t nparts)
{
    struct xsd_sockmsg hdr = {.type = type, .req_id = req_id, .tx_id = tx_id};
    uint8_t *out = buf;
    size_t len = 0;

    for (size_t i = 0; i < nparts; i++) {
        if (parts[i].len > XENSTORE_PAYLOAD_MAX - len)
            return -XEN_E2BIG;
        len += parts[i].len;
    }
    if (size < sizeof(hdr) + len)
        return -XEN_E2BIG;
    hdr.len = (uint32_t)len;
    memcpy(out, &hdr, sizeof(hdr));
    out += sizeof(hdr);
    for (size_t i = 0; i < nparts; i++) {
        memcpy(out, parts[i].data, parts[i].len);
        out += parts[i].len;
    }
    return (int)(sizeof(hdr) + len);
}

bool xs_wire_known_type(uint32_t type)
{
    return type < XS_TYPE_COUNT; /* XS_INVALID (0xffff) lies beyond too */
}

void xs_reader_reset(struct xs_reader *reader)
{
    reader->hdr_have = 0;
    reader->payload_have = 0;
}

static size_t take(void *dst, size_t want, const uint8_t *src, size_t len)
{
    size_t n = want < len ? want : len;

    memcpy(dst, src, n);
    return n;
}

int xs_reader_feed(struct xs_reader *reader, const void *data, size_t len, size_t *used)
{
    const uint8_t *in = data;
    size_t n = 0, m;

    if (reader->hdr_have < sizeof(reader->hdr)) {
        n = take((uint8_t *)&reader->hdr + reader->hdr_have, sizeof(reader->hdr) - reader->hdr_have,
                 in, len);
        reader->hdr_have += n;
        *used = n;
        if (reader->hdr_have < sizeof(reader->hdr))
            return 0;
        /* Checked once, before a byte of payload is taken on its word. */
        if (reader->hdr.len > XENSTORE_PAYLOAD_MAX || !xs_wire_known_type(reader->hdr.type))
            return -XEN_EBADMSG;
    }
    m = take(reader->payload + reader->payload_have, reader->hdr.len - reader->payload_have, in + n,
             len - n);
    reader->payload_have += m;
    *used = n + m;
    if (reader->payload_have < reader->hdr.len)
        return 0;
    reader->payload[reader->hdr.len] = '\0';
    return 1;
}

int xs_wire_strings(const char *payload, size_t len, const char **out, size_t max)
{
    size_t count = 0;

    for (size_t start = 0; start < len;) {
        const char *end = memchr(payload + start, '\0', len - start);

        if (end == NULL || count == max)
            return -XEN_EBADMSG;
        out[count++] = payload + start;
        start = (size_t)(end - payload) + 1;
    }
    return (int)count;
}

int xs_wire_error(const char *payload, size_t len)
{
#define XS_ERROR_ENTRY(name, value) {#name, -XEN_##name},
    static const struct {
        const char *name;
        int status;
    } errors[] = {
        XSD_ERRORS(XS_ERROR_ENTRY)
        /* oxenstored's name for a quota reached, where C xenstored says ENOSPC. */
        {"EQUOTA", -XEN_ENOSPC},
    };
#undef XS_ERROR_ENTRY

    for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
        size_t n = strlen(errors[i].name);

        /* The name, with or without its NUL, and nothing else. */
        if ((len == n || (len == n + 1 && payload[n] == '\0')) &&
            memcmp(payload, errors[i].name, n) == 0)
            return errors[i].status;
    }
    return -XEN_EIO;
}
