/*
 * core/xenstore/client_event.c - the daemon signalled: bytes off the reply
 * ring into the reader; each whole message completes its request or joins
 * the watch-event queue; writers waiting for room are woken.
 *
 * Runs in any context, all under client->lock, so it only copies and
 * allocates; watch callbacks run later on deferred work. It also pushes on
 * a request whose writer stopped waiting halfway (client_request.c). One
 * call takes at most XS_CLIENT_EVENT_BYTES; a daemon that writes faster
 * than that is read further on deferred work (drain_work).
 */
#include <string.h>

#include "xenstore/client_internal.h"
#include "xenstore/ring.h"

static struct xs_request *find_request(struct xs_client *client, uint32_t req_id)
{
    for (struct xs_request *req = client->in_flight; req; req = req->next) {
        if (req->req_id == req_id)
            return req;
    }
    return NULL;
}

/* A reply: the status and payload its request is waiting for. */
static void complete_request(struct xs_client *client, const struct xsd_sockmsg *hdr,
                             const char *payload)
{
    struct xs_request *req = find_request(client, hdr->req_id);
    int status = 0;

    if (req == NULL) {
        /* Its requester gave up waiting, or the daemon made it up. */
        client->stats.unsolicited++;
        return;
    }
    client->stats.replies++;
    if (hdr->type == XS_ERROR) {
        client->stats.errors++;
        status = xs_wire_error(payload, hdr->len);
    } else if (hdr->type != req->type) {
        os_log(OS_LOG_WARN, "xenstore: reply of type %u to a request of type %u\n", hdr->type,
               req->type);
        status = -XEN_EIO;
    } else {
        req->reply = os_alloc((size_t)hdr->len + 1);
        if (req->reply == NULL) {
            status = -XEN_ENOMEM;
        } else {
            memcpy(req->reply, payload, hdr->len);
            req->reply_len = hdr->len;
        }
    }
    xs_request_finish(client, req, status);
}

static void take_message(struct xs_client *client)
{
    const struct xs_reader *reader = &client->reader;

    if (reader->hdr.type == XS_WATCH_EVENT) {
        client->stats.watch_events++;
        xs_watch_queue_event(client, reader->payload, reader->hdr.len);
    } else {
        complete_request(client, &reader->hdr, reader->payload);
    }
}

/* Feed @len bytes of client->chunk to the reader; false when they broke the stream. */
static bool feed(struct xs_client *client, size_t len)
{
    for (size_t at = 0; at < len;) {
        size_t used;
        int rc = xs_reader_feed(&client->reader, client->chunk + at, len - at, &used);

        at += used;
        if (rc < 0) {
            xs_client_break(client, "an impossible message header");
            return false;
        }
        if (rc == 1) {
            take_message(client);
            xs_reader_reset(&client->reader);
        }
    }
    return true;
}

/*
 * Take what the daemon has written, up to XS_CLIENT_EVENT_BYTES; *more says
 * the budget ran out first (there may be more). Returns whether the daemon
 * needs a notification (it may be waiting for the room we made). Not after
 * every read: each one would cost the daemon a wake-up for nothing.
 */
static bool drain(struct xs_client *client, bool *more)
{
    struct xenstore_domain_interface *intf = client->transport.intf;
    XENSTORE_RING_IDX cons = intf->rsp_cons; /* ours */
    size_t taken = 0;

    for (;;) {
        size_t want = XS_CLIENT_EVENT_BYTES - taken;
        int n;

        if (want == 0) {
            *more = true;
            break;
        }
        n = xs_ring_get(intf, client->chunk,
                        want < sizeof(client->chunk) ? want : sizeof(client->chunk));
        if (n < 0)
            xs_client_break(client, "reply ring indices out of range");
        taken += n > 0 ? (size_t)n : 0;
        if (n <= 0 || !feed(client, (size_t)n))
            break;
    }
    return taken > 0 && xs_ring_reply_was_full(intf, cons);
}

void xs_client_on_event(struct xs_client *client)
{
    os_irql_t irql = os_spin_lock(&client->lock);
    bool signal = false, events, more = false;

    /* While reconnecting the daemon resets the indices: leave them alone. */
    if (!client->broken && !client->reconnecting && !client->closing) {
        signal = drain(client, &more);
        signal = xs_client_push(client) > 0 || signal;
    }
    events = client->events != NULL;
    os_spin_unlock(&client->lock, irql);
    if (signal)
        xs_client_notify(client);
    os_event_set(&client->room);
    if (events)
        os_work_queue(&client->watch_work);
    /*
     * The daemon wrote more than one call takes: the rest is taken on
     * deferred work, one bounded call at a time, so the processor is let go
     * in between. Not by signalling our own port: the transport reaches
     * only the daemon.
     */
    if (more)
        os_work_queue(&client->drain_work);
}

void xs_client_drain_more(void *ctx)
{
    xs_client_on_event(ctx);
}
