/*
 * core/xenstore/wire.h - the xenstore wire protocol, with no I/O: building
 * requests, taking replies apart as bytes arrive, and naming errors.
 *
 * A message is a struct xsd_sockmsg header and len bytes of payload. What
 * comes from the daemon is not trusted: a header claiming more than
 * XENSTORE_PAYLOAD_MAX bytes, or an unknown type, breaks the connection
 * (-XEN_EBADMSG); payload strings are only ever read within len.
 *
 * Context: every function is "any" (no allocation, no blocking).
 */
#ifndef WINPV_CORE_XENSTORE_WIRE_H
#define WINPV_CORE_XENSTORE_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/io/xs_wire.h>

/* One piece of a request's payload. */
struct xs_part {
    const void *data;
    size_t len;
};

/*
 * Write the message (header, then @parts in order) into @buf. Returns its
 * length, or -XEN_E2BIG when the payload passes XENSTORE_PAYLOAD_MAX or
 * @size is too small.
 */
int xs_wire_build(void *buf, size_t size, uint32_t type, uint32_t req_id, uint32_t tx_id,
                  const struct xs_part *parts, size_t nparts);

/* A message being received: the header, then the payload, in any chunks. */
struct xs_reader {
    struct xsd_sockmsg hdr;
    size_t hdr_have;
    size_t payload_have;
    char payload[XENSTORE_PAYLOAD_MAX + 1]; /* NUL after the payload, for convenience */
};

void xs_reader_reset(struct xs_reader *reader);

/*
 * Take up to @len bytes of @data; *used says how many were taken. Returns 1
 * when a whole message is ready (header in reader->hdr, payload in
 * reader->payload, call xs_reader_reset before the next), 0 when more bytes
 * are needed, -XEN_EBADMSG when the header cannot be a message.
 */
int xs_reader_feed(struct xs_reader *reader, const void *data, size_t len, size_t *used);

/*
 * Split a payload of @len bytes into NUL-terminated strings: up to @max
 * pointers into @payload in @out; returns how many, or -XEN_EBADMSG when
 * the last string is not terminated or there are more than @max.
 */
int xs_wire_strings(const char *payload, size_t len, const char **out, size_t max);

/*
 * The status for an XS_ERROR reply's payload: -XEN_E* for the names Xen
 * defines (XSD_ERRORS), -XEN_ENOSPC for oxenstored's "EQUOTA" (a quota
 * reached, as C xenstored's ENOSPC), -XEN_EIO for anything else (it is
 * still an error).
 */
int xs_wire_error(const char *payload, size_t len);

/* Whether @type is one a daemon may send (a reply type or XS_WATCH_EVENT). */
bool xs_wire_known_type(uint32_t type);

#endif /* WINPV_CORE_XENSTORE_WIRE_H */
