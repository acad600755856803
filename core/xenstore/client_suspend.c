/*
 * core/xenstore/client_suspend.c - the client around a suspend of the
 * domain. Before it, the connection is brought to rest: requests outside a
 * transaction wait (those inside one go on, so that it can end), and the
 * suspend waits until no transaction is open and every request sent has
 * its reply, so nothing is half-said when the domain stops. After a
 * restore the daemon's connection is new: what the old one left in the
 * reply ring (watch events, perhaps half of one) is dropped, and every
 * watch is registered again, which fires it once.
 */
#include "xenstore/client_internal.h"
#include "xenstore/ring.h"

#define RECHECK_NS (10ull * 1000 * 1000)

int xs_client_await_resume(struct xs_client *client, xs_tx_t tx)
{
    for (;;) {
        os_irql_t irql = os_spin_lock(&client->lock);
        bool closing = client->closing;
        bool wait = client->suspended && tx == XS_TX_NONE;

        os_spin_unlock(&client->lock, irql);
        if (closing)
            return -XEN_ENOTCONN;
        if (!wait)
            return 0;
        /* Set again at resume and at shutdown. */
        os_event_wait(&client->resumed, OS_WAIT_FOREVER);
    }
}

void xs_client_count_transaction(struct xs_client *client, int delta)
{
    os_irql_t irql = os_spin_lock(&client->lock);

    if (delta > 0)
        client->transactions++;
    else if (client->transactions > 0)
        client->transactions--;
    os_spin_unlock(&client->lock, irql);
}

/* Whether nothing is under way: no transaction open, nothing sent unanswered. */
static bool at_rest(struct xs_client *client, bool *closing)
{
    os_irql_t irql = os_spin_lock(&client->lock);
    bool rest = client->transactions == 0 && client->in_flight == NULL && client->out == NULL;

    *closing = client->closing;
    os_spin_unlock(&client->lock, irql);
    return rest;
}

int xs_client_suspend(struct xs_client *client)
{
    os_irql_t irql = os_spin_lock(&client->lock);
    uint64_t deadline = xs_deadline_after(client->timeout_ns);

    OS_ASSERT(!client->suspended);
    client->suspended = true;
    os_event_clear(&client->resumed);
    os_spin_unlock(&client->lock, irql);

    for (;;) {
        uint64_t left;
        bool closing;

        /* on_event sets room whenever the daemon signals. */
        os_event_clear(&client->room);
        if (at_rest(client, &closing))
            return 0;
        if (closing)
            return -XEN_ENOTCONN;
        left = xs_time_left(deadline);
        if (left == 0)
            return -XEN_ETIMEDOUT;
        /* Look again now and then: a transaction's end is no event of the daemon's. */
        os_event_wait(&client->room, left < RECHECK_NS ? left : RECHECK_NS);
    }
}

/* The daemon's connection is new: forget what the old one left. Lock held. */
static void forget_connection(struct xs_client *client, struct xenstore_domain_interface *intf)
{
    client->transport.intf = intf;
    xs_request_fail_all(client, -XEN_ENOTCONN); /* none, unless suspend gave up waiting */
    xs_client_drop_out(client);
    xs_watch_drop_events(client); /* each watch fires again once registered */
    xs_reader_reset(&client->reader);
    client->transactions = 0;
    client->broken = false;
    if (xs_ring_discard_replies(intf) < 0)
        xs_client_break(client, "reply ring indices out of range after restore");
}

int xs_client_resume(struct xs_client *client, struct xenstore_domain_interface *intf)
{
    os_irql_t irql;
    int rc = 0;

    if (intf) {
        os_mutex_lock(&client->write_mutex); /* no writer is halfway through a message */
        irql = os_spin_lock(&client->lock);
        forget_connection(client, intf);
        os_spin_unlock(&client->lock, irql);
        os_mutex_unlock(&client->write_mutex);
    }
    irql = os_spin_lock(&client->lock);
    OS_ASSERT(client->suspended);
    client->suspended = false;
    os_event_set(&client->resumed);
    os_spin_unlock(&client->lock, irql);
    if (intf) {
        rc = xs_client_enter(client);
        if (rc == 0) {
            rc = xs_watch_register_all(client);
            xs_client_leave(client);
        }
    }
    return rc;
}
