/*
 * core/log/sink.c - see sink.h. Callers count themselves in while they use
 * the sink, so detaching waits for the last one out rather than freeing
 * what a processor still writes to. While no sink is attached, lines are
 * kept (the first LOG_SINK_EARLY_BYTES of them, whole lines only) and
 * handed to the next sink when it attaches: what a driver logs as it loads,
 * before the console runs, still reaches it.
 */
#include <string.h>

#include "log/sink.h"

static log_sink_fn volatile sink_fn;
static void *volatile sink_ctx;
static volatile uint32_t sink_users;

static char early[LOG_SINK_EARLY_BYTES];
static size_t early_used;
static volatile uint32_t early_busy; /* 1 while one appends to early[], or attach replays it */

static bool early_take(void)
{
    return os_atomic_cas32(&early_busy, 0, 1);
}

static void early_give(void)
{
    os_atomic_store32(&early_busy, 0);
}

void log_sink_attach(log_sink_fn fn, void *ctx)
{
    OS_ASSERT(__atomic_load_n(&sink_fn, __ATOMIC_ACQUIRE) == NULL);
    while (!early_take())
        ; /* an early line being appended: a copy, short */
    for (size_t at = 0; at < early_used;) {
        size_t len =
            (size_t)((const char *)memchr(early + at, '\n', early_used - at) - early - at) + 1;

        fn(ctx, OS_LOG_INFO, early + at, len);
        at += len;
    }
    early_used = 0;
    sink_ctx = ctx;
    __atomic_store_n(&sink_fn, fn, __ATOMIC_RELEASE);
    early_give();
}

void log_sink_detach(void)
{
    __atomic_store_n(&sink_fn, NULL, __ATOMIC_SEQ_CST);
    /* A user counted in before the store may still call the old sink: it never waits, so this is short. */
    while (os_atomic_load32(&sink_users) != 0)
        ;
    sink_ctx = NULL;
}

/* No sink: keep @line whole if it fits (another keeping one at the same time drops it). */
static log_sink_fn keep_early(const char *line, size_t len)
{
    log_sink_fn fn;

    if (!early_take())
        return NULL;
    /* Attached meanwhile: the line goes to the sink after all. */
    fn = __atomic_load_n(&sink_fn, __ATOMIC_SEQ_CST);
    if (fn == NULL && len <= sizeof(early) - early_used) {
        memcpy(early + early_used, line, len);
        early_used += len;
    }
    early_give();
    return fn;
}

void log_sink_emit(enum os_log_level level, const char *fmt, va_list args)
{
    char line[LOG_SINK_LINE_MAX + 1];
    log_sink_fn fn;
    size_t len;

    if (level > OS_LOG_INFO)
        return;
    len = os_vformat(line, sizeof(line) - 1, fmt, args);
    /* One newline at the end, whatever the message had. */
    while (len && line[len - 1] == '\n')
        len--;
    line[len++] = '\n';
    line[len] = '\0';
    os_atomic_add32(&sink_users, 1);
    fn = __atomic_load_n(&sink_fn, __ATOMIC_SEQ_CST);
    if (fn == NULL)
        fn = keep_early(line, len);
    if (fn)
        fn(sink_ctx, level, line, len);
    os_atomic_sub32(&sink_users, 1);
}
