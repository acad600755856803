/*
 * core/xenstore/client_request.c - one request: checked and built, put in
 * flight under a fresh id, written whole into the request ring, then
 * waited for until its reply, a failure, or its deadline.
 *
 * The request ring holds 1 KiB and a message up to 16 + 4096 bytes, so a
 * writer may wait for room several times; messages never interleave
 * (write_mutex). The message being written belongs to the client
 * (client->out), so whoever finds room pushes it on: the writer, or
 * xs_client_on_event after the requester gave up waiting. Half a message
 * left in the ring would make the daemon read the next one wrong.
 */
#include <stddef.h>
#include <string.h>

#include "xenstore/client_internal.h"
#include "xenstore/ring.h"

#define MESSAGE_MAX (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)

int xs_path_check(const char *path)
{
    size_t max, len;

    if (path == NULL || path[0] == '\0')
        return -XEN_EINVAL;
    max = path[0] == '/' ? XENSTORE_ABS_PATH_MAX : XENSTORE_REL_PATH_MAX;
    len = strnlen(path, max + 1);
    return len > max ? -XEN_EINVAL : 0;
}

void xs_request_finish(struct xs_client *client, struct xs_request *req, int status)
{
    for (struct xs_request **p = &client->in_flight; *p; p = &(*p)->next) {
        if (*p == req) {
            *p = req->next;
            break;
        }
    }
    req->status = status;
    req->done = true;
    /* Under the lock: the waiter takes it before its frame goes away. */
    os_event_set(&req->event);
}

void xs_request_fail_all(struct xs_client *client, int status)
{
    while (client->in_flight)
        xs_request_finish(client, client->in_flight, status);
}

/* start's answer while the client is suspended: wait for resume, then start. */
#define SUSPENDED 1

/*
 * Put @req in flight under a fresh id, with its deadline; the connection
 * must be usable, and not suspended unless @tx names a transaction (looked
 * at under the lock suspend looks under, so it sees this request in flight
 * or this request sees it).
 */
static int start(struct xs_client *client, struct xs_request *req, xs_tx_t tx, uint64_t *deadline)
{
    os_irql_t irql = os_spin_lock(&client->lock);
    int rc = 0;

    if (client->suspended && tx == XS_TX_NONE && !client->closing)
        rc = SUSPENDED;
    else if (client->closing || client->reconnecting)
        rc = -XEN_ENOTCONN;
    else if (client->broken)
        rc = -XEN_EIO;
    if (rc == 0) {
        req->req_id = client->next_req_id++;
        req->next = client->in_flight;
        client->in_flight = req;
    }
    *deadline = xs_deadline_after(client->timeout_ns);
    os_spin_unlock(&client->lock, irql);
    return rc;
}

/* The request's last word after waiting: its own status, or a timeout. */
static int finish(struct xs_client *client, struct xs_request *req)
{
    os_irql_t irql = os_spin_lock(&client->lock);
    int status;

    if (!req->done) {
        xs_request_finish(client, req, -XEN_ETIMEDOUT);
        client->stats.timeouts++;
    }
    status = req->status;
    os_spin_unlock(&client->lock, irql);
    return status;
}

uint64_t xs_deadline_after(uint64_t timeout_ns)
{
    uint64_t now = os_time_ns();

    return timeout_ns < UINT64_MAX - now ? now + timeout_ns : UINT64_MAX;
}

uint64_t xs_time_left(uint64_t deadline)
{
    uint64_t now = os_time_ns();

    if (deadline == UINT64_MAX)
        return OS_WAIT_FOREVER;
    return now < deadline ? deadline - now : 0;
}

int xs_client_push(struct xs_client *client)
{
    int n;

    if (client->out == NULL)
        return 0;
    n = xs_ring_put(client->transport.intf, client->out + client->out_done,
                    client->out_len - client->out_done);
    if (n < 0) {
        xs_client_break(client, "request ring indices out of range");
        return n;
    }
    client->out_done += (size_t)n;
    if (client->out_done == client->out_len)
        xs_client_drop_out(client);
    return n;
}

void xs_client_drop_out(struct xs_client *client)
{
    os_free(client->out);
    client->out = NULL;
}

/*
 * Hand the message @msg (os_alloc) to the client once the message before it
 * has gone, and push it out, waiting for room until @deadline. When that
 * passes, @req fails -XEN_ETIMEDOUT; the rest of a message begun is still
 * written as room appears (half a message would start the next one wrong).
 * Returns whether @msg was handed over (else the caller frees it).
 */
static bool send_message(struct xs_client *client, struct xs_request *req, uint8_t *msg, size_t len,
                         uint64_t deadline)
{
    bool handed = false;
    os_irql_t irql;

    for (;;) {
        bool finished, waiting;
        int pushed;

        os_event_clear(&client->room); /* before looking: a later event is not lost */
        irql = os_spin_lock(&client->lock);
        pushed = xs_client_push(client); /* the tail of a message before ours */
        if (!handed && client->out == NULL && !req->done) {
            client->out = msg;
            client->out_len = len;
            client->out_done = 0;
            client->stats.requests++;
            handed = true;
            if (xs_client_push(client) > 0)
                pushed = 1;
        }
        finished = req->done;
        /* Once handed, what is out can only be ours: we hold write_mutex. */
        waiting = !handed || client->out != NULL;
        os_spin_unlock(&client->lock, irql);

        if (pushed > 0)
            xs_client_notify(client);
        if (finished || !waiting)
            return handed;
        if (os_event_wait(&client->room, xs_time_left(deadline)) != 0)
            break;
    }
    irql = os_spin_lock(&client->lock);
    if (!req->done) {
        client->stats.timeouts++;
        xs_request_finish(client, req, -XEN_ETIMEDOUT);
    }
    os_spin_unlock(&client->lock, irql);
    return handed;
}

int xs_client_request(struct xs_client *client, uint32_t type, xs_tx_t tx,
                      const struct xs_part *parts, size_t nparts, char **reply, size_t *len)
{
    struct xs_request req = {.type = type};
    uint64_t deadline;
    uint8_t *msg;
    int size, rc = xs_client_enter(client);

    if (rc)
        return rc;
    msg = os_alloc(MESSAGE_MAX);
    if (msg == NULL) {
        xs_client_leave(client);
        return -XEN_ENOMEM;
    }
    size = xs_wire_build(msg, MESSAGE_MAX, type, 0, tx, parts, nparts);
    if (size < 0) {
        os_free(msg);
        xs_client_leave(client);
        return size;
    }
    os_event_init(&req.event);
    do {
        rc = xs_client_await_resume(client, tx);
        if (rc)
            break;
        os_mutex_lock(&client->write_mutex);
        rc = start(client, &req, tx, &deadline);
        if (rc == 0) {
            memcpy(msg + offsetof(struct xsd_sockmsg, req_id), &req.req_id, sizeof(req.req_id));
            if (send_message(client, &req, msg, (size_t)size, deadline))
                msg = NULL; /* the client's now */
        }
        os_mutex_unlock(&client->write_mutex);
    } while (rc == SUSPENDED);
    os_free(msg);
    if (rc == 0) {
        os_event_wait(&req.event, xs_time_left(deadline));
        rc = finish(client, &req);
    }
    xs_client_leave(client);
    if (rc == 0 && reply)
        *reply = req.reply;
    else
        os_free(req.reply);
    if (rc == 0 && len)
        *len = req.reply_len;
    return rc;
}

int xs_client_request_path(struct xs_client *client, uint32_t type, xs_tx_t tx, const char *path,
                           char **reply, size_t *len)
{
    struct xs_part part = {path, 0};
    int rc = xs_path_check(path);

    if (rc)
        return rc;
    part.len = strlen(path) + 1;
    return xs_client_request(client, type, tx, &part, 1, reply, len);
}

int xs_client_request_strings(struct xs_client *client, uint32_t type, xs_tx_t tx, const char *path,
                              char **reply, size_t *len, unsigned int *count)
{
    unsigned int n = 0;
    int rc = xs_client_request_path(client, type, tx, path, reply, len);

    if (rc)
        return rc;
    if (*len > 0 && (*reply)[*len - 1] != '\0') {
        os_free(*reply);
        return -XEN_EIO;
    }
    for (size_t i = 0; i < *len; i++)
        n += (*reply)[i] == '\0';
    *count = n;
    return 0;
}
