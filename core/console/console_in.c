/*
 * core/console/console_in.c - input out of the ring's in[], handed up line
 * by line (console.h), and the backend's signal.
 */

#include "console/console.h"

#define INPUT_CHUNK 64 /* bytes copied off the page at a time, before the assembler sees them */

static void line_up(void *ctx, const char *text, size_t len, bool cut)
{
    struct console *c = ctx;

    os_atomic_add64(&c->stats.lines_read, 1);
    if (cut && os_atomic_add64(&c->stats.lines_cut, 1) == 1)
        os_log(OS_LOG_WARN,
               "console: an input line longer than %u bytes was cut (further ones are counted)\n",
               (unsigned int)CONSOLE_LINE_MAX);
    if (c->input_fn)
        c->input_fn(c->input_ctx, text, len, cut);
}

/* The backend may wait for room in in[], or to be told of output: signal it, unless the port is not ours now. */
static void notify_room(struct console *c)
{
    os_irql_t saved;

    if (!os_spin_trylock(&c->out_lock, &saved))
        return; /* a writer holds it; its notification wakes the backend too */
    if (console_state(c) == CONSOLE_RUNNING)
        c->transport.notify(c->transport.ctx);
    os_spin_unlock(&c->out_lock, saved);
}

enum read_result { READ_NOTHING, READ_SOME, READ_BROKEN };

/* Under the input lock: every byte the backend produced, into the assembler. */
static enum read_result read_input(struct console *c)
{
    struct xencons_interface *intf = c->intf;
    /* Acquire: the bytes are read after the index that published them. */
    XENCONS_RING_IDX prod = os_atomic_load32(&intf->in_prod);
    XENCONS_RING_IDX cons = c->in_cons;

    if (console_state(c) != CONSOLE_RUNNING || prod == cons)
        return READ_NOTHING;
    if (prod - cons > sizeof(intf->in))
        return READ_BROKEN;
    for (XENCONS_RING_IDX avail = prod - cons; avail;) {
        char chunk[INPUT_CHUNK];
        size_t n = sizeof(chunk);

        if (n > avail)
            n = avail;
        for (size_t i = 0; i < n; i++)
            chunk[i] = intf->in[MASK_XENCONS_IDX(cons + i, intf->in)];
        cons += (XENCONS_RING_IDX)n;
        avail -= (XENCONS_RING_IDX)n;
        c->in_cons = cons;
        /* Release: done with the bytes before the backend may write there again. */
        os_atomic_store32(&intf->in_cons, cons);
        console_line_feed(&c->line, chunk, n, line_up, c);
    }
    return READ_SOME;
}

/*
 * Whether output waits in the ring. A backend that connects after we wrote
 * (xenconsoled finding a restored domain) signals us, and reads only once
 * we signal it back.
 */
static bool output_waiting(struct console *c)
{
    return os_atomic_load32(&c->intf->out_cons) != os_read_once32(&c->intf->out_prod);
}

void console_on_event(struct console *c)
{
    enum read_result result;
    os_irql_t saved;

    os_event_set(&c->room);
    saved = os_spin_lock(&c->in_lock);
    result = read_input(c);
    os_spin_unlock(&c->in_lock, saved);
    if (result == READ_BROKEN)
        console_broke(c, "in_prod");
    else if (result == READ_SOME || output_waiting(c))
        notify_room(c);
}

void console_set_input(struct console *c, console_line_fn fn, void *ctx)
{
    os_irql_t saved = os_spin_lock(&c->in_lock);

    c->input_fn = fn;
    c->input_ctx = ctx;
    console_line_reset(&c->line); /* a new reader starts at a new line */
    os_spin_unlock(&c->in_lock, saved);
}
