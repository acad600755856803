/*
 * core/console/console.c - attaching the console to its page, detaching,
 * suspend and resume, the counters (console.h).
 */
#include <string.h>

#include "console/console.h"

/* Whether the backend's indexes on the page are possible; BROKEN (said once) when not. */
static bool page_sane(struct console *c)
{
    XENCONS_RING_IDX out_cons = os_atomic_load32(&c->intf->out_cons);
    XENCONS_RING_IDX in_prod = os_atomic_load32(&c->intf->in_prod);

    if (c->out_prod - out_cons <= sizeof(c->intf->out) &&
        in_prod - c->in_cons <= sizeof(c->intf->in))
        return true;
    console_broke(c, "an index on the page at attach or resume");
    return false;
}

void console_attach(struct console *c, struct xencons_interface *intf,
                    const struct console_transport *transport)
{
    memset(c, 0, sizeof(*c));
    os_spin_init(&c->out_lock);
    os_spin_init(&c->in_lock);
    os_event_init(&c->room);
    c->intf = intf;
    c->transport = *transport;
    /* Ours, as a previous driver (or the firmware) left them. */
    c->out_prod = os_read_once32(&intf->out_prod);
    c->in_cons = os_read_once32(&intf->in_cons);
    console_transition(c, CONSOLE_RUNNING);
    if (page_sane(c))
        console_on_event(c); /* input the backend wrote before we came */
}

void console_detach(struct console *c)
{
    os_irql_t saved;

    if (console_state(c) == CONSOLE_DETACHED)
        return;
    saved = os_spin_lock(&c->in_lock);
    c->input_fn = NULL;
    os_spin_unlock(&c->in_lock, saved);
    saved = os_spin_lock(&c->out_lock);
    console_transition(c, CONSOLE_DETACHED);
    os_spin_unlock(&c->out_lock, saved);
    os_event_set(&c->room); /* a waiting writer finds it detached */
}

void console_suspend(struct console *c)
{
    /* Under the writers' lock: no writer is between its look at the state and its notification. */
    os_irql_t saved = os_spin_lock(&c->out_lock);

    console_transition(c, CONSOLE_SUSPENDED);
    os_spin_unlock(&c->out_lock, saved);
}

void console_resume(struct console *c, struct xencons_interface *intf)
{
    os_irql_t saved = os_spin_lock(&c->out_lock);
    bool resumed;

    c->intf = intf;
    resumed = console_state(c) == CONSOLE_SUSPENDED && console_transition(c, CONSOLE_RUNNING);
    os_spin_unlock(&c->out_lock, saved);
    if (!resumed || !page_sane(c))
        return;
    console_on_event(c); /* signals the backend of what was written while suspended */
}

void console_stats(struct console *c, struct console_stats *out)
{
    out->bytes_written = os_atomic_add64(&c->stats.bytes_written, 0);
    out->bytes_dropped = os_atomic_add64(&c->stats.bytes_dropped, 0);
    out->lines_read = os_atomic_add64(&c->stats.lines_read, 0);
    out->lines_cut = os_atomic_add64(&c->stats.lines_cut, 0);
}
