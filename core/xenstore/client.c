/*
 * core/xenstore/client.c - the client's life: creation, destruction, the
 * count of calls inside it, its state (broken, timeout, statistics).
 */
#include <string.h>

#include "xenstore/client_internal.h"

int xs_client_create(const struct xs_transport *transport, struct xs_client **out)
{
    struct xs_client *client = os_alloc(sizeof(*client));

    if (client == NULL)
        return -XEN_ENOMEM;
    client->transport = *transport;
    os_spin_init(&client->lock);
    /*
     * Ids start somewhere new for each client, so a late reply to a request
     * of an earlier client on the same ring is not taken for one of ours.
     */
    client->next_req_id = (uint32_t)(os_time_ns() >> 10) | 1u;
    client->timeout_ns = XS_CLIENT_TIMEOUT_NS;
    xs_reader_reset(&client->reader);
    os_event_init(&client->room);
    os_event_init(&client->idle);
    os_event_init(&client->notify_idle);
    os_event_init(&client->callback_done);
    os_event_init(&client->resumed);
    os_event_set(&client->resumed);
    os_mutex_init(&client->write_mutex);
    os_mutex_init(&client->watch_mutex);
    os_work_init(&client->watch_work, xs_watch_dispatch, client);
    os_work_init(&client->drain_work, xs_client_drain_more, client);
    *out = client;
    return 0;
}

/*
 * Wait until *@count (under the lock) is 0; whoever brings it to 0 while
 * closing sets @zero, under the lock.
 */
static void wait_for_none(struct xs_client *client, const unsigned int *count,
                          struct os_event *zero)
{
    for (;;) {
        os_irql_t irql = os_spin_lock(&client->lock);
        bool none = *count == 0;

        if (!none)
            os_event_clear(zero);
        os_spin_unlock(&client->lock, irql);
        if (none)
            return;
        os_event_wait(zero, OS_WAIT_FOREVER);
    }
}

void xs_client_shutdown(struct xs_client *client)
{
    os_irql_t irql = os_spin_lock(&client->lock);

    client->closing = true;
    xs_request_fail_all(client, -XEN_ENOTCONN);
    os_spin_unlock(&client->lock, irql);
    os_event_set(&client->room);    /* a writer waiting for room, or a reconnection, gives up */
    os_event_set(&client->resumed); /* a request waiting for resume gives up */
    wait_for_none(client, &client->notifying, &client->notify_idle);
}

void xs_client_destroy(struct xs_client *client)
{
    os_irql_t irql = os_spin_lock(&client->lock);

    OS_ASSERT(client->watches == NULL);
    os_spin_unlock(&client->lock, irql);
    xs_client_shutdown(client);
    wait_for_none(client, &client->users, &client->idle);
    os_work_flush(&client->drain_work); /* it may queue watch_work: first */
    os_work_flush(&client->watch_work);
    irql = os_spin_lock(&client->lock);
    xs_watch_drop_events(client);
    xs_client_drop_out(client);
    os_spin_unlock(&client->lock, irql);
    os_free(client);
}

int xs_client_enter(struct xs_client *client)
{
    os_irql_t irql = os_spin_lock(&client->lock);
    int rc = client->closing ? -XEN_ENOTCONN : 0;

    if (rc == 0)
        client->users++;
    os_spin_unlock(&client->lock, irql);
    return rc;
}

void xs_client_leave(struct xs_client *client)
{
    os_irql_t irql = os_spin_lock(&client->lock);

    OS_ASSERT_CMP(client->users, >, 0);
    if (--client->users == 0 && client->closing)
        os_event_set(&client->idle);
    os_spin_unlock(&client->lock, irql);
}

void xs_client_notify(struct xs_client *client)
{
    os_irql_t irql = os_spin_lock(&client->lock);
    bool open = !client->closing;

    if (open)
        client->notifying++;
    os_spin_unlock(&client->lock, irql);
    if (!open)
        return;
    client->transport.notify(client->transport.ctx);
    irql = os_spin_lock(&client->lock);
    if (--client->notifying == 0 && client->closing)
        os_event_set(&client->notify_idle);
    os_spin_unlock(&client->lock, irql);
}

void xs_client_set_timeout(struct xs_client *client, uint64_t timeout_ns)
{
    os_irql_t irql = os_spin_lock(&client->lock);

    client->timeout_ns = timeout_ns;
    os_spin_unlock(&client->lock, irql);
}

bool xs_client_broken(const struct xs_client *client)
{
    struct xs_client *c = (struct xs_client *)client; /* the lock is not part of its value */
    os_irql_t irql = os_spin_lock(&c->lock);
    bool broken = c->broken;

    os_spin_unlock(&c->lock, irql);
    return broken;
}

void xs_client_get_stats(const struct xs_client *client, struct xs_client_stats *stats)
{
    struct xs_client *c = (struct xs_client *)client;
    os_irql_t irql = os_spin_lock(&c->lock);

    *stats = c->stats;
    os_spin_unlock(&c->lock, irql);
}

void xs_client_break(struct xs_client *client, const char *why)
{
    if (!client->broken)
        os_log(OS_LOG_ERROR, "xenstore: connection broken: %s\n", why);
    client->broken = true;
    xs_reader_reset(&client->reader);
    xs_client_drop_out(client);
    xs_request_fail_all(client, -XEN_EIO);
}
