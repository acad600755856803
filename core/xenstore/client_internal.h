/*
 * core/xenstore/client_internal.h - what the files of the xenstore client
 * share: the client's state, the request engine, and the hooks between the
 * event path, watches and reconnection. Not for use outside client*.c.
 *
 * Locking. client->lock (a spinlock) guards the fields marked "lock": what
 * xs_client_on_event touches, in any context. write_mutex serialises whole
 * messages into the request ring (and the reconnection handshake);
 * watch_mutex keeps the watch list's membership stable while reconnection
 * walks it. Order: watch_mutex, then write_mutex, then lock.
 */
#ifndef WINPV_CORE_XENSTORE_CLIENT_INTERNAL_H
#define WINPV_CORE_XENSTORE_CLIENT_INTERNAL_H

#include "os.h"
#include "xenstore/client.h"
#include "xenstore/number.h"
#include "xenstore/wire.h"

/* The text of a 32-bit number: up to 10 digits (8 in hex) and a NUL. */
#define XS_U32_TEXT_SIZE 11

/* A request waiting for its reply; it lives on the requester's stack. */
struct xs_request {
    struct xs_request *next; /* in client->in_flight */
    uint32_t req_id;
    uint32_t type;
    bool done;   /* status (and reply) are final; no longer in flight */
    int status;  /* 0 or -XEN_E* */
    char *reply; /* os_alloc, NUL after reply_len bytes; on success only */
    size_t reply_len;
    struct os_event event; /* set once done */
};

/* A watch event as received, waiting for deferred work. */
struct xs_watch_event {
    struct xs_watch_event *next;
    size_t len;
    char payload[]; /* len bytes: "path\0token\0", then a NUL of ours */
};

struct xs_watch {
    struct xs_watch *next; /* in client->watches */
    xs_watch_fn fn;
    void *ctx;
    char token[XS_U32_TEXT_SIZE]; /* a number unique in the client, in hex */
    char path[];                  /* NUL-terminated */
};

struct xs_client {
    struct xs_transport transport;

    struct os_spinlock lock;
    struct xs_request *in_flight;   /* lock */
    uint32_t next_req_id;           /* lock */
    uint64_t timeout_ns;            /* lock */
    bool broken;                    /* lock */
    unsigned int reconnecting;      /* lock: handshakes under way */
    bool closing;                   /* lock: shutdown (or destroy) has begun */
    bool suspended;                 /* lock: requests outside a transaction wait */
    unsigned int transactions;      /* lock: started and not yet ended */
    unsigned int users;             /* lock: calls inside the client */
    unsigned int notifying;         /* lock: threads inside transport.notify */
    struct xs_client_stats stats;   /* lock */
    struct xs_reader reader;        /* lock */
    char chunk[XENSTORE_RING_SIZE]; /* lock: bytes taken off the reply ring */
    uint8_t *out;                   /* lock: the message going out (os_alloc), or NULL */
    size_t out_len, out_done;       /* lock: its length, bytes in the ring so far */

    struct xs_watch *watches;                    /* lock and watch_mutex to change */
    struct xs_watch_event *events, *events_tail; /* lock */
    size_t events_bytes;                         /* lock: charged to the queue limit */
    const struct xs_watch *running;              /* lock: whose callback runs */
    uintptr_t dispatcher;                        /* lock: the thread running it */
    bool running_removed;                        /* lock: it removed itself: free it after */
    uint32_t next_watch_id;                      /* lock */

    struct os_event room;          /* on_event ran: the request ring may have room */
    struct os_event idle;          /* users fell to 0 while closing */
    struct os_event notify_idle;   /* notifying fell to 0 while closing */
    struct os_event callback_done; /* a watch callback returned */
    struct os_event resumed;       /* set while not suspended */
    struct os_mutex write_mutex;
    struct os_mutex watch_mutex;
    struct os_work watch_work;
    struct os_work drain_work; /* takes what one xs_client_on_event left on the ring */
};

/*
 * Count a call inside the client, so destroy waits for it; -XEN_ENOTCONN
 * once destroy has begun. Context: any.
 */
int xs_client_enter(struct xs_client *client);
void xs_client_leave(struct xs_client *client);

/*
 * Signal the daemon (transport.notify), unless shutdown has begun: once
 * xs_client_shutdown returns nobody is inside, nor enters. Context: any.
 */
void xs_client_notify(struct xs_client *client);

/* The drain_work function: xs_client_on_event from deferred work. Context: passive. */
void xs_client_drain_more(void *ctx);

/* 0 for a path the daemon may accept, else -XEN_EINVAL. Context: any. */
int xs_path_check(const char *path);

/*
 * Send a request made of @parts and wait for its reply: on success its
 * payload in *reply (os_alloc, NUL-terminated; NULL @reply: freed) and its
 * length in *len (may be NULL). Context: passive.
 */
int xs_client_request(struct xs_client *client, uint32_t type, xs_tx_t tx,
                      const struct xs_part *parts, size_t nparts, char **reply, size_t *len);

/* xs_client_request with @path (checked) and its NUL as the payload. */
int xs_client_request_path(struct xs_client *client, uint32_t type, xs_tx_t tx, const char *path,
                           char **reply, size_t *len);

/* The time @timeout_ns from now (saturated), and what is left until @deadline. Context: any. */
uint64_t xs_deadline_after(uint64_t timeout_ns);
uint64_t xs_time_left(uint64_t deadline);

/*
 * Put more of the outgoing message into the request ring; free it once
 * all went. Returns the bytes put (notify the daemon if any), or
 * -XEN_EOVERFLOW (the connection is broken). Lock held.
 */
int xs_client_push(struct xs_client *client);

/* Forget the outgoing message. Lock held. */
void xs_client_drop_out(struct xs_client *client);

/*
 * xs_client_request_path for a reply that is a list of NUL-terminated
 * strings (a directory, permissions): the reply and the number of strings
 * in it. A last string without its NUL is -XEN_EIO. Context: passive.
 */
int xs_client_request_strings(struct xs_client *client, uint32_t type, xs_tx_t tx, const char *path,
                              char **reply, size_t *len, unsigned int *count);

/* Finish @req (in flight) with @status. Lock held. */
void xs_request_finish(struct xs_client *client, struct xs_request *req, int status);

/* Finish every request in flight with @status. Lock held. */
void xs_request_fail_all(struct xs_client *client, int status);

/* The daemon broke the protocol: fail everything until reconnection. Lock held. */
void xs_client_break(struct xs_client *client, const char *why);

/* Copy a received watch event into the queue (or count it dropped). Lock held. */
void xs_watch_queue_event(struct xs_client *client, const char *payload, size_t len);

/* Run queued watch events (the watch_work function). Context: passive. */
void xs_watch_dispatch(void *ctx);

/* Drop every queued event. Lock held. */
void xs_watch_drop_events(struct xs_client *client);

/*
 * Wait while the client is suspended, unless @tx names a transaction (it
 * may go on, so that it can end). Returns 0, or -XEN_ENOTCONN once
 * shutdown begins. Context: passive.
 */
int xs_client_await_resume(struct xs_client *client, xs_tx_t tx);

/* A transaction started (+1) or ended (-1): what suspend waits for. Context: any. */
void xs_client_count_transaction(struct xs_client *client, int delta);

/* Send XS_WATCH for every watch again (after reconnection). Context: passive. */
int xs_watch_register_all(struct xs_client *client);

#endif /* WINPV_CORE_XENSTORE_CLIENT_INTERNAL_H */
