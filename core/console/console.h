/*
 * core/console/console.h - the guest's side of the PV console page
 * (struct xencons_interface, include/xen/io/console.h): output into out[],
 * input out of in[] handed up line by line (console/line.h).
 *
 * Indexes run freely (modulo 2^32) and name bytes masked with each ring's
 * size. We own out_prod and in_cons (kept here, written to the page); the
 * backend (xenconsoled, or a hostile one) owns out_cons and in_prod, read
 * once per pass and checked: a producer more than a ring ahead of its
 * consumer breaks the console (logged once; no more reading or writing).
 * Input bytes are copied off the page before the assembler looks at them.
 *
 * Output never waits in console_write: what does not fit is dropped and
 * counted, so a log line written from an event callback or under a
 * spinlock costs a copy and a notification at most. Writers are serialised
 * by a lock they only try: a writer finding it held for longer than
 * CONSOLE_WRITE_PATIENCE_NS (its holder preempted, held still by a
 * suspend, or the writer itself further up its stack) drops its bytes
 * instead of spinning for ever. console_write_wait waits for room, in
 * passive context.
 *
 * The lifecycle is one state (enum console_state), changed only by
 * console_transition (console_state.c):
 *
 *   DETACHED -> RUNNING       console_attach
 *   RUNNING -> SUSPENDED      console_suspend: output still goes into the
 *                             ring, the backend is not notified (the port
 *                             is not ours to use until the resume)
 *   SUSPENDED -> RUNNING      console_resume: on the page and port given
 *   RUNNING, SUSPENDED -> BROKEN   the backend's index was impossible
 *   any -> DETACHED           console_detach
 *
 * Lock order: in_lock, then the writers' lock (an input callback may
 * write). Nothing logs while holding the writers' lock: os_log comes back
 * here as the log sink.
 */
#ifndef WINPV_CORE_CONSOLE_H
#define WINPV_CORE_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/io/console.h>

#include "console/line.h"
#include "os.h"

#define CONSOLE_WRITE_PATIENCE_NS 5000000ull /* 5 ms */

enum console_state {
    CONSOLE_DETACHED, /* no page (the zeroed state) */
    CONSOLE_RUNNING,
    CONSOLE_SUSPENDED,
    CONSOLE_BROKEN,
};

/* How the console tells its backend there is output, or room for input. Context: any. */
struct console_transport {
    void (*notify)(void *ctx);
    void *ctx;
};

struct console_stats {
    uint64_t bytes_written;
    uint64_t bytes_dropped; /* of whole writes that did not fit, or found the lock held */
    uint64_t lines_read;    /* input lines handed up (cut ones included) */
    uint64_t lines_cut;     /* input lines longer than CONSOLE_LINE_MAX */
};

struct console {
    volatile uint32_t state; /* enum console_state; see console_transition */
    struct xencons_interface *intf;
    struct console_transport transport;
    struct os_spinlock out_lock; /* the writers', only tried; out_prod, the stats of output */
    XENCONS_RING_IDX out_prod;
    struct os_spinlock in_lock; /* the reader and the input callback's registration */
    XENCONS_RING_IDX in_cons;
    struct console_line line;
    console_line_fn input_fn; /* NULL: input is read and dropped */
    void *input_ctx;
    struct os_event room; /* set when the backend signals (it took output) */
    volatile uint32_t broken_logged;
    struct console_stats stats;
};

/*
 * Start on @intf, the page mapped, notifying through @transport. What the
 * page holds (a previous driver's output and input) is taken as it is,
 * checked first (BROKEN when impossible). Context: passive.
 */
void console_attach(struct console *c, struct xencons_interface *intf,
                    const struct console_transport *transport);

/* Stop: no writer and no input callback runs once it returns. Context: passive. */
void console_detach(struct console *c);

/*
 * Copy up to @len bytes of @data into the output ring and notify the
 * backend. Returns how many went in; 0 when the ring is full, the writers'
 * lock held too long, or the console is not running (broken, detached).
 * Context: any.
 */
size_t console_write(struct console *c, const void *data, size_t len);

/* All of @len bytes, or none (a log line, whole or not at all). Context: any. */
bool console_write_whole(struct console *c, const void *data, size_t len);

/*
 * Write all @len bytes, waiting for the backend to take output when the
 * ring is full, at most @timeout_ns for each wait. Returns 0,
 * -XEN_ETIMEDOUT (the rest not written) or -XEN_EIO (the console is not
 * running). Context: passive.
 */
int console_write_wait(struct console *c, const void *data, size_t len, uint64_t timeout_ns);

/*
 * The backend signalled: wake waiting writers, read input and hand each
 * line to the input callback. Context: any (the port's callback).
 */
void console_on_event(struct console *c);

/*
 * Set the input callback (@fn NULL: none). Lines go to it in dispatch
 * context, under the console's input lock: it may write to the console,
 * not set the callback. Once this returns the old callback is not
 * running and is not called again. Context: any.
 */
void console_set_input(struct console *c, console_line_fn fn, void *ctx);

/* Before the domain suspends (see above). Context: passive. */
void console_suspend(struct console *c);

/*
 * After: @intf is the page as mapped now (a restored domain has it at the
 * same frame; the caller maps it again if it moved), the transport's port
 * the toolstack's again. The backend is notified of what was written
 * meanwhile, and input read. Context: passive.
 */
void console_resume(struct console *c, struct xencons_interface *intf);

/* The state now. Context: any. */
enum console_state console_state(const struct console *c);

/* A copy of the counters. Context: any. */
void console_stats(struct console *c, struct console_stats *out);

/*
 * Only console*.c: move to @to when the moves above allow it from the
 * state now (false: they do not, nothing changed). Context: any.
 */
bool console_transition(struct console *c, enum console_state to);

/*
 * Only console*.c: the backend's index @what was impossible: BROKEN, said
 * once. Not under the writers' lock (it logs). Context: any.
 */
void console_broke(struct console *c, const char *what);

#endif /* WINPV_CORE_CONSOLE_H */
