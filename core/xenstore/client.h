/*
 * core/xenstore/client.h - the xenstore client every driver uses: requests
 * over the shared ring, several in flight from several threads, replies
 * matched by request id, watches, transactions.
 *
 * The daemon is not trusted. A reply that cannot be parsed, or whose header
 * is impossible, breaks the connection: every request in flight and every
 * later one fails with -XEN_EIO until xs_client_reconnect succeeds. A reply
 * for no request in flight is dropped and counted. A reply whose type does
 * not match its request fails that request with -XEN_EIO. XS_ERROR replies
 * become -XEN_E* (xs_wire_error).
 *
 * Contexts: requests block until their reply, so every request function is
 * "passive". xs_client_on_event is "any" and is what the store event
 * channel's callback calls. Watch callbacks run on deferred work in passive
 * context, one at a time per client, and may make requests.
 *
 * Strings returned to the caller are allocated with os_alloc and freed by
 * the caller with os_free.
 *
 * Names: the request functions are exported as xs_client_read and so on,
 * because the real libxenstore (which tests link beside this client)
 * exports xs_read, xs_write, xs_mkdir, xs_rm and xs_directory; the short
 * names are inline forwarders here. A file cannot include both this header
 * and <xenstore.h>.
 */
#ifndef WINPV_CORE_XENSTORE_CLIENT_H
#define WINPV_CORE_XENSTORE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/io/xs_wire.h>

struct xs_client;
struct xs_watch;

/* How the client reaches the daemon: the shared page and its event channel. */
struct xs_transport {
    struct xenstore_domain_interface *intf;
    void (*notify)(void *ctx); /* signal the daemon; context: any */
    void *ctx;
};

/* A transaction id; XS_TX_NONE outside a transaction. */
typedef uint32_t xs_tx_t;
#define XS_TX_NONE 0u

/* Default time a request waits for its reply before failing -XEN_ETIMEDOUT. */
#define XS_CLIENT_TIMEOUT_NS (30ull * 1000 * 1000 * 1000)

/* Create a client on @transport (copied). Returns 0 or -XEN_ENOMEM. Context: passive. */
int xs_client_create(const struct xs_transport *transport, struct xs_client **out);

/*
 * Stop talking to the daemon, before its transport goes away (the store
 * port closed): requests in flight, and every later one, fail with
 * -XEN_ENOTCONN (so does a reconnection under way), and transport.notify is
 * never called again; returns once no thread is inside it. The page must
 * stay mapped until xs_client_destroy. Context: passive.
 */
void xs_client_shutdown(struct xs_client *client);

/*
 * Shut down (if not done yet), wait until no request is inside the client
 * and for running watch callbacks, free everything. No watch may remain
 * registered. Context: passive.
 */
void xs_client_destroy(struct xs_client *client);

/*
 * The most one xs_client_on_event takes off the reply ring: a daemon that
 * keeps writing cannot hold the processor in the event callback. What one
 * call leaves is taken by further calls on deferred work.
 */
#define XS_CLIENT_EVENT_BYTES (4u * XENSTORE_RING_SIZE)

/*
 * The daemon signalled: take replies and watch events off the ring (at
 * most XS_CLIENT_EVENT_BYTES; see above). Calls on one client may overlap.
 * Stop calling it before xs_client_destroy. Context: any.
 */
void xs_client_on_event(struct xs_client *client);

/*
 * How long each request started from now on waits for its reply (tests
 * shorten it); it bounds the wait for room in the request ring too.
 * Context: any.
 */
void xs_client_set_timeout(struct xs_client *client, uint64_t timeout_ns);

/*
 * Reset the rings through the daemon's reconnection feature (after a
 * broken connection, or after resume). Requests in flight fail with
 * -XEN_ENOTCONN; watches are registered again. Returns 0,
 * -XEN_EOPNOTSUPP when the daemon does not offer the feature,
 * -XEN_ETIMEDOUT, or -XEN_ENOTCONN when shutdown cut it short.
 * Context: passive.
 */
int xs_client_reconnect(struct xs_client *client);

/*
 * Suspend and resume of the domain (see client_suspend.c). xs_client_suspend
 * brings the connection to rest: from now on requests outside a
 * transaction wait for xs_client_resume (those inside one go on), and it
 * returns 0 once no transaction is open and every request sent has its
 * reply; -XEN_ETIMEDOUT when that took longer than the request timeout, or
 * -XEN_ENOTCONN after shutdown. Either way xs_client_resume follows. With
 * @intf NULL the connection goes on as it was (a cancelled suspend, or one
 * that never happened); else the domain was restored as a new one and the
 * daemon's connection is new, on the page @intf (the same page or
 * another): what the old connection left in the reply ring is dropped, a
 * broken connection is whole again, and every watch is registered again
 * (each fires once). Returns 0, or the first failure to register a watch.
 * Neither from a watch callback. Context: passive.
 */
int xs_client_suspend(struct xs_client *client);
int xs_client_resume(struct xs_client *client, struct xenstore_domain_interface *intf);

/* Whether the connection is broken (see above). Context: any. */
bool xs_client_broken(const struct xs_client *client);

struct xs_client_stats {
    uint64_t requests;      /* sent */
    uint64_t replies;       /* matched to a request */
    uint64_t errors;        /* XS_ERROR replies */
    uint64_t unsolicited;   /* replies for no request in flight, dropped */
    uint64_t watch_events;  /* received */
    uint64_t watch_dropped; /* received but dropped: queue full, or no memory */
    uint64_t timeouts;      /* requests that gave up waiting */
};

/*
 * Memory that watch events waiting for their callbacks may take (each is
 * charged its payload and its bookkeeping); events beyond it are dropped
 * and counted, so a daemon flooding a stuck callback cannot exhaust memory.
 */
#define XS_CLIENT_WATCH_QUEUE_BYTES (4u << 20)

void xs_client_get_stats(const struct xs_client *client, struct xs_client_stats *stats);

/* -- requests (all passive; @path is absolute or relative to the domain's home) -- */

/*
 * Every request returns 0 or a negative XEN_E*: -XEN_EINVAL for a path that
 * is empty or longer than XENSTORE_ABS_PATH_MAX (absolute) or
 * XENSTORE_REL_PATH_MAX (relative), -XEN_E2BIG for a request whose payload
 * passes XENSTORE_PAYLOAD_MAX (both found before anything is sent), the
 * daemon's XS_ERROR, -XEN_ETIMEDOUT, -XEN_EIO (broken connection or a
 * reply of the wrong type), -XEN_ENOTCONN (destroy or reconnect cut it
 * short), -XEN_ENOMEM. Outputs are set only on success.
 *
 * After -XEN_ETIMEDOUT the daemon may still carry the request out: a
 * message begun is always finished, so the stream stays whole, and the
 * late reply is dropped (counted as unsolicited).
 */

/*
 * The value at @path: *value (NUL-terminated, os_alloc) and its length in
 * *len (may be NULL).
 */
int xs_client_read(struct xs_client *client, xs_tx_t tx, const char *path, char **value,
                   size_t *len);

/* Write @len bytes of @value (any bytes) at @path, creating it and its parents. */
int xs_client_write(struct xs_client *client, xs_tx_t tx, const char *path, const void *value,
                    size_t len);

/* xs_write of a NUL-terminated string. */
int xs_client_write_str(struct xs_client *client, xs_tx_t tx, const char *path, const char *value);

int xs_client_mkdir(struct xs_client *client, xs_tx_t tx, const char *path);

/* Remove @path and everything below it. */
int xs_client_rm(struct xs_client *client, xs_tx_t tx, const char *path);

/*
 * The children of @path: *names is one os_alloc block holding *count
 * pointers followed by the strings they point to (free it once; it is
 * allocated even when *count is 0). A listing longer than one payload is
 * the daemon's -XEN_E2BIG.
 */
int xs_client_directory(struct xs_client *client, xs_tx_t tx, const char *path, char ***names,
                        unsigned int *count);

/* The short names drivers call (see "Names" above). */
static inline int xs_read(struct xs_client *client, xs_tx_t tx, const char *path, char **value,
                          size_t *len)
{
    return xs_client_read(client, tx, path, value, len);
}

static inline int xs_write(struct xs_client *client, xs_tx_t tx, const char *path,
                           const void *value, size_t len)
{
    return xs_client_write(client, tx, path, value, len);
}

static inline int xs_write_str(struct xs_client *client, xs_tx_t tx, const char *path,
                               const char *value)
{
    return xs_client_write_str(client, tx, path, value);
}

static inline int xs_mkdir(struct xs_client *client, xs_tx_t tx, const char *path)
{
    return xs_client_mkdir(client, tx, path);
}

static inline int xs_rm(struct xs_client *client, xs_tx_t tx, const char *path)
{
    return xs_client_rm(client, tx, path);
}

static inline int xs_directory(struct xs_client *client, xs_tx_t tx, const char *path,
                               char ***names, unsigned int *count)
{
    return xs_client_directory(client, tx, path, names, count);
}

/* A permission entry: the owner first, then per-domain grants. */
enum xs_perm_access {
    XS_PERM_NONE = 'n',
    XS_PERM_READ = 'r',
    XS_PERM_WRITE = 'w',
    XS_PERM_BOTH = 'b',
};

struct xs_perm {
    uint32_t domid;
    enum xs_perm_access access;
};

/* *perms: os_alloc array of *count entries. */
int xs_get_perms(struct xs_client *client, xs_tx_t tx, const char *path, struct xs_perm **perms,
                 unsigned int *count);
int xs_set_perms(struct xs_client *client, xs_tx_t tx, const char *path,
                 const struct xs_perm *perms, unsigned int count);

/* -- transactions -- */

int xs_tx_start(struct xs_client *client, xs_tx_t *tx);

/* Commit (or with @commit false, abandon) @tx. -XEN_EAGAIN: a conflict; try again. */
int xs_tx_end(struct xs_client *client, xs_tx_t tx, bool commit);

/*
 * Run @body in a transaction and commit it, starting again on -XEN_EAGAIN
 * up to @max_attempts times. A body that fails abandons the transaction and
 * its status is returned. Returns -XEN_EAGAIN when every attempt conflicted.
 */
typedef int (*xs_tx_body_fn)(struct xs_client *client, xs_tx_t tx, void *ctx);
int xs_transact(struct xs_client *client, xs_tx_body_fn body, void *ctx, unsigned int max_attempts);

/* -- watches -- */

/*
 * Called with the path that changed (@path itself or below it), in passive
 * context on deferred work; it may make requests and remove watches, its
 * own included. An event says "look again", not what changed: there are
 * extra ones (the first, one after each reconnection).
 */
typedef void (*xs_watch_fn)(void *ctx, const char *path);

/*
 * Watch @path. The daemon sends one event at once (the path itself), as
 * xenstored always does. Returns 0 and the watch in *out.
 */
int xs_watch_add(struct xs_client *client, const char *path, xs_watch_fn fn, void *ctx,
                 struct xs_watch **out);

/*
 * Stop watching; when it returns, @watch's callback is neither running nor
 * queued, and no event reaches it any more. From @watch's own callback it
 * does not wait for that callback (which goes on until it returns; @watch
 * is freed after it).
 */
void xs_watch_remove(struct xs_client *client, struct xs_watch *watch);

#endif /* WINPV_CORE_XENSTORE_CLIENT_H */
