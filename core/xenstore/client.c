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
    client->next_req_id = 1;
    client->timeout_ns = XS_CLIENT_TIMEOUT_NS;
    xs_reader_reset(&client->reader);
    os_event_init(&client->room);
    os_event_init(&client->idle);
    os_event_init(&client->callback_done);
    os_mutex_init(&client->write_mutex);
    os_mutex_init(&client->watch_mutex);
    os_work_init(&client->watch_work, xs_watch_dispatch, client);
    *out = client;
    return 0;
}

void xs_client_destroy(struct xs_client *client)
{
    os_irql_t irql = os_spin_lock(&client->lock);

    OS_ASSERT(client->watches == NULL);
    client->closing = true;
    xs_request_fail_all(client, -XEN_ENOTCONN);
    os_spin_unlock(&client->lock, irql);
    os_event_set(&client->room); /* a writer waiting for room gives up */
    for (;;) {
        irql = os_spin_lock(&client->lock);
        if (client->users == 0)
            break;
        os_event_clear(&client->idle); /* set again by the last leave, under the lock */
        os_spin_unlock(&client->lock, irql);
        os_event_wait(&client->idle, OS_WAIT_FOREVER);
    }
    os_spin_unlock(&client->lock, irql);
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
