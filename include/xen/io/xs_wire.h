/*
 * xen/io/xs_wire.h - the xenstore wire protocol and the shared page that
 * carries it between a guest and the xenstore daemon.
 *
 * Every message is a struct xsd_sockmsg followed by len bytes of payload,
 * usually NUL-terminated strings. A reply carries the request's type,
 * req_id and tx_id, or type XS_ERROR with an error name from XSD_ERRORS.
 */
#ifndef WINPV_XEN_IO_XS_WIRE_H
#define WINPV_XEN_IO_XS_WIRE_H

#include <stdint.h>

enum xsd_sockmsg_type {
    XS_CONTROL = 0,
    XS_DIRECTORY = 1,
    XS_READ = 2,
    XS_GET_PERMS = 3,
    XS_WATCH = 4,
    XS_UNWATCH = 5,
    XS_TRANSACTION_START = 6,
    XS_TRANSACTION_END = 7,
    XS_INTRODUCE = 8,
    XS_RELEASE = 9,
    XS_GET_DOMAIN_PATH = 10,
    XS_WRITE = 11,
    XS_MKDIR = 12,
    XS_RM = 13,
    XS_SET_PERMS = 14,
    XS_WATCH_EVENT = 15, /* sent by the daemon, unasked, when a watch fires */
    XS_ERROR = 16,
    XS_IS_DOMAIN_INTRODUCED = 17,
    XS_RESUME = 18,
    XS_SET_TARGET = 19,
    /* 20 is unused (it was XS_RESTRICT). */
    XS_RESET_WATCHES = 21,
    XS_DIRECTORY_PART = 22,
    XS_TYPE_COUNT = 23,  /* one more than the last valid type */
    XS_INVALID = 0xffff, /* never a valid type */
};

/* The old name of XS_CONTROL. */
#define XS_DEBUG XS_CONTROL

/* Modes of an XS_WRITE, for daemons that accept them. */
#define XS_WRITE_NONE        "NONE"
#define XS_WRITE_CREATE      "CREATE"
#define XS_WRITE_CREATE_EXCL "CREATE|EXCL"

/*
 * The errors the daemon names in an XS_ERROR reply, X(name, errno): the
 * name is sent as text and the number is its Linux errno value (which is
 * also Xen's). Use it to build a table: #define X(n, v) { #n, v },
 */
#define XSD_ERRORS(X) \
    X(EINVAL, 22)     \
    X(EACCES, 13)     \
    X(EEXIST, 17)     \
    X(EISDIR, 21)     \
    X(ENOENT, 2)      \
    X(ENOMEM, 12)     \
    X(ENOSPC, 28)     \
    X(EIO, 5)         \
    X(ENOTEMPTY, 39)  \
    X(ENOSYS, 38)     \
    X(EROFS, 30)      \
    X(EBUSY, 16)      \
    X(EAGAIN, 11)     \
    X(EISCONN, 106)   \
    X(E2BIG, 7)       \
    X(EPERM, 1)

struct xsd_sockmsg {
    uint32_t type;   /* enum xsd_sockmsg_type */
    uint32_t req_id; /* chosen by the requester, echoed in the reply */
    uint32_t tx_id;  /* transaction id, 0 outside a transaction */
    uint32_t len;    /* payload bytes that follow */
};

/* The payload of an XS_WATCH_EVENT: these strings, in this order. */
enum xs_watch_type {
    XS_WATCH_PATH = 0,
    XS_WATCH_TOKEN = 1,
};

/*
 * The shared page. Each direction is a byte ring of XENSTORE_RING_SIZE with
 * free-running indices: the producer writes bytes at MASK_XENSTORE_IDX(prod)
 * and then advances prod (after a write barrier); the consumer likewise
 * advances cons. Signal the store event channel after either.
 */
#define XENSTORE_RING_SIZE 1024
typedef uint32_t XENSTORE_RING_IDX;
#define MASK_XENSTORE_IDX(idx) ((idx) & (XENSTORE_RING_SIZE - 1))

struct xenstore_domain_interface {
    char req[XENSTORE_RING_SIZE]; /* guest to daemon */
    char rsp[XENSTORE_RING_SIZE]; /* replies and watch events */
    XENSTORE_RING_IDX req_cons, req_prod;
    XENSTORE_RING_IDX rsp_cons, rsp_prod;
    uint32_t server_features; /* XENSTORE_SERVER_FEATURE_* */
    uint32_t connection;      /* XENSTORE_CONNECTED or XENSTORE_RECONNECT */
    uint32_t error;           /* XENSTORE_ERROR_* */
};

/* The largest payload of one message; a longer one breaks the connection. */
#define XENSTORE_PAYLOAD_MAX 4096

/* Longer paths are refused with an error. */
#define XENSTORE_ABS_PATH_MAX 3072
#define XENSTORE_REL_PATH_MAX 2048

/* server_features bits. */
#define XENSTORE_SERVER_FEATURE_RECONNECTION 1 /* the connection field works */
#define XENSTORE_SERVER_FEATURE_ERROR        2 /* the error field works */

/*
 * connection: to reset the rings, the guest writes XENSTORE_RECONNECT and
 * signals; the daemon clears the indices and writes XENSTORE_CONNECTED.
 */
#define XENSTORE_CONNECTED 0
#define XENSTORE_RECONNECT 1

/* error: why the daemon stopped serving the ring. */
#define XENSTORE_ERROR_NONE    0
#define XENSTORE_ERROR_COMM    1 /* a communication problem */
#define XENSTORE_ERROR_RINGIDX 2 /* an index moved impossibly */
#define XENSTORE_ERROR_PROTO   3 /* a protocol violation, e.g. an oversized payload */

#endif /* WINPV_XEN_IO_XS_WIRE_H */
