/* core/console/console_out.c - output into the ring's out[] (console.h). */
#include <string.h>

#include "console/console.h"

/* The writers' lock, tried until CONSOLE_WRITE_PATIENCE_NS passed. */
static bool out_lock_try(struct console *c, os_irql_t *saved)
{
    uint64_t deadline = 0;

    while (!os_spin_trylock(&c->out_lock, saved)) {
        uint64_t now = os_time_ns();

        if (deadline == 0)
            deadline = now + CONSOLE_WRITE_PATIENCE_NS;
        else if (now > deadline)
            return false;
    }
    return true;
}

enum put_result { PUT_DONE, PUT_STOPPED, PUT_BROKEN };

/*
 * Under the writers' lock: copy @len bytes (all of them when @whole, else
 * what fits) and publish them; *done says how many.
 */
static enum put_result put(struct console *c, const char *data, size_t len, bool whole,
                           size_t *done)
{
    struct xencons_interface *intf = c->intf;
    /* Acquire: the backend has finished with the bytes it consumed. */
    XENCONS_RING_IDX cons = os_atomic_load32(&intf->out_cons);
    XENCONS_RING_IDX prod = c->out_prod;
    XENCONS_RING_IDX used = prod - cons, room;
    enum console_state state = console_state(c);

    *done = 0;
    if (state != CONSOLE_RUNNING && state != CONSOLE_SUSPENDED)
        return PUT_STOPPED;
    if (used > sizeof(intf->out))
        return PUT_BROKEN;
    room = (XENCONS_RING_IDX)sizeof(intf->out) - used;
    if (len > room) {
        if (whole)
            return PUT_DONE;
        len = room;
    }
    while (*done < len) {
        size_t at = MASK_XENCONS_IDX(prod + *done, intf->out);
        size_t n = sizeof(intf->out) - at; /* to the end of the array */

        if (n > len - *done)
            n = len - *done;
        memcpy(intf->out + at, data + *done, n);
        *done += n;
    }
    c->out_prod = prod + (XENCONS_RING_IDX)len;
    /* Release: the bytes are there before the index says so. */
    os_atomic_store32(&intf->out_prod, c->out_prod);
    if (len && state == CONSOLE_RUNNING)
        c->transport.notify(c->transport.ctx);
    return PUT_DONE;
}

static size_t write_out(struct console *c, const void *data, size_t len, bool whole)
{
    enum put_result result;
    os_irql_t saved;
    size_t done = 0;

    if (len == 0)
        return 0;
    if (out_lock_try(c, &saved)) {
        result = put(c, data, len, whole, &done);
        os_spin_unlock(&c->out_lock, saved);
    } else {
        result = PUT_DONE;
    }
    os_atomic_add64(&c->stats.bytes_written, done);
    /* A partial write is the caller's to go on with; a whole one not made is lost. */
    if (whole && done < len && result != PUT_STOPPED)
        os_atomic_add64(&c->stats.bytes_dropped, len);
    if (result == PUT_BROKEN)
        console_broke(c, "out_cons");
    return done;
}

size_t console_write(struct console *c, const void *data, size_t len)
{
    return write_out(c, data, len, false);
}

bool console_write_whole(struct console *c, const void *data, size_t len)
{
    return write_out(c, data, len, true) == len;
}

int console_write_wait(struct console *c, const void *data, size_t len, uint64_t timeout_ns)
{
    const char *at = data;

    while (len) {
        size_t done;

        os_event_clear(&c->room);
        done = console_write(c, at, len);
        at += done;
        len -= done;
        if (len == 0)
            break;
        if (console_state(c) != CONSOLE_RUNNING && console_state(c) != CONSOLE_SUSPENDED)
            return -XEN_EIO;
        if (done == 0 && os_event_wait(&c->room, timeout_ns) != 0)
            return -XEN_ETIMEDOUT;
    }
    return 0;
}
