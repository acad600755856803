/*
 * core/xenstore/client_reconnect.c - starting the rings afresh through the
 * daemon's reconnection feature (xenstore-ring.txt): we write
 * XENSTORE_RECONNECT into the page's connection field and signal; the
 * daemon drops what it had from us, sets the four indices to 0, writes
 * XENSTORE_CONNECTED and signals back. Then watches are sent again.
 */
#include "xenstore/client_internal.h"

#define RECHECK_NS (10ull * 1000 * 1000)

static bool closing(struct xs_client *client)
{
    os_irql_t irql = os_spin_lock(&client->lock);
    bool closing = client->closing;

    os_spin_unlock(&client->lock, irql);
    return closing;
}

/*
 * Wait for the daemon to finish the reset, until @deadline; -XEN_ENOTCONN
 * as soon as shutdown begins (it sets room).
 */
static int await_connected(struct xs_client *client, uint64_t deadline)
{
    struct xenstore_domain_interface *intf = client->transport.intf;

    for (;;) {
        uint64_t left;

        /* on_event sets room whenever the daemon signals. */
        os_event_clear(&client->room);
        if (closing(client))
            return -XEN_ENOTCONN;
        if (os_read_once32(&intf->connection) == XENSTORE_CONNECTED)
            break;
        left = xs_time_left(deadline);
        if (left == 0)
            return -XEN_ETIMEDOUT;
        /* Look again now and then: the daemon need not signal when it is done. */
        os_event_wait(&client->room, left < RECHECK_NS ? left : RECHECK_NS);
    }
    os_mb(); /* the indices the daemon reset are read after the field */
    return 0;
}

int xs_client_reconnect(struct xs_client *client)
{
    struct xenstore_domain_interface *intf = client->transport.intf;
    uint64_t deadline;
    os_irql_t irql;
    int rc;

    if (!(os_read_once32(&intf->server_features) & XENSTORE_SERVER_FEATURE_RECONNECTION))
        return -XEN_EOPNOTSUPP;
    rc = xs_client_enter(client);
    if (rc)
        return rc;
    irql = os_spin_lock(&client->lock);
    client->reconnecting++; /* on_event stops reading; new requests fail */
    xs_request_fail_all(client, -XEN_ENOTCONN);
    xs_client_drop_out(client); /* the daemon drops what it has of it too */
    deadline = xs_deadline_after(client->timeout_ns);
    os_spin_unlock(&client->lock, irql);
    os_event_set(&client->room); /* a writer waiting for room gives up */

    os_mutex_lock(&client->write_mutex); /* no writer is halfway through a message */
    os_mb();
    os_write_once32(&intf->connection, XENSTORE_RECONNECT);
    os_mb();
    xs_client_notify(client);
    rc = await_connected(client, deadline);
    irql = os_spin_lock(&client->lock);
    client->reconnecting--;
    if (rc == 0) {
        client->broken = false;
        xs_reader_reset(&client->reader);
    } else if (rc != -XEN_ENOTCONN) {
        xs_client_break(client, "the daemon did not finish reconnecting");
    }
    os_spin_unlock(&client->lock, irql);
    os_mutex_unlock(&client->write_mutex);

    if (rc == 0)
        rc = xs_watch_register_all(client);
    xs_client_leave(client);
    return rc;
}
